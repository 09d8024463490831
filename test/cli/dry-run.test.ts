import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { recordingBinDir, relctl, repoRoot, tempProject } from "../helpers/cli.js";

const playbook = `apiVersion: relctl/v1
name: dry
vars:
  env: staging
stages:
  deploy:
    on_failure: rollback
    steps:
      - id: commit
        uses: exec.run
        with: { argv: [fakegit, rev-parse, HEAD], read_only: true }
      - id: upgrade
        uses: exec.run
        with: { argv: [fakehelm, upgrade, api, "--set", "commit=\${{ steps.commit.outputs.stdout }}"] }
      - id: prod-only
        uses: exec.run
        if: \${{ vars.env == 'production' }}
        with: { argv: [fakehelm, upgrade, api-prod] }
  rollback:
    steps:
      - id: undo
        uses: exec.run
        with: { argv: [fakehelm, rollback, api] }
`;

describe("--dry-run and plan", () => {
  it("--dry-run starts only read-only commands and shows the plan of the others", async () => {
    const fakes = recordingBinDir(["fakegit", "fakehelm"]);
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["run", "deploy", "--dry-run"], {
      cwd: dir,
      env: { PATH: `${fakes.dir}:${process.env.PATH}` },
    });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(fakes.log, "utf8")).toBe("fakegit rev-parse HEAD\n");
    expect(result.stdout).toContain("$ fakehelm upgrade api --set commit=");
    expect(result.stdout).toMatch(/↷ prod-only .*\(condition is false\)/);
    expect(result.stdout).toMatch(
      /stage rollback \(on failure\)\n {2}○ undo .*\n {4}\$ fakehelm rollback api/,
    );
    expect(result.stdout).toMatch(/planned in .* \(exit 0\)/);
  });

  it("--dry-run --json streams step.plan events and ends as planned", async () => {
    const fakes = recordingBinDir(["fakegit", "fakehelm"]);
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["run", "deploy", "--dry-run", "--json"], {
      cwd: dir,
      env: { PATH: `${fakes.dir}:${process.env.PATH}` },
    });
    const events = result.stdout
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as { type: string; step?: string; plan?: { argv?: string[] }; status?: string },
      );
    const upgrade = events.find((event) => event.type === "step.plan" && event.step === "upgrade");
    expect(upgrade?.plan?.argv).toEqual(["fakehelm", "upgrade", "api", "--set", "commit="]);
    expect(events.at(-1)).toMatchObject({ type: "run.end", status: "planned", exitCode: 0 });
    expect(readFileSync(fakes.log, "utf8")).not.toContain("fakehelm");
  });

  it("takes vars from a vars file, overridden by --var", async () => {
    const fakes = recordingBinDir(["fakegit", "fakehelm"]);
    const env = { PATH: `${fakes.dir}:${process.env.PATH}` };
    const dir = tempProject({ "relctl.yaml": playbook, "vars.yaml": "env: production\n" });
    const fromFile = await relctl(["plan", "--vars-file", "vars.yaml"], { cwd: dir, env });
    expect(fromFile.stdout).toContain("$ fakehelm upgrade api-prod");
    expect(fromFile.stdout).not.toMatch(/prod-only.*skipped/);
    const overridden = await relctl(["plan", "--vars-file", "vars.yaml", "--var", "env=staging"], {
      cwd: dir,
      env,
    });
    expect(overridden.stdout).toMatch(/prod-only.*skipped: condition false/);
  });

  it("keeps planning after a read-only step fails, and reports the problem with exit 1", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["plan"], { cwd: dir, env: { PATH: `/nonexistent:${process.env.PATH}` } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/commit .*failed during plan/);
    expect(result.stdout).toContain("$ fakehelm upgrade api --set commit=⟨steps.commit.outputs.stdout⟩");
    expect(result.stdout).toContain("problem: step commit: fakegit: command not found");
    expect(result.stdout).toContain("Nothing was changed.");
  });

  it("refuses an undeclared --var and suggests the closest var", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["plan", "--var", "evn=production"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('the playbook has no var "evn"');
    expect(result.stderr).toContain("did you mean env?");
  });
});

describe("user executors", () => {
  it("load from a module path in the playbook, with with: checked against their own schema", async () => {
    const api = pathToFileURL(join(repoRoot, "dist", "index.js")).href;
    const module = `import { z, defineAction, StepFailure } from "${api}";
import { appendFileSync } from "node:fs";
export default {
  name: "ticket",
  description: "opens tickets",
  actions: {
    open: defineAction({
      description: "open a ticket",
      input: z.strictObject({ title: z.string(), priority: z.enum(["p1", "p2"]) }),
      outputs: { id: "ticket id" },
      mutates: true,
      plan: (input) => ({ summary: "open ticket " + input.title, request: { method: "POST", url: "https://tickets.test/api" } }),
      async run(ctx, input) {
        if (input.title === "fail") throw new StepFailure("tracker said no", { hint: "try later" });
        appendFileSync(ctx.cwd + "/tickets.log", input.priority + " " + input.title + "\\n");
        return { id: "T-1" };
      },
    }),
  },
};
`;
    const yaml = (priority: string) => `apiVersion: relctl/v1
name: custom
executors:
  ticket: ./tools/ticket.mjs
stages:
  freeze:
    steps:
      - { id: open, uses: ticket.open, with: { title: Release 1.2, priority: ${priority} } }
      - { id: echo, uses: exec.run, with: { argv: [sh, -c, 'echo "$1" > id.txt', sh, "\${{ steps.open.outputs.id }}"] } }
`;
    const dir = tempProject({ "relctl.yaml": yaml("p1"), "tools/ticket.mjs": module });
    const planned = await relctl(["plan"], { cwd: dir });
    expect(planned.stdout).toContain("POST https://tickets.test/api");
    const ran = await relctl(["freeze", "--yes"], { cwd: dir });
    expect(ran.exitCode).toBe(0);
    expect(readFileSync(join(dir, "tickets.log"), "utf8")).toBe("p1 Release 1.2\n");
    expect(readFileSync(join(dir, "id.txt"), "utf8")).toBe("T-1\n");

    const invalid = tempProject({ "relctl.yaml": yaml("urgent"), "tools/ticket.mjs": module });
    const lint = await relctl(["lint"], { cwd: invalid });
    expect(lint.exitCode).toBe(2);
    expect(lint.stderr).toMatch(/relctl\.yaml:8:\d+ .*ticket\.open: must be "p1" or "p2"/);
    expect(existsSync(join(invalid, "tickets.log"))).toBe(false);
  });

  const oneStep = `apiVersion: relctl/v1
name: custom
executors:
  ticket: ./tools/ticket.mjs
stages:
  freeze:
    steps:
      - { id: open, uses: ticket.open, with: { title: x } }
`;

  it("an action whose plan() throws is a problem in the plan, not a blank plan", async () => {
    const api = pathToFileURL(join(repoRoot, "dist", "index.js")).href;
    const module = `import { z, defineAction } from "${api}";
export default {
  name: "ticket",
  description: "opens tickets",
  actions: {
    open: defineAction({
      description: "open a ticket",
      input: z.strictObject({ title: z.string() }),
      outputs: {},
      mutates: true,
      plan: () => { throw new Error("no tracker configured"); },
      async run() { return {}; },
    }),
  },
};
`;
    const dir = tempProject({ "relctl.yaml": oneStep, "tools/ticket.mjs": module });
    const planned = await relctl(["plan"], { cwd: dir });
    expect(planned.exitCode).toBe(1);
    expect(planned.stdout).toMatch(/ticket\.open could not plan this step: no tracker configured/);
    expect(planned.stdout).not.toMatch(/Plan is valid/);
  });

  it.each([
    ["calls process.exit(0) while loading", "process.exit(0);\n"],
    ["never finishes loading (a top-level await that never settles)", "await new Promise(() => {});\n"],
  ])("a user executor module that %s fails the command instead of passing silently", async (_, module) => {
    const dir = tempProject({ "relctl.yaml": oneStep, "tools/ticket.mjs": module });
    const ran = await relctl(["freeze", "--yes"], { cwd: dir });
    expect(ran.exitCode).toBe(1);
    expect(ran.stderr).toMatch(/relctl ended before the command finished/);
  });

  it("a module that is not an executor is a clear validation error", async () => {
    const dir = tempProject({
      "relctl.yaml": `apiVersion: relctl/v1
name: broken
executors:
  ticket: ./tools/ticket.mjs
stages:
  freeze:
    steps:
      - { id: open, uses: ticket.open }
`,
      "tools/ticket.mjs": "export default 42;\n",
    });
    const lint = await relctl(["lint"], { cwd: dir });
    expect(lint.exitCode).toBe(2);
    expect(lint.stderr).toMatch(
      /relctl\.yaml:4:\d+ .*executor ticket .*cannot be loaded: .*does not export an executor/,
    );
  });
});
