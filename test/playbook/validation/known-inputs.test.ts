// The check before a run: inputs rendered from vars, env and literals are checked against their
// action's schema for the stages that will run, while steps' outputs, secrets and run.* wait
// for the run. Each problem at its place under `with:`, with the step id and a hint.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/playbook/diagnostics.js";
import { checkKnownInputs } from "../../../src/playbook/rules/known-inputs.js";
import { Locator } from "../../../src/playbook/rules/locator.js";
import { describeInputIssues } from "../../../src/playbook/rules/input-issues.js";
import { resolveVars } from "../../../src/playbook/vars.js";
import { load } from "../../helpers/playbook.js";
import { doc, expectDiagnostics, type Expected } from "./cases.js";
import { z } from "zod";

interface Given {
  text: string;
  stages: string[];
  vars?: string[];
  varsFile?: string;
  env?: Record<string, string>;
  skip?: string[];
}

async function check({ text, stages, vars = [], varsFile, env = {}, skip }: Given): Promise<Diagnostic[]> {
  const loaded = await load({ "relctl.yaml": text, ...(varsFile ? { "vars.yaml": varsFile } : {}) });
  expect(loaded.diagnostics).toEqual([]);
  const playbook = loaded.playbook!;
  const resolved = await resolveVars(playbook, {
    overrides: vars,
    env,
    cwd: loaded.dir,
    ...(varsFile ? { varsFile: join(loaded.dir, "vars.yaml") } : {}),
  });
  expect(resolved.diagnostics).toEqual([]);
  return checkKnownInputs(
    {
      playbook,
      stages,
      vars: resolved.values,
      env,
      registry: loaded.registry,
      ...(skip ? { skip: new Set(skip) } : {}),
    },
    new Locator(loaded.sources),
  );
}

/**
 * vars service and hold (lines 3–5), secret token (6–7), then stages from line 8. service is
 * untyped (an expression default), so a vars file may give it any value for an input to refuse.
 */
const playbook = (...stages: string[]): string =>
  doc(
    "vars:", // 3
    "  service: \"${{ 'api' }}\"", // 4
    "  hold: 5m", // 5
    "secrets:", // 6
    "  token: env://TOKEN", // 7
    "stages:", // 8
    ...stages, // 9…
  );

const build = [
  "  build:", // 9
  "    on_failure: rollback", // 10
  "    steps:", // 11
  "      - id: first", // 12
  "        uses: exec.run", // 13
  "        with: { argv: [touch, first.txt] }", // 14
  "      - id: greet", // 15
  "        uses: exec.run", // 16
  "        with:", // 17
  '          argv: [echo, "${{ vars.service }}"]', // 18
];
const rollback = [
  "  rollback:", // 19
  "    steps:", // 20
  "      - id: undo", // 21
  "        uses: exec.run", // 22
  '        with: { argv: [echo, "${{ vars.service }}"] }', // 23
];
const canary = [
  "  canary:", // 9
  "    canary:", // 10
  "      weights: [10, 50, 100]", // 11
  "      hold: ${{ vars.hold }}", // 12
  "      steps:", // 13
  "        - id: shift", // 14
  "          uses: exec.run", // 15
  '          with: { argv: [touch, "shift-${{ canary.weight }}"] }', // 16
];

describe("inputs known before the run", () => {
  it.each<{ name: string; given: Given; expected: Expected[] }>([
    {
      name: "a map from --vars-file where argv takes text, at the item, naming the var",
      given: { text: playbook(...build, ...rollback), stages: ["build"], varsFile: "service: { a: 1 }\n" },
      expected: [
        {
          code: "invalid-input",
          at: "relctl.yaml:18:24",
          path: "stages.build.steps[1].with.argv[1]",
          message:
            "exec.run: argv[1]: expected a string, a number or a boolean, got a map (from vars.service)",
          hint: "give vars.service a value exec.run takes (--var, --vars-file or the var's default)",
          stepId: "greet",
        },
        // The on_failure stage of a requested stage may run too.
        { code: "invalid-input", at: "relctl.yaml:23:30", message: "argv[1]", stepId: "undo" },
      ],
    },
    {
      name: "a canary hold that is not a duration, once at hold: for every weight",
      given: { text: playbook(...canary), stages: ["canary"], vars: ["hold=5 parsecs"] },
      expected: [
        {
          code: "invalid-input",
          at: "relctl.yaml:12:13",
          path: "stages.canary.canary.hold",
          message:
            'wait.sleep: duration: not a duration: write it like 30s, 5m or 2h, got the text "5 parsecs" (from vars.hold)',
          hint: "give vars.hold a value wait.sleep takes",
          stepId: "hold-10",
        },
      ],
    },
    {
      name: "an expression that fails on the value of a var, at the expression",
      given: {
        text: playbook(
          "  build:", // 9
          "    steps:", // 10
          "      - id: a", // 11
          "        uses: exec.run", // 12
          '        with: { argv: [echo, "${{ fromJSON(vars.service).x }}"] }', // 13
        ),
        stages: ["build"],
      },
      expected: [
        {
          code: "expression-value",
          at: "relctl.yaml:13:35",
          message: "expression: fromJSON(): not valid JSON: api",
          stepId: "a",
        },
      ],
    },
    {
      name: "a property of a var the vars file made text, at the reference",
      given: {
        text: doc(
          "vars:", // 3
          '  config: { description: "untyped, so a vars file may make it text" }', // 4
          "stages:", // 5
          "  build:", // 6
          "    steps:", // 7
          "      - id: a", // 8
          "        uses: exec.run", // 9
          '        with: { argv: [echo, "region=${{ vars.config.region }}"] }', // 10
        ),
        stages: ["build"],
        varsFile: "config: eu-west-1\n",
      },
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:10:42",
          message:
            'vars.config is text ("eu-west-1"), which has only length, so vars.config.region is always null',
          stepId: "a",
        },
      ],
    },
    {
      name: "a known field beside values that wait for the run",
      given: {
        text: playbook(
          "  build:", // 9
          "    steps:", // 10
          "      - id: a", // 11
          "        uses: exec.run", // 12
          "        with:", // 13
          '          argv: ["${{ steps.a0.outputs.stdout }}", "${{ secrets.token }}"]', // 14
          '          env: { SERVICE: "${{ vars.service }}" }', // 15
          "    ", // 16
        ).replace(
          "      - id: a\n",
          "      - { id: a0, uses: exec.run, with: { argv: [date] } }\n      - id: a\n",
        ),
        stages: ["build"],
        varsFile: "service: [a, b]\n",
      },
      expected: [
        {
          code: "invalid-input",
          at: "relctl.yaml:16:27",
          path: "stages.build.steps[1].with.env.SERVICE",
          message:
            "exec.run: env.SERVICE: expected a string, a number or a boolean, got a list (from vars.service)",
        },
      ],
    },
  ])("refuses $name", async ({ given, expected }) => {
    expectDiagnostics(await check(given), expected);
  });

  it.each<{ name: string; given: Given }>([
    { name: "valid inputs", given: { text: playbook(...build, ...rollback), stages: ["build"] } },
    {
      name: "a stage that is not part of the run",
      given: {
        text: playbook(...build, ...rollback, ...canary.slice(0)),
        stages: ["build"],
        vars: ["hold=soon"],
      },
    },
    {
      name: "a step whose condition is already false",
      given: {
        text: playbook(
          "  build:",
          "    steps:",
          "      - id: a",
          "        uses: exec.run",
          "        if: vars.service == 'web'",
          '        with: { argv: [echo, "${{ vars.service }}"] }',
        ),
        stages: ["build"],
        varsFile: "service: { a: 1 }\n",
      },
    },
    {
      name: "steps' outputs, secrets and run fields, which wait for the run",
      given: {
        text: playbook(
          "  build:",
          "    steps:",
          "      - { id: a, uses: exec.run, outputs: [n], with: { argv: [date] } }",
          "      - id: b",
          "        uses: exec.run",
          "        with:",
          '          argv: ["${{ steps.a.outputs.n }}", "${{ secrets.token }}", "${{ run.failed_step }}"]',
          '          ok_exit_codes: "${{ fromJSON(steps.a.outputs.n) }}"',
          "          stdin: \"${{ format('{0}', steps.a.outputs.n) }}\"",
        ),
        stages: ["build"],
      },
    },
    {
      name: "a rule across fields while one of them waits for the run",
      given: {
        text: playbook(
          "  build:",
          "    steps:",
          "      - { id: a, uses: exec.run, outputs: [script], with: { argv: [date] } }",
          "      - id: b",
          "        uses: exec.run",
          '        with: { shell: true, command: "${{ steps.a.outputs.script }}" }',
        ),
        stages: ["build"],
      },
    },
    {
      name: "a step a resumed run completed earlier",
      given: {
        text: playbook(
          ...build,
          ...rollback.slice(0, 2),
          "      - { id: undo, uses: exec.run, with: { argv: [true] } }",
        ),
        stages: ["build"],
        varsFile: "service: { a: 1 }\n",
        skip: ["greet"],
      },
    },
    {
      name: "a canary hold that is a duration",
      given: { text: playbook(...canary), stages: ["canary"], vars: ["hold=90s"] },
    },
  ])("accepts $name", async ({ given }) => {
    expect(await check(given)).toEqual([]);
  });
});

describe("a rendered input's problem in words", () => {
  it("names the field, what was expected, what it got and where the value came from", () => {
    const schema = z.strictObject({ argv: z.array(z.string()), retries: z.number().optional() });
    const raw = { argv: ["echo", "${{ vars.service }}"], retries: "${{ env.RETRIES }}" };
    const rendered = { argv: ["echo", { a: 1 }], retries: "three" };
    const parsed = schema.safeParse(rendered);
    expect(parsed.success).toBe(false);
    expect(describeInputIssues(parsed.error!.issues, rendered, raw).map((issue) => issue.message)).toEqual([
      "argv[1]: expected a string, got a map (from vars.service)",
      'retries: expected a number, got the text "three" (from env.RETRIES)',
    ]);
  });

  it("never shows a long text cut short, so a secret in it cannot leak in part", () => {
    const secret = "s".repeat(80);
    const parsed = z.object({ n: z.number() }).safeParse({ n: secret });
    const [issue] = describeInputIssues(parsed.error!.issues, { n: secret }, { n: "${{ secrets.token }}" });
    expect(issue!.message).toBe("n: expected a number, got a text of 80 characters (from secrets.token)");
  });
});
