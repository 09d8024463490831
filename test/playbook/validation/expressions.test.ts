// Expression rules: syntax errors and references to unknown or unreadable values, reported at the
// line and column of the problem inside the YAML value.
import { describe, it } from "vitest";
import { diagnose } from "../../helpers/playbook.js";
import { doc, echo, expectDiagnostics, scopedDoc, step, type Expected } from "./cases.js";

describe("expression rules", () => {
  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "an unclosed ${{ at the ${{",
      text: scopedDoc(...echo("a", "v${{ vars.service")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:32",
          path: "stages.build.steps[0].with.argv[1]",
          message: 'expression: "${{" is not closed with "}}"',
          hint: "expressions look like ${{ vars.name }}",
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown function at its name",
      text: scopedDoc(...echo("a", "${{ upcase(vars.service) }}")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:35",
          message: "expression: unknown function upcase()",
          stepId: "a",
        },
      ],
    },
    {
      name: "a character the language does not have, at the character",
      text: scopedDoc(...echo("a", "${{ vars.ab + 1 }}")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:43",
          message: 'expression: unexpected character "+"',
          stepId: "a",
        },
      ],
    },
    {
      name: "a syntax error in a condition written without ${{ }}, at its own column",
      text: scopedDoc(...step("a", "        if: vars.ab == 1 &&")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:16:28",
          path: "stages.build.steps[0].if",
          message: "expected a value but found the end of the expression",
          stepId: "a",
        },
      ],
    },
    {
      name: "a syntax error in a step name",
      text: scopedDoc(...step("a", "        name: 'Build ${{ vars. }}'")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:16:32",
          path: "stages.build.steps[0].name",
          message: 'expected a property name after "."',
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown var, with a suggestion",
      text: scopedDoc(...echo("a", "${{ vars.servce }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          path: "stages.build.steps[0].with.argv[1]",
          message: 'unknown var "servce" in vars.servce',
          hint: "did you mean vars.service?",
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown var after a known one that starts the same, at the unknown one",
      text: scopedDoc(...echo("a", "${{ vars.ab }}-${{ vars.a }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:50",
          message: 'unknown var "a"',
          hint: "did you mean vars.ab?",
        },
      ],
    },
    {
      name: "an unknown var in a condition without ${{ }}, at its own column",
      text: scopedDoc(...step("a", "        if: vars.ab == 1 && vars.a")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:16:29",
          path: "stages.build.steps[0].if",
          message: 'unknown var "a"',
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown var in a quoted condition with spaces before ${{",
      text: scopedDoc(...step("a", '        if: "  ${{ vars.nope }}"')),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:16:20", message: 'unknown var "nope"', stepId: "a" },
      ],
    },
    {
      name: "an unknown var read with brackets in a double-quoted string",
      text: scopedDoc(
        "      - id: a",
        "        uses: exec.run",
        `        with: { argv: [echo, "\${{ vars['nope'] }}"] }`,
      ),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:15:35", message: 'unknown var "nope" in vars.nope' },
      ],
    },
    {
      name: "a syntax error in a release value, without a step",
      text: doc("release:", "  tag: 'v${{ vars.version ]}}'", "stages: {}"),
      expected: [
        { code: "expression-syntax", at: "relctl.yaml:4:27", path: "release.tag", message: 'unexpected "]"' },
      ],
    },
    {
      name: "an unknown var in a condition with ${{ }}",
      text: scopedDoc(...step("a", "        if: ${{ vars.nope }}")),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:16:17", message: 'unknown var "nope"', stepId: "a" },
      ],
    },
    {
      name: "an unknown var without a close match",
      text: scopedDoc(...echo("a", "${{ vars.zzzzzz }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: 'unknown var "zzzzzz"',
          hint: "declare it under vars:",
        },
      ],
    },
    {
      name: "an unknown secret, with a suggestion",
      text: scopedDoc(...echo("a", "${{ secrets.tokn }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: 'unknown secret "tokn"',
          hint: "did you mean secrets.token?",
        },
      ],
    },
    {
      name: "an unknown release key, with a suggestion",
      text: scopedDoc(...echo("a", "${{ release.versoin }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: 'unknown release value "versoin"',
          hint: "did you mean release.version?",
        },
      ],
    },
    {
      name: "an unknown step, with a suggestion",
      text: scopedDoc(...step("image"), ...echo("push", "${{ steps.imag.outputs.stdout }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'unknown step "imag" in steps.imag.outputs.stdout',
          hint: "did you mean steps.image?",
          stepId: "push",
        },
      ],
    },
    {
      name: "an unknown output of a step with declared outputs, with a suggestion",
      text: scopedDoc(
        ...step("image", "        outputs: [digest]"),
        ...echo("push", "${{ steps.image.outputs.digets }}"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:19:35",
          message: 'step image (exec.run) has no output "digets"',
          hint: "did you mean steps.image.outputs.digest?",
          stepId: "push",
        },
      ],
    },
    {
      name: "an output an exec step does not declare, telling how to declare it",
      text: scopedDoc(...step("image"), ...echo("push", "${{ steps.image.outputs.digest }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'step image (exec.run) has no output "digest"',
          hint: "declare it on step image: outputs: [digest]",
        },
      ],
    },
    {
      name: "an output of an action that has none",
      text: scopedDoc(
        "      - id: hold",
        "        uses: wait.sleep",
        "        with: { duration: 1s }",
        ...echo("b", "${{ steps.hold.outputs.done }}"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'has no output "done"',
          hint: "its outputs: none",
        },
      ],
    },
    {
      name: "a step property other than outputs and status",
      text: scopedDoc(...step("a"), ...echo("b", "${{ steps.a.result }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'steps.a.result: a step has outputs and status, not "result"',
          hint: "write steps.a.outputs.<name>",
        },
      ],
    },
    {
      name: "a step reading a later step",
      text: scopedDoc(...echo("a", "${{ steps.b.outputs.stdout }}"), ...step("b")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: "steps.b.outputs.stdout: step b runs after a",
          hint: "move b before a",
          stepId: "a",
        },
      ],
    },
    {
      name: "a step reading its own outputs",
      text: scopedDoc(...echo("a", "${{ steps.a.outputs.stdout }}")),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:15:35", message: "step a cannot read its own outputs" },
      ],
    },
    {
      name: "a step reading a parallel sibling it does not need",
      text: scopedDoc(
        ...step("a"),
        ...step("b", "        needs: []"),
        ...echo("c", "${{ steps.b.outputs.stdout }}", "        needs: [a]"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:22:35",
          message: "step b may still be running when c starts",
          hint: "add b to the needs of c",
          stepId: "c",
        },
      ],
    },
    {
      name: "a step reading a step of a stage its stage does not need",
      text: scopedDoc(...step("a"), "  sign:", "    steps:", ...echo("s", "${{ steps.a.outputs.stdout }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:20:35",
          message: "step a is in stage build, which stage sign does not need",
          hint: "add needs: [build] to stage sign",
          stepId: "s",
        },
      ],
    },
    {
      name: "a step of a stage reading a stage that only its own on_failure stage follows",
      text: scopedDoc(
        ...step("a"),
        "  sign:",
        "    on_failure: rollback",
        "    steps:",
        ...step("s"),
        "  rollback:",
        "    steps:",
        ...echo("r", "${{ steps.a.status }}"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:26:35",
          message: "step a is in stage build, which stage rollback does not need",
        },
      ],
    },
  ])("reports $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });

  it("points into block scalars, escaped strings and multi-line conditions", async () => {
    const text = doc(
      "vars: { a: 1 }", // 3
      "stages:", // 4
      "  build:", // 5
      "    steps:", // 6
      "      - id: a", // 7
      "        uses: exec.run", // 8
      "        with:", // 9
      "          argv: [cat]", // 10
      "          stdin: |", // 11
      "            one ${{ vars.a }}", // 12
      "            two ${{ vars.zz }}", // 13
      "      - id: b", // 14
      "        uses: exec.run", // 15
      '        with: { argv: ["\\t${{ vars.a }}\\t${{ vars.qq }}"] }', // 16
      "        if: |-", // 17
      "          vars.a == 1 &&", // 18
      "            vars.yy", // 19
    );
    expectDiagnostics(await diagnose(text), [
      {
        code: "bad-reference",
        at: "relctl.yaml:13:21",
        path: "stages.build.steps[0].with.stdin",
        message: '"zz"',
      },
      {
        code: "bad-reference",
        at: "relctl.yaml:16:46",
        path: "stages.build.steps[1].with.argv[0]",
        message: '"qq"',
      },
      { code: "bad-reference", at: "relctl.yaml:19:13", path: "stages.build.steps[1].if", message: '"yy"' },
    ]);
  });
});
