// What a playbook's YAML may hold, through the built binary and down both parser paths (the fast
// one, and the position-keeping one a file with an alias takes): nesting past the limit is
// refused saying so and naming the limit (not "Maximum call stack size exceeded" with an
// indentation hint), and a tag outside YAML's core schema is refused at its place.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { relctl, tempProject } from "../helpers/cli.js";

const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;

/** A playbook whose var `deep` has `value` as its default; with an alias, the careful parser reads it. */
function playbookWith(value: string, alias: boolean): string {
  return [
    "apiVersion: relctl/v1",
    "name: deep",
    "vars:",
    `  deep: { default: ${value} }`,
    ...(alias ? ["  other: &shared 1", "  again: *shared"] : []),
    "stages: {}",
    "",
  ].join("\n");
}

function nestedMaps(depth: number): string {
  const lines = ["apiVersion: relctl/v1", "name: deep", "x-deep:"];
  for (let level = 1; level <= depth; level++) lines.push(`${"  ".repeat(level)}k:`);
  lines.push(`${"  ".repeat(depth + 1)}k: 1`, "stages: {}", "");
  return lines.join("\n");
}

async function lint(content: string) {
  const dir = tempProject();
  writeFileSync(join(dir, "relctl.yaml"), content);
  return relctl(["lint"], { cwd: dir, timeoutMs: 30_000 });
}

describe("deep nesting", () => {
  it.each([
    ["10,000 nested lists", "[".repeat(10_000) + "]".repeat(10_000)],
    ["5,000 nested maps", "{a: ".repeat(5_000) + "1" + "}".repeat(5_000)],
  ])("%s: says the document nests deeper than the limit, on both parser paths", async (_name, value) => {
    for (const alias of [false, true]) {
      const result = await lint(playbookWith(value, alias));
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        /^✗ relctl\.yaml:4:\d+: relctl\.yaml nests deeper than 100 levels of lists and maps/m,
      );
      expect(result.stderr).not.toContain("Maximum call stack");
      expect(result.stderr).not.toContain("indentation");
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });

  // Block maps indent at every level, so a file under the 2 MiB limit holds about 1,400 of them.
  it("1,000 nested block maps: the same message", async () => {
    for (const content of [
      nestedMaps(1_000),
      nestedMaps(1_000).replace("name: deep", "name: &n deep\nalias: *n"),
    ]) {
      const result = await lint(content);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("nests deeper than 100 levels of lists and maps, relctl's limit");
      expect(result.stderr).not.toContain("Maximum call stack");
    }
  });

  it("takes 100 levels and refuses 101 the same way on both paths", async () => {
    // The var's default list sits at level 4: 96 brackets put its innermost value at level 100.
    for (const alias of [false, true]) {
      const fits = await lint(playbookWith(`${"[".repeat(96)}x${"]".repeat(96)}`, alias));
      expect(fits.stderr).toBe("");
      expect(fits.exitCode).toBe(0);
      const over = await lint(playbookWith(`${"[".repeat(97)}x${"]".repeat(97)}`, alias));
      expect(over.exitCode).toBe(2);
      expect(over.stderr).toContain("relctl.yaml:4:117: relctl.yaml nests deeper than 100 levels");
    }
  });
});

describe("YAML tags", () => {
  it.each([
    ["!pwn", "!pwn x", "relctl.yaml:4:20: unknown YAML tag !pwn"],
    [
      "!!js/function",
      "!!js/function 'function () { return 1 }'",
      "relctl.yaml:4:20: unknown YAML tag !!js/function",
    ],
    ["!!binary", "!!binary aGk=", "relctl.yaml:4:20: unknown YAML tag !!binary"],
  ])("%s is refused at its place, on both parser paths", async (_name, value, message) => {
    for (const alias of [false, true]) {
      const result = await lint(playbookWith(value, alias));
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it("the core schema's tags are data as before", async () => {
    const result = await lint(playbookWith("!!str 1", false));
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("a vars file is held to the same rules", async () => {
    const dir = tempProject({ "relctl.yaml": playbookWith("x", false), "vars.yaml": "deep: !pwn x\n" });
    const result = await relctl(["lint", "--vars-file", "vars.yaml"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("vars.yaml:1:7: unknown YAML tag !pwn");
  });
});

describe("an expression inside a shell script", () => {
  const playbook = `apiVersion: relctl/v1
name: demo
vars:
  dir: build output
stages:
  build:
    steps:
      - id: clean
        uses: exec.run
        with: { argv: [sh, -c, "rm -rf \${{ vars.dir }}"] }
      - id: script
        uses: exec.run
        with:
          shell: true
          command: echo \${{ vars.dir }}
      - id: safe
        uses: exec.run
        with:
          argv: [sh, -c, 'rm -rf "$DIR" "$1"', sh, "\${{ vars.dir }}"]
          env: { DIR: "\${{ vars.dir }}" }
`;

  it("is a lint warning at its place with the safe form; the safe form is not warned about", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      "warning relctl.yaml:10:40 (stages.build.steps[0].with.argv[2]) [step clean]: ${{ vars.dir }} is pasted into a shell script (sh -c) unquoted",
    );
    expect(result.stderr).toContain(
      'pass it through env: (env: { DIR: "${{ vars.dir }}" }) and write "$DIR" in the script',
    );
    expect(result.stderr).toContain(
      "warning relctl.yaml:15:25 (stages.build.steps[1].with.command) [step script]: ${{ vars.dir }} is pasted into a shell script (shell: true) unquoted",
    );
    expect(result.stderr).not.toContain("[step safe]");
    const json = await relctl(["lint", "--json"], { cwd: dir });
    const verdict = JSON.parse(json.stdout) as { warnings: { code: string; stepId: string }[] };
    expect(verdict.warnings.map((warning) => [warning.code, warning.stepId])).toEqual([
      ["shell-expression", "clean"],
      ["shell-expression", "script"],
    ]);
  });
});
