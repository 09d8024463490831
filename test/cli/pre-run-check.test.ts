// A run whose inputs are already known to be invalid (they read only vars and literals) is
// refused before anything runs: exit 2, every problem with file:line:column, no step started.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { relctl, tempProject } from "../helpers/cli.js";

const playbook = `apiVersion: relctl/v1
name: demo
vars:
  service: "\${{ 'api' }}" # untyped (an expression default): a vars file may give it a map
  hold: 1s
stages:
  build:
    on_failure: rollback
    steps:
      - id: first
        uses: exec.run
        with: { argv: [touch, first.txt] }
      - id: greet
        uses: exec.run
        with:
          argv: [echo, "\${{ vars.service }}"]
  canary:
    on_failure: rollback
    canary:
      weights: [10, 50]
      hold: \${{ vars.hold }}
      steps:
        - id: shift
          uses: exec.run
          with: { argv: [touch, "shift-\${{ canary.weight }}.txt"] }
  rollback:
    steps:
      - id: undo
        uses: exec.run
        with: { argv: [touch, rolled-back.txt] }
`;

describe("the check before a run", () => {
  it("refuses a run with a bad var with exit 2 and runs no step, not even the rollback", async () => {
    const dir = tempProject({ "relctl.yaml": playbook, "vars.yaml": "service: { a: 1 }\n" });
    const result = await relctl(
      ["run", "build", "canary", "--yes", "--vars-file", "vars.yaml", "--var", "hold=5 parsecs"],
      {
        cwd: dir,
      },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "relctl.yaml:16:24 (stages.build.steps[1].with.argv[1]) [step greet]: exec.run: argv[1]: expected a string, a number or a boolean, got a map (from vars.service)",
    );
    expect(result.stderr).toContain(
      'relctl.yaml:21:13 (stages.canary.canary.hold) [step hold-10]: wait.sleep: duration: not a duration: write it like 30s, 5m or 2h, got the text "5 parsecs" (from vars.hold)',
    );
    expect(result.stderr).toContain("relctl.yaml has 2 problems; nothing was run");
    expect(readdirSync(dir).sort()).toEqual(["relctl.yaml", "vars.yaml"]);
    expect(existsSync(join(dir, "first.txt"))).toBe(false);
  });

  it("refuses a dry-run of the same input too", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["canary", "--dry-run", "--var", "hold=5 parsecs"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("[step hold-10]");
    expect(result.stdout).toBe("");
  });

  it("runs when the vars are valid", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["build", "--yes"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(dir, "first.txt"))).toBe(true);
  });
});
