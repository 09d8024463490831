// Evaluating `${{ … }}` expressions: literals, operators and reading values from the scope.
import { describe, expect, it } from "vitest";
import { evaluateTemplate, Unresolved } from "../../../src/playbook/expr/index.js";
import { scope } from "../../helpers/playbook.js";
import { evaluate, expressionError } from "./values.js";

describe("literals", () => {
  it.each([
    ["${{ 'text' }}", "text"],
    ['${{ "text" }}', "text"],
    ["${{ 'it''s' }}", "it's"],
    ['${{ "say \\"hi\\"\\n" }}', 'say "hi"\n'],
    ["${{ '}}' }}", "}}"],
    ["${{ 42 }}", 42],
    ["${{ -1.5 }}", -1.5],
    ["${{ 1e3 }}", 1000],
    ["${{ true }}", true],
    ["${{ false }}", false],
    ["${{ null }}", null],
  ])("evaluates %s to %j", (template, expected) => {
    expect(evaluate(template)).toEqual(expected);
  });
});

describe("operators", () => {
  it.each([
    ["a number equals its numeric string", "${{ vars.n == '2' }}", true],
    ["a numeric string equals its number", "${{ vars.two == 2 }}", true],
    ["a numeric string equals a number written differently", "${{ '2.0' == 2 }}", true],
    ["two numeric strings compare as text", "${{ '2.0' == '2' }}", false],
    ["an empty string is not zero", "${{ vars.empty == 0 }}", false],
    ["null is not zero", "${{ null == 0 }}", false],
    ["null is not ''", "${{ null == '' }}", false],
    ["a missing var is null", "${{ vars.missing == null }}", true],
    ["text equals text", "${{ vars.text == 'Hello World' }}", true],
    ["equality is case-sensitive", "${{ vars.text == 'hello world' }}", false],
    ["lists compare by content", '${{ vars.list == fromJSON(\'[1,"a",{"k":"v"}]\') }}', true],
    ["!= is the opposite of ==", "${{ vars.n != '2' }}", false],
    ["!= on different text", "${{ 'a' != 'b' }}", true],
    ["< on numbers", "${{ 1 < 2 }}", true],
    ["< on a numeric string and a number compares numbers", "${{ vars.ten < 9 }}", false],
    ["< on two strings compares text", "${{ vars.ten < '9' }}", true],
    ["<= when equal", "${{ 2 <= vars.two }}", true],
    ["> on numbers", "${{ 3 > 2 }}", true],
    [">= when smaller", "${{ 1 >= 2 }}", false],
    ["! of a truthy value", "${{ !vars.n }}", false],
    ["! of ''", "${{ !vars.empty }}", true],
    ["! of 0", "${{ !vars.zero }}", true],
    ["! twice", "${{ !!'x' }}", true],
    ["parentheses group", "${{ !(vars.n == 2 && false) }}", true],
    ["&& binds tighter than ||", "${{ true || false && false }}", true],
    ["parentheses override precedence", "${{ (true || false) && false }}", false],
  ])("%s", (_name, template, expected) => {
    expect(evaluate(template)).toBe(expected);
  });

  it.each([
    ["|| gives the left operand when it is truthy", "${{ vars.text || 'x' }}", "Hello World"],
    ["|| gives the right operand when the left is ''", "${{ vars.empty || 'fallback' }}", "fallback"],
    ["|| gives the right operand when both are falsy", "${{ 0 || null }}", null],
    ["&& gives the right operand when the left is truthy", "${{ 'a' && 'b' }}", "b"],
    ["&& gives the left operand when it is falsy", "${{ vars.zero && 'b' }}", 0],
  ])("%s", (_name, template, expected) => {
    expect(evaluate(template)).toEqual(expected);
  });

  it("does not evaluate the right operand of || when the left is truthy", () => {
    const calls: string[] = [];
    const lazy = scope({ release: { a: () => (calls.push("a"), "A"), b: () => (calls.push("b"), "B") } });
    expect(evaluateTemplate("${{ release.a || release.b }}", lazy)).toBe("A");
    expect(calls).toEqual(["a"]);
  });

  it("does not evaluate the right operand of && when the left is falsy", () => {
    // The right side would throw if it were evaluated (vars.text is not JSON).
    expect(evaluate("${{ false && fromJSON(vars.text) }}")).toBe(false);
    expect(evaluate("${{ true || vars.__proto__ }}")).toBe(true);
  });

  it("refuses a comparison chain", () => {
    expect(expressionError(() => evaluate("${{ 1 < 2 < 3 }}")).message).toBe('unexpected "<"');
  });
});

describe("reading values", () => {
  it.each([
    ["a var", "${{ vars.text }}", "Hello World"],
    ["a var with a dash by name", "${{ vars.a-b }}", "dashed"],
    ["a var with brackets", "${{ vars['a-b'] }}", "dashed"],
    ["a map member", "${{ vars.obj.a }}", 1],
    ["a computed member", "${{ vars.obj[vars.key] }}", 1],
    ["a list item", "${{ vars.list[1] }}", "a"],
    ["a list item by string index", "${{ vars.list['0'] }}", 1],
    ["a member of a list item", "${{ vars.list[2].k }}", "v"],
    ["a list item out of range as null", "${{ vars.list[9] }}", null],
    ["a negative index as null", "${{ vars.list[-1] }}", null],
    ["the length of a list", "${{ vars.list.length }}", 3],
    ["the length of text", "${{ vars.text.length }}", 11],
    ["a missing member as null", "${{ vars.obj.nope }}", null],
    ["a member of null as null", "${{ vars.nothing.x }}", null],
    ["a member of a number as null", "${{ vars.n.x }}", null],
    ["an inherited method as null", "${{ vars.obj.hasOwnProperty }}", null],
    ["a list method as null", "${{ vars.list.map }}", null],
    ["an env variable", "${{ env.HOME }}", "/home/relctl"],
    ["an unset env variable as null", "${{ env.NOT_SET }}", null],
    ["a plain release value", "${{ release.plain }}", "p"],
    ["a lazy release value", "${{ release.version }}", "1.4.0"],
    ["a secret", "${{ secrets.token }}", "s3cret"],
    ["a step output", "${{ steps.build.outputs.digest }}", "sha256:abc"],
    ["a step output with brackets", "${{ steps.build.outputs['count'] }}", 3],
    ["all outputs of a step", "${{ steps.build.outputs }}", { digest: "sha256:abc", count: 3 }],
    ["a step's status", "${{ steps.build.status }}", "succeeded"],
    ["a failed step's status", "${{ steps.broken.status }}", "failed"],
    ["a failed step's outputs", "${{ steps.broken.outputs.stderr }}", "boom"],
    ["a skipped step's status", "${{ steps.lint.status }}", "skipped"],
    ["a skipped step's output as null", "${{ steps.lint.outputs.digest }}", null],
    ["a step itself as null", "${{ steps.build }}", null],
    ["the steps root as null", "${{ steps }}", null],
    ["a step property that is neither outputs nor status as null", "${{ steps.build.name }}", null],
  ])("reads %s", (_name, template, expected) => {
    expect(evaluate(template)).toEqual(expected);
  });

  it("calls a lazy release value only when it is read", () => {
    let calls = 0;
    const lazy = scope({ release: { version: () => ++calls } });
    expect(evaluateTemplate("${{ vars.x }}", lazy)).toBe(null);
    expect(calls).toBe(0);
    expect(evaluateTemplate("${{ release.version }}", lazy)).toBe(1);
    expect(calls).toBe(1);
  });

  it.each([
    ["__proto__ by name", "${{ vars.__proto__ }}", "__proto__"],
    ["constructor by name", "${{ vars.obj.constructor }}", "constructor"],
    ["prototype with brackets", "${{ vars['prototype'] }}", "prototype"],
    ["constructor of a list", "${{ vars.list.constructor }}", "constructor"],
    ["__proto__ computed from a var", "${{ vars[format('__{0}__', 'proto')] }}", "__proto__"],
    ["constructor of env", "${{ env.constructor }}", "constructor"],
  ])("refuses to read %s", (_name, template, property) => {
    const error = expressionError(() => evaluate(template));
    expect(error.message).toBe(`property "${property}" cannot be read`);
    expect(error.offset).toBe(4);
  });

  it("does not mistake Object's own properties for a step named constructor", () => {
    // `constructor` is a valid step id; before the step has run its outputs are not known.
    const result = evaluateTemplate("${{ steps.constructor.outputs.x }}", scope());
    expect(result).toBeInstanceOf(Unresolved);
    expect(String(result)).toBe("⟨steps.constructor.outputs.x⟩");
  });
});
