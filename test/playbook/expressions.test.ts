// Unit tests of the expression language: parsing and evaluating `${{ … }}` templates and
// conditions, Unresolved values in dry-runs, and the references validation checks.
import { describe, expect, it } from "vitest";
import {
  evaluateCondition,
  evaluateTemplate,
  ExpressionError,
  parseTemplate,
  referencesIn,
  renderDeep,
  Unresolved,
} from "../../src/playbook/expr/index.js";
import { scope, step } from "../helpers/playbook.js";

const values = scope({
  vars: {
    n: 2,
    two: "2",
    ten: "10",
    zero: 0,
    text: "Hello World",
    empty: "",
    nothing: null,
    flag: true,
    list: [1, "a", { k: "v" }],
    obj: { a: 1, b: [true] },
    "a-b": "dashed",
    key: "a",
    json: '{"x":[1,2]}',
  },
  env: { HOME: "/home/relctl" },
  release: { plain: "p", version: () => "1.4.0" },
  secrets: { token: "s3cret" },
  steps: {
    build: step("succeeded", { digest: "sha256:abc", count: 3 }),
    lint: step("skipped", { digest: "ignored" }),
    image: step("planned"),
    test: step("pending"),
    broken: step("failed", { stderr: "boom" }),
  },
});

const evaluate = (template: string): unknown => evaluateTemplate(template, values);

/** The ExpressionError `run` throws (failing the test when it does not throw one). */
function expressionError(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  expect.fail("expected an ExpressionError");
}

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
    // The right side would throw if it were evaluated.
    expect(evaluate("${{ false && fromJSON('not json') }}")).toBe(false);
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

describe("functions", () => {
  it.each([
    ["contains on text", "${{ contains('Hello World', 'lo W') }}", true],
    ["contains on text, missing", "${{ contains(vars.text, 'xyz') }}", false],
    ["contains on a list", "${{ contains(vars.list, 'a') }}", true],
    ["contains on a list compares as text", "${{ contains(vars.list, '1') }}", true],
    ["contains on a list, missing", "${{ contains(vars.list, 'b') }}", false],
    ["startsWith", "${{ startsWith(vars.text, 'Hello') }}", true],
    ["startsWith, false", "${{ startsWith(vars.text, 'World') }}", false],
    ["endsWith", "${{ endsWith(vars.text, 'World') }}", true],
    ["endsWith, false", "${{ endsWith(vars.text, 'Hello') }}", false],
    ["format", "${{ format('{0}-{1}-{0}', 'a', 2) }}", "a-2-a"],
    ["format with null as ''", "${{ format('[{0}]', null) }}", "[]"],
    ["format without placeholders", "${{ format('plain') }}", "plain"],
    ["join with the default separator", "${{ join(vars.list) }}", '1,a,{"k":"v"}'],
    ["join with a separator", "${{ join(split('a b c', ' '), '+') }}", "a+b+c"],
    ["join of text", "${{ join('abc', '-') }}", "abc"],
    ["split", "${{ split('a,b,,c', ',') }}", ["a", "b", "", "c"]],
    ["lower", "${{ lower(vars.text) }}", "hello world"],
    ["upper", "${{ upper(vars.text) }}", "HELLO WORLD"],
    ["trim", "${{ trim('  x y \n') }}", "x y"],
    ["replace every occurrence", "${{ replace('a.b.c', '.', '-') }}", "a-b-c"],
    ["replace literally, not as a pattern", "${{ replace('a+b+c', '+', '$&') }}", "a$&b$&c"],
    ["replace with special pattern characters in the search", "${{ replace('v1.*', '.*', '') }}", "v1"],
    ["toJSON of a map", "${{ toJSON(vars.obj) }}", '{"a":1,"b":[true]}'],
    ["toJSON of text", "${{ toJSON('x') }}", '"x"'],
    ["toJSON of a missing value", "${{ toJSON(vars.missing) }}", "null"],
    ["fromJSON", "${{ fromJSON(vars.json) }}", { x: [1, 2] }],
    ["fromJSON then a member", "${{ fromJSON(vars.json).x[1] }}", 2],
    ["default on null", "${{ default(vars.nothing, 'd') }}", "d"],
    ["default on ''", "${{ default(vars.empty, 'd') }}", "d"],
    ["default on a missing var", "${{ default(vars.missing, 'd') }}", "d"],
    ["default keeps 0", "${{ default(vars.zero, 'd') }}", 0],
    ["default keeps false", "${{ default(false, 'd') }}", false],
    ["default keeps a value", "${{ default(vars.text, 'd') }}", "Hello World"],
    ["date with every token", "${{ date('yyyy-MM-dd HH:mm:ss') }}", "2026-03-04 05:06:07"],
    ["date as in the docs", "${{ date('yyyyMMdd') }}", "20260304"],
    ["date with text around tokens", "${{ date('rc-yyyy.MM') }}", "rc-2026.03"],
    ["date without a format", "${{ date() }}", "2026-03-04T05:06:07.000Z"],
    ["nested calls", "${{ upper(trim(format(' {0} ', lower('AB')))) }}", "AB"],
  ])("%s", (_name, template, expected) => {
    expect(evaluate(template)).toEqual(expected);
  });

  it("formats dates in UTC with zero padding", () => {
    const early = scope({ now: () => new Date(Date.UTC(987, 0, 9, 1, 2, 3)) });
    expect(evaluateTemplate("${{ date('yyyy-MM-dd HH:mm:ss') }}", early)).toBe("0987-01-09 01:02:03");
  });

  it.each([
    [
      "a format placeholder without argument",
      "${{ format('{0} {1}', 'a') }}",
      "format(): placeholder {1} has no argument",
      4,
    ],
    ["invalid JSON", "${{ fromJSON('{nope') }}", "fromJSON(): not valid JSON: {nope", 4],
    ["too few arguments", "${{ contains('a') }}", "contains() takes 2 argument(s), got 1", 4],
    ["too many arguments", "x ${{ lower('a', 'b') }}", "lower() takes 1 argument(s), got 2", 6],
    ["no arguments where one is needed", "${{ trim() }}", "trim() takes 1 argument(s), got 0", 4],
    ["a range of arguments", "${{ join() }}", "join() takes 1 to 2 argument(s), got 0", 4],
    ["too many arguments to date", "${{ date('a', 'b') }}", "date() takes 0 to 1 argument(s), got 2", 4],
  ])("refuses %s", (_name, template, message, offset) => {
    const error = expressionError(() => evaluate(template));
    expect(error.message).toBe(message);
    expect(error.offset).toBe(offset);
  });
});

describe("template results", () => {
  it.each([
    ["a number", "${{ vars.n }}", 2],
    ["a list", "${{ vars.list }}", [1, "a", { k: "v" }]],
    ["a map", "${{ vars.obj }}", { a: 1, b: [true] }],
    ["a boolean", "${{ vars.flag }}", true],
    ["null", "${{ vars.nothing }}", null],
    ["a number with spaces around the expression", "  ${{ vars.n }} ", 2],
  ])("keeps the type of a whole-string expression: %s", (_name, template, expected) => {
    expect(evaluate(template)).toEqual(expected);
  });

  it.each([
    ["text and a number", "v${{ vars.n }}", "v2"],
    ["two expressions", "${{ vars.n }}${{ vars.n }}", "22"],
    ["a map as JSON", "obj=${{ vars.obj }}", 'obj={"a":1,"b":[true]}'],
    ["a list as JSON", "${{ vars.list }} items", '[1,"a",{"k":"v"}] items'],
    ["null as ''", "[${{ vars.nothing }}]", "[]"],
    ["a boolean as text", "is ${{ vars.flag }}", "is true"],
    ["text without expressions", "plain text", "plain text"],
  ])("joins a mixed string into text: %s", (_name, template, expected) => {
    expect(evaluate(template)).toBe(expected);
  });

  it("renders every string of a nested value and leaves other values alone", () => {
    const input = {
      argv: ["echo", "${{ vars.n }}", "v${{ vars.n }}"],
      env: { A: "${{ vars.obj }}" },
      n: 1,
      x: null,
    };
    expect(renderDeep(input, values)).toEqual({
      argv: ["echo", 2, "v2"],
      env: { A: { a: 1, b: [true] } },
      n: 1,
      x: null,
    });
    expect(input.argv[1]).toBe("${{ vars.n }}");
  });

  it("renders a string without ${{ as itself", () => {
    expect(renderDeep("a ${ b } {{ c }}", values)).toBe("a ${ b } {{ c }}");
  });
});

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
    ["with spaces around ${{ }}", "  ${{ vars.empty }}  ", false],
    ["the text true", "true", true],
    ["the text false", "false", false],
    ["a non-empty string literal", "'false'", true],
    ["a list", "vars.list", true],
    ["zero", "vars.zero", false],
    ["null", "vars.nothing", false],
    ["a function", "contains(vars.text, 'World')", true],
    ["a step status", "steps.broken.status == 'failed'", true],
    ["a string with an expression and text", "${{ vars.empty }} x", true],
  ])("evaluates a condition %s", (_name, condition, expected) => {
    expect(evaluateCondition(condition, values)).toBe(expected);
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
