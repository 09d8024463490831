import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { relctl, repoRoot, tempProject } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };

const deployPlaybook = `apiVersion: relctl/v1
name: demo
vars:
  greeting: hello
stages:
  build:
    on_failure: rollback
    steps:
      - id: greet
        uses: exec.run
        outputs: [word]
        with:
          argv: [sh, -c, 'echo "word=$1" >> "$RELCTL_OUTPUT"; echo built', sh, "\${{ vars.greeting }}"]
      - id: use
        uses: exec.run
        with:
          argv: [sh, -c, 'echo "$1" > used.txt', sh, "\${{ steps.greet.outputs.word }} world"]
  broken:
    on_failure: rollback
    steps:
      - id: fails
        uses: exec.run
        with:
          argv: [sh, -c, 'echo "first line" >&2; echo "the disk is full" >&2; exit 7']
      - id: never
        uses: exec.run
        with: { argv: [touch, never.txt] }
  rollback:
    steps:
      - id: undo
        uses: exec.run
        with: { argv: [touch, rolled-back.txt] }
`;

describe("relctl on the command line", () => {
  it("prints its version", async () => {
    const result = await relctl(["--version"]);
    expect(result).toEqual({ exitCode: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("runs a stage and passes outputs from one step to the next", async () => {
    const dir = tempProject({ "relctl.yaml": deployPlaybook });
    const result = await relctl(["build", "--yes"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(dir, "used.txt"), "utf8")).toBe("hello world\n");
    expect(result.stdout).toMatch(/✓ greet/);
    expect(result.stdout).toMatch(/✓ use/);
    expect(result.stdout).toMatch(/succeeded in .* \(exit 0\)/);
  });

  it("overrides vars from the command line", async () => {
    const dir = tempProject({ "relctl.yaml": deployPlaybook });
    const result = await relctl(["run", "build", "--yes", "--var", "greeting=goodbye"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(dir, "used.txt"), "utf8")).toBe("goodbye world\n");
  });

  it("stops at the first failed step, shows the command, its exit code and stderr, then runs rollback", async () => {
    const dir = tempProject({ "relctl.yaml": deployPlaybook });
    const result = await relctl(["run", "broken", "--yes"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/✗ fails/);
    expect(result.stdout).toContain("exit code: 7");
    expect(result.stdout).toContain("the disk is full");
    expect(result.stdout).toContain("stage rollback (on failure)");
    expect(existsSync(join(dir, "never.txt"))).toBe(false);
    expect(existsSync(join(dir, "rolled-back.txt"))).toBe(true);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it("prints only JSON events on stdout with --json", async () => {
    const dir = tempProject({ "relctl.yaml": deployPlaybook });
    const result = await relctl(["build", "--yes", "--json"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { v: number; type: string; seq: number });
    expect(events.every((event) => event.v === 1)).toBe(true);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]!.type).toBe("run.start");
    expect(events.at(-1)).toMatchObject({ type: "run.end", status: "succeeded", exitCode: 0 });
    expect(events.filter((event) => event.type === "step.end")).toHaveLength(2);
  });

  it("refuses to change anything without --yes when stdin is not a terminal", async () => {
    const dir = tempProject({ "relctl.yaml": deployPlaybook });
    const result = await relctl(["build"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("refusing to go on without confirmation");
    expect(result.stderr).toContain("pass --yes");
    expect(existsSync(join(dir, "used.txt"))).toBe(false);
  });

  it("refuses without --yes when CI is set", async () => {
    const dir = tempProject({ "relctl.yaml": deployPlaybook });
    const result = await relctl(["build"], { cwd: dir, env: { CI: "true" } });
    expect(result.exitCode).toBe(2);
    expect(existsSync(join(dir, "used.txt"))).toBe(false);
  });

  it("names an unknown stage and suggests the closest one", async () => {
    const dir = tempProject({ "relctl.yaml": deployPlaybook });
    const result = await relctl(["run", "biuld", "--yes"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('playbook demo has no stage "biuld"');
    expect(result.stderr).toContain("did you mean build?");
  });

  it("exits 2 when no playbook is found and says what it tried", async () => {
    const dir = tempProject();
    const result = await relctl(["plan"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("relctl.yaml");
    expect(result.stderr).toContain("hint:");
  });

  it("exits 2 on an unknown option", async () => {
    const result = await relctl(["plan", "--frobnicate"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
  });

  it("prints the playbook JSON Schema", async () => {
    const result = await relctl(["schema"]);
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(result.stdout) as { type?: string; properties?: Record<string, unknown> };
    expect(schema.properties).toHaveProperty("stages");
    expect(schema.properties).toHaveProperty("apiVersion");
    // The file the package ships is exactly what the command prints.
    expect(schema).toEqual(JSON.parse(readFileSync(join(repoRoot, "schema/relctl.schema.json"), "utf8")));
  });
});
