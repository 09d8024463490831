// What parsing refuses before anything is evaluated: calls that could never succeed (wrong number
// of arguments, a literal of the wrong kind, a literal pattern or JSON that is wrong) and
// expressions nested so deeply that evaluating them would run out of stack.
import { describe, expect, it } from "vitest";
import {
  evaluateTemplate,
  FUNCTIONS,
  MAX_DEPTH,
  parseTemplate,
  referencesIn,
} from "../../../src/playbook/expr/index.js";
import { evaluate, expressionError, values } from "./values.js";

describe("calls checked when parsed", () => {
  it.each([
    ["a call without its argument", "${{ lower() }}", "lower() takes 1 argument(s), got 0", 4, "lower(text)"],
    [
      "a call with one argument too many",
      "x ${{ trim('a', 'b') }}",
      "trim() takes 1 argument(s), got 2",
      6,
      "trim(text)",
    ],
    [
      "a call outside a range",
      "${{ join() }}",
      "join() takes 1 to 2 argument(s), got 0",
      4,
      "join(list, separator)",
    ],
    [
      "a number where text is declared",
      "${{ split(5, ',') }}",
      "split() takes text as argument 1, not the number 5",
      10,
      "quote it: '5'",
    ],
    [
      "a second literal of the wrong kind",
      "${{ split('a,b', 1) }}",
      "split() takes text as argument 2, not the number 1",
      17,
      "split(text, separator)",
    ],
    [
      "null where text is declared",
      "${{ lower(null) }}",
      "lower() takes text as argument 1, not null",
      10,
      "lower(text)",
    ],
    [
      "a boolean separator",
      "${{ join(vars.list, true) }}",
      "join() takes text as argument 2, not the value true",
      20,
      "'true'",
    ],
    [
      "a format pattern with more placeholders than values",
      "${{ format('{0}{1}', 1) }}",
      "format(): placeholder {1} has no argument",
      11,
      "one value per placeholder",
    ],
    [
      "invalid JSON written as a literal",
      "${{ fromJSON('{bad') }}",
      "fromJSON(): not valid JSON: {bad",
      13,
      "valid JSON",
    ],
    [
      "a wrong call inside a condition's operand",
      "${{ vars.a == upper() }}",
      "upper() takes 1 argument(s), got 0",
      14,
      "upper(text)",
    ],
  ])("refuses %s, at its offset, with a hint", (_name, template, message, offset, hint) => {
    const error = expressionError(() => parseTemplate(template));
    expect(error.message).toBe(message);
    expect(error.offset).toBe(offset);
    expect(error.hint).toContain(hint);
  });

  it.each([
    ["arguments computed at run time", "${{ split(vars.n, ',') }}"],
    ["JSON read from a var", "${{ fromJSON(vars.json) }}"],
    ["a pattern read from a var", "${{ format(vars.text, 1) }}"],
    ["a literal where any value is taken", "${{ contains(vars.list, 1) }}"],
    ["a format pattern whose placeholders all have values", "${{ format('{1}-{0}', 'a', 'b') }}"],
    ["valid JSON written as a literal", "${{ fromJSON('[1, 2]') }}"],
    ["date without a format", "${{ date() }}"],
  ])("accepts %s", (_name, template) => {
    expect(() => parseTemplate(template)).not.toThrow();
  });

  it("declares how each function is called, for every function in the table", () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      expect(spec.usage.startsWith(`${name}(`), name).toBe(true);
      expect(spec.params.length, name).toBeGreaterThan(0);
      expect(spec.minArgs, name).toBeLessThanOrEqual(spec.maxArgs);
    }
  });
});

describe("nesting depth", () => {
  const deep = (count: number) => `\${{ ${"(".repeat(count)}1${")".repeat(count)} }}`;

  it.each([
    ["2,000 parentheses", deep(2_000), 4 + MAX_DEPTH],
    ["20,000 negations", `\${{ ${"!".repeat(20_000)}true }}`, 4 + MAX_DEPTH],
    ["a chain of 300 ||", `\${{ ${Array.from({ length: 300 }, () => "vars.n").join(" || ")} }}`, undefined],
    ["a chain of 300 properties", `\${{ vars${".a".repeat(300)} }}`, undefined],
    ["300 nested calls", `\${{ ${"lower(".repeat(300)}'A'${")".repeat(300)} }}`, undefined],
    ["300 nested brackets", `\${{ vars.obj${"[vars.key".repeat(300)}${"]".repeat(300)} }}`, undefined],
  ])("refuses %s with a clear error, not a stack overflow", (_name, template, offset) => {
    const error = expressionError(() => parseTemplate(template));
    expect(error.message).toBe(`expression nests more than ${MAX_DEPTH} levels deep`);
    if (offset !== undefined) expect(error.offset).toBe(offset);
    expect(error.hint).toBeDefined();
  });

  it("parses and evaluates nesting up to the limit", () => {
    expect(evaluate(deep(MAX_DEPTH))).toBe(1);
    expect(evaluate(`\${{ ${"!".repeat(MAX_DEPTH)}true }}`)).toBe(true);
    expect(evaluateTemplate(`\${{ ${"lower(".repeat(100)}'A'${")".repeat(100)} }}`, values)).toBe("a");
  });
});

describe("references to a whole namespace", () => {
  it("marks a root read on its own, and only that", () => {
    const found = referencesIn(
      parseTemplate("${{ vars }} ${{ vars.a }} ${{ steps[vars.id] }} ${{ toJSON(env) }}"),
    );
    expect(found.map(({ text, whole }) => ({ text, whole }))).toEqual([
      { text: "vars", whole: true },
      { text: "vars.a", whole: undefined },
      { text: "steps", whole: undefined },
      { text: "vars.id", whole: undefined },
      { text: "env", whole: true },
    ]);
  });
});
