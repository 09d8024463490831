import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { relctl, tempProject } from "../helpers/cli.js";

const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;

const aliasBomb = [
  "apiVersion: relctl/v1",
  "name: bomb",
  'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]",
  "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]",
  "stages: {}",
].join("\n");

const cases: { name: string; content: string | Buffer; expected: RegExp }[] = [
  {
    name: "malformed YAML",
    content: "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps: [\n",
    expected: /relctl\.yaml:\d+:\d+/,
  },
  {
    name: "a wrong type",
    content: "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps: 5\n",
    expected: /relctl\.yaml:5:12/,
  },
  {
    name: "an unknown key",
    content:
      "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps:\n      - id: a\n        uses: exec.run\n        with: { argv: [true] }\n        contine_on_error: true\n",
    expected: /relctl\.yaml:9:9.*\n?.*continue_on_error/,
  },
  {
    name: "duplicate step ids",
    content:
      "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps:\n      - id: a\n        uses: exec.run\n        with: { argv: [true] }\n      - id: a\n        uses: exec.run\n        with: { argv: [true] }\n",
    expected: /relctl\.yaml:9:\d+.*a/,
  },
  {
    name: "a needs cycle",
    content:
      "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps:\n      - id: a\n        uses: exec.run\n        needs: [b]\n        with: { argv: [true] }\n      - id: b\n        uses: exec.run\n        needs: [a]\n        with: { argv: [true] }\n",
    expected: /cycle/,
  },
  {
    name: "an expression naming a later step",
    content:
      "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps:\n      - id: a\n        uses: exec.run\n        with: { argv: [echo, '${{ steps.b.outputs.stdout }}'] }\n      - id: b\n        uses: exec.run\n        with: { argv: [true] }\n",
    expected: /relctl\.yaml:8:\d+.*\bb\b.*after/,
  },
  { name: "a YAML alias bomb", content: aliasBomb, expected: /alias/i },
  {
    name: "binary garbage",
    content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe]),
    expected: /text/,
  },
  { name: "a 10 MB file", content: `# ${"x".repeat(10 * 1024 * 1024)}\n`, expected: /MiB/ },
];

describe("bad input", () => {
  it.each(cases)(
    "$name gives a clear message and exit 2, without a stack trace",
    async ({ content, expected }) => {
      const dir = tempProject();
      writeFileSync(join(dir, "relctl.yaml"), content);
      const result = await relctl(["lint"], { cwd: dir, timeoutMs: 15_000 });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stdout).toBe("");
    },
  );

  it("reports every problem in a playbook at once", async () => {
    const dir = tempProject({
      "relctl.yaml":
        "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps:\n      - id: a\n        uses: exec.nope\n      - id: b\n        uses: exec.run\n        with: { argv: ['${{ vars.missing }}'] }\n",
    });
    const result = await relctl(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/relctl\.yaml:7:\d+/);
    expect(result.stderr).toMatch(/relctl\.yaml:10:\d+/);
    expect(result.stderr).toContain("2 problems");
  });

  it("every other command refuses to start on an invalid playbook", async () => {
    const dir = tempProject({ "relctl.yaml": "apiVersion: relctl/v1\nname: x\nstages: []\n" });
    for (const command of [["plan"], ["build", "--yes"], ["run", "build", "--yes"]]) {
      const result = await relctl(command, { cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/relctl\.yaml:3:\d+/);
    }
  });

  it("shows the stack trace only with -v", async () => {
    const dir = tempProject({ "relctl.yaml": "apiVersion: relctl/v1\nname: x\nstages: []\n" });
    const verbose = await relctl(["lint", "-v"], { cwd: dir });
    expect(verbose.exitCode).toBe(2);
    expect(verbose.stderr).toMatch(STACK_FRAME);
  });
});
