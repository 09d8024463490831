// Expressions lint refuses because they could never work, whatever the run: a function called
// with the wrong arguments, a namespace read whole, a property of a var whose default is text,
// an expression nested past the parser's limit. Each at its line and column, with a hint.
import { describe, expect, it } from "vitest";
import { diagnose } from "../../helpers/playbook.js";
import { doc, echo, expectDiagnostics, scopedDoc, step, type Expected } from "./cases.js";

describe("expressions that can never work", () => {
  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "a known function called without its argument, at its name",
      text: scopedDoc(...echo("a", "${{ lower() }}")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:35",
          path: "stages.build.steps[0].with.argv[1]",
          message: "expression: lower() takes 1 argument(s), got 0",
          hint: "call it as lower(text)",
          stepId: "a",
        },
      ],
    },
    {
      name: "a number literal where the function takes text, at the literal",
      text: scopedDoc(...echo("a", "${{ split(5, 1) }}")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:41",
          message: "split() takes text as argument 1, not the number 5",
          hint: "quote it: '5'",
        },
      ],
    },
    {
      name: "a format pattern with too few values, at the pattern",
      text: scopedDoc(...echo("a", '${{ format("{0}{1}", 1) }}')),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:42",
          message: "format(): placeholder {1} has no argument",
          hint: "one value per placeholder",
        },
      ],
    },
    {
      name: "invalid JSON written as a literal, in a condition",
      text: scopedDoc(...step("a", "        if: fromJSON('{bad').x")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:16:22",
          path: "stages.build.steps[0].if",
          message: "fromJSON(): not valid JSON: {bad",
        },
      ],
    },
    {
      name: "the whole vars namespace",
      text: scopedDoc(...echo("a", "${{ vars }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: "vars is read whole; an expression reads one value of it",
          hint: "write vars.<name>",
          stepId: "a",
        },
      ],
    },
    {
      name: "the whole secrets namespace inside a call",
      text: scopedDoc(...echo("a", "${{ toJSON(secrets) }}")),
      expected: [{ code: "bad-reference", at: "relctl.yaml:15:42", message: "secrets is read whole" }],
    },
    {
      name: "a property of a var whose default is text, in a release value",
      text: doc(
        "vars:", // 3
        "  service: api", // 4
        "release:", // 5
        "  image: '${{ vars.service.a.b.c }}'", // 6
        "stages: {}", // 7
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:6:15",
          path: "release.image",
          message:
            'vars.service (its default) is text ("api"), which has only length, so vars.service.a.b.c is always null',
          hint: "read vars.service itself, or make it a map (service: { a: … })",
        },
      ],
    },
    {
      name: "a property of a number's length",
      text: scopedDoc(...echo("a", "${{ vars.service.length.x }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: "vars.service.length (its default) is the number 3, which has no properties",
          hint: "read vars.service.length itself",
        },
      ],
    },
    {
      name: "an expression nested 2,000 levels deep, where the limit is crossed",
      text: scopedDoc(
        "      - id: a", // 13
        "        uses: exec.run", // 14
        "        with:", // 15
        "          argv:", // 16
        "            - echo", // 17
        // A plain scalar: its text starts at column 15, and the 257th "(" is at offset 260.
        `            - \${{ ${"(".repeat(2_000)}1${")".repeat(2_000)} }}`, // 18
      ),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:18:275",
          path: "stages.build.steps[0].with.argv[1]",
          message: "expression: expression nests more than 256 levels deep",
          hint: "split it",
        },
      ],
    },
  ])("reports $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });

  it.each([
    ["the length of a text var", "${{ vars.service.length }}"],
    ["an index of a list var", "${{ vars.list[0].name }}"],
    ["a key a map var does not have (it may be optional)", '${{ default(vars.config.missing, "x") }}'],
    ["a key of a map var", "${{ vars.config.region }}"],
    ["a property of a var computed by an expression", "${{ vars.computed.a }}"],
    ["a property of a var without a default", "${{ vars.given.a }}"],
  ])("accepts %s", async (_name, expression) => {
    const text = doc(
      "vars:",
      "  service: api",
      "  list: [{ name: a }]",
      "  config: { default: { region: eu } }",
      "  computed: '${{ fromJSON(env.CONFIG) }}'",
      "  given: { required: true }",
      "stages:",
      "  build:",
      "    steps:",
      ...echo("a", expression),
    );
    expect(await diagnose(text)).toEqual([]);
  });
});
