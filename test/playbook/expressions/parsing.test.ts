// Parsing expressions: syntax errors at their offset, and the references validation checks.
import { describe, expect, it } from "vitest";
import { evaluateCondition, parseTemplate, referencesIn } from "../../../src/playbook/expr/index.js";
import { expressionError, values } from "./values.js";

describe("syntax errors", () => {
  it.each([
    ["an unclosed ${{", "ab ${{ vars.x", '"${{" is not closed with "}}"', 3],
    ["an unclosed string, which hides the }}", "${{ 'abc }}", '"${{" is not closed with "}}"', 0],
    ["an empty expression", "x${{  }}", "empty expression", 4],
    ["an unknown function", "${{ vars.a }} ${{ toString(1) }}", "unknown function toString()", 18],
    ["an unknown name", "${{ foo }}", 'unknown name "foo"', 4],
    ["a character the language does not have", "${{ vars.a + 1 }}", 'unexpected character "+"', 11],
    ["a token after the expression", "${{ vars.x ) }}", 'unexpected ")"', 11],
    ["a missing property name", "${{ vars..x }}", 'expected a property name after "."', 9],
    ["an unclosed bracket", "${{ vars.list[0 }}", 'expected "]" but found the end of the expression', 16],
    ["an unclosed call", "${{ lower('a' }}", 'expected ")" but found the end of the expression', 14],
    ["a missing operand", "${{ 1 == }}", "expected a value but found the end of the expression", 9],
    ["a hex number, which the language does not have", "${{ 0x10 }}", 'unexpected "x10"', 5],
    ["subtraction, which the language does not have", "${{ 3 - 1 }}", 'unexpected character "-"', 6],
  ])("reports %s at its offset", (_name, template, message, offset) => {
    const error = expressionError(() => parseTemplate(template));
    expect(error.message).toContain(message);
    expect(error.offset).toBe(offset);
  });

  it("reports a syntax error in a condition written without ${{ }}", () => {
    const error = expressionError(() => evaluateCondition("vars.a ==", values));
    expect(error.message).toBe("expected a value but found the end of the expression");
  });
});

describe("references", () => {
  const references = (template: string) =>
    referencesIn(parseTemplate(template)).map(({ root, path, text, offset }) => ({
      root,
      path,
      text,
      offset,
    }));

  it("finds references in every kind of expression with their offsets", () => {
    const template =
      "${{ format('{0}', vars.a, steps.b.outputs.c) == vars.d }} ${{ !env.E && (release.f || secrets.g) }}";
    expect(references(template)).toEqual([
      { root: "vars", path: ["a"], text: "vars.a", offset: 18 },
      { root: "steps", path: ["b", "outputs", "c"], text: "steps.b.outputs.c", offset: 26 },
      { root: "vars", path: ["d"], text: "vars.d", offset: 48 },
      { root: "env", path: ["E"], text: "env.E", offset: 63 },
      { root: "release", path: ["f"], text: "release.f", offset: 73 },
      { root: "secrets", path: ["g"], text: "secrets.g", offset: 86 },
    ]);
  });

  it("treats a literal in brackets as a static property", () => {
    expect(references("${{ vars['a-b'] }} ${{ vars.list[0].x }}")).toEqual([
      { root: "vars", path: ["a-b"], text: "vars.a-b", offset: 4 },
      { root: "vars", path: ["list", "0", "x"], text: "vars.list.0.x", offset: 23 },
    ]);
  });

  it("stops the static path at a computed property and finds the references inside it", () => {
    expect(references("${{ steps[vars.id].outputs.x }}")).toEqual([
      { root: "steps", path: [], text: "steps", offset: 4 },
      { root: "vars", path: ["id"], text: "vars.id", offset: 10 },
    ]);
    expect(references("${{ vars.obj[vars.k].z }}")).toEqual([
      { root: "vars", path: ["obj"], text: "vars.obj", offset: 4 },
      { root: "vars", path: ["k"], text: "vars.k", offset: 13 },
    ]);
  });

  it("finds references on a value that is not a context, like a function result", () => {
    expect(references("${{ fromJSON(vars.json).x[vars.i] }}")).toEqual([
      { root: "vars", path: ["json"], text: "vars.json", offset: 13 },
      { root: "vars", path: ["i"], text: "vars.i", offset: 26 },
    ]);
  });

  it("finds none in literals and plain text", () => {
    expect(references("plain ${{ 'vars.x' }} ${{ 1 == 2 }}")).toEqual([]);
  });

  it("parses a template once and reuses it", () => {
    expect(parseTemplate("${{ vars.cached }}")).toBe(parseTemplate("${{ vars.cached }}"));
  });
});
