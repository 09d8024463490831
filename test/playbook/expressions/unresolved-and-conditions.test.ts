// Unresolved values in a dry-run (outputs of steps that have not run) and conditions.
import { describe, expect, it } from "vitest";
import { evaluateCondition, renderDeep, Unresolved } from "../../../src/playbook/expr/index.js";
import { evaluate, values } from "./values.js";

describe("unresolved values in a dry-run", () => {
  const unresolved = (value: unknown): { refs: string[]; display: string } => {
    expect(value).toBeInstanceOf(Unresolved);
    const { refs, display } = value as Unresolved;
    return { refs, display };
  };

  it.each([
    [
      "a planned step's output",
      "${{ steps.image.outputs.digest }}",
      ["steps.image.outputs.digest"],
      "⟨steps.image.outputs.digest⟩",
    ],
    ["a pending step's status", "${{ steps.test.status }}", ["steps.test.status"], "⟨steps.test.status⟩"],
    [
      "a member of a planned output",
      "${{ steps.image.outputs.meta.tag }}",
      ["steps.image.outputs.meta.tag"],
      "⟨steps.image.outputs.meta.tag⟩",
    ],
    [
      "a planned output inside a string",
      "img@${{ steps.image.outputs.digest }}",
      ["steps.image.outputs.digest"],
      "img@⟨steps.image.outputs.digest⟩",
    ],
    [
      "two planned outputs inside a string",
      "${{ steps.image.outputs.a }}/${{ steps.test.outputs.b }}:${{ vars.n }}",
      ["steps.image.outputs.a", "steps.test.outputs.b"],
      "⟨steps.image.outputs.a⟩/⟨steps.test.outputs.b⟩:2",
    ],
    [
      "a function of a planned output",
      "${{ upper(steps.image.outputs.digest) }}",
      ["steps.image.outputs.digest"],
      "⟨upper(steps.image.outputs.digest)⟩",
    ],
    [
      "a comparison with a planned output",
      "${{ steps.image.outputs.digest == 'x' }}",
      ["steps.image.outputs.digest"],
      "⟨steps.image.outputs.digest == 'x'⟩",
    ],
    [
      "a negated planned output",
      "${{ !steps.test.outputs.ok }}",
      ["steps.test.outputs.ok"],
      "⟨!steps.test.outputs.ok⟩",
    ],
    [
      "|| whose left side is planned",
      "${{ steps.image.outputs.a || 'x' }}",
      ["steps.image.outputs.a"],
      "⟨steps.image.outputs.a || 'x'⟩",
    ],
    [
      "a planned output as a computed key",
      "${{ vars.obj[steps.image.outputs.key] }}",
      ["steps.image.outputs.key"],
      "⟨vars.obj[steps.image.outputs.key]⟩",
    ],
  ])("propagates %s", (_name, template, refs, display) => {
    expect(unresolved(evaluate(template))).toEqual({ refs, display });
  });

  it("does not need the right side of || when the left is known and truthy", () => {
    expect(evaluate("${{ vars.n || steps.image.outputs.a }}")).toBe(2);
  });

  it("shows an Unresolved value as its display text", () => {
    expect(`${evaluate("a-${{ steps.image.outputs.x }}") as Unresolved}`).toBe("a-⟨steps.image.outputs.x⟩");
  });

  it("renders Unresolved values inside nested inputs", () => {
    const rendered = renderDeep({ argv: ["push", "${{ steps.image.outputs.digest }}"] }, values) as {
      argv: unknown[];
    };
    expect(rendered.argv[0]).toBe("push");
    expect(unresolved(rendered.argv[1])).toEqual({
      refs: ["steps.image.outputs.digest"],
      display: "⟨steps.image.outputs.digest⟩",
    });
  });
});

describe("conditions", () => {
  it.each([
    ["without ${{ }}", "vars.n == 2", true],
    ["with ${{ }}", "${{ vars.n == 3 }}", false],
    ["with spaces around ${{ }}", "  ${{ vars.n != 2 }}  ", false],
    ["the text true", "true", true],
    ["the text false", "false", false],
    ["a function", "contains(vars.text, 'World')", true],
    ["a step status", "steps.broken.status == 'failed'", true],
    ["a negation", "!vars.zero", true],
  ])("evaluates a condition %s", (_name, condition, expected) => {
    expect(evaluateCondition(condition, values)).toBe(expected);
  });

  // Truthiness would run a step guarded by the text "false" (a --var into an untyped var).
  it.each([
    ["a non-empty string literal", "'false'", 'the text "false"'],
    ["an empty string", "  ${{ vars.empty }}  ", 'the text ""'],
    ["a list", "vars.list", "a list"],
    ["zero", "vars.zero", "the number 0"],
    ["null", "vars.nothing", "null (no value)"],
    ["a string with an expression and text", "${{ vars.empty }} x", 'the text " x"'],
  ])("refuses a condition that is not true or false: %s", (_name, condition, got) => {
    expect(() => evaluateCondition(condition, values)).toThrow(`if: must be true or false, got ${got}`);
  });

  it("returns Unresolved for a condition on a planned step", () => {
    const result = evaluateCondition("steps.image.outputs.changed == 'true'", values);
    expect(result).toBeInstanceOf(Unresolved);
    expect((result as Unresolved).refs).toEqual(["steps.image.outputs.changed"]);
  });

  it("decides a condition without the planned step when it can", () => {
    expect(evaluateCondition("false && steps.image.outputs.changed", values)).toBe(false);
  });
});
