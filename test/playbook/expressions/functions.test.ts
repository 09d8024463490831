// The expression language's functions, and what a template evaluates to: a typed value or text.
import { describe, expect, it } from "vitest";
import { evaluateTemplate, renderDeep } from "../../../src/playbook/expr/index.js";
import { scope } from "../../helpers/playbook.js";
import { evaluate, expressionError, values } from "./values.js";

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
    ["urlencode of a token with URL syntax", "${{ urlencode('a&b=c/d?e f') }}", "a%26b%3Dc%2Fd%3Fe%20f"],
    ["fromJSON", "${{ fromJSON(vars.json) }}", { x: [1, 2] }],
    ["fromJSON then a member", "${{ fromJSON(vars.json).x[1] }}", 2],
    ["scale a ratio to percent", "${{ scale(0.0042, 100) }}", "0.42"],
    ["scale seconds to whole milliseconds", "${{ scale(0.22714, 1000, 0) }}", "227"],
    ["scale numeric text", "${{ scale('0.5', 100, 1) }}", "50.0"],
    ["scale keeps what Prometheus could not measure", "${{ scale('+Inf', 1000) }}", "+Inf"],
    ["scale of a missing value", "${{ scale(vars.missing, 100) }}", null],
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
      "a format placeholder without argument, at the pattern",
      "${{ format('{0} {1}', 'a') }}",
      "format(): placeholder {1} has no argument",
      11,
    ],
    [
      "invalid JSON written as a literal, at the literal",
      "${{ fromJSON('{nope') }}",
      "fromJSON(): not valid JSON: {nope",
      13,
    ],
    [
      "invalid JSON from a var, at the call",
      "${{ fromJSON(vars.text) }}",
      "fromJSON(): not valid JSON: Hello World",
      4,
    ],
    [
      "a format placeholder without argument in a pattern from a var, at the call",
      "${{ format(vars.pattern, 'a') }}",
      "format(): placeholder {1} has no argument",
      4,
    ],
    ["too few arguments", "${{ contains('a') }}", "contains() takes 2 argument(s), got 1", 4],
    ["too many arguments", "x ${{ lower('a', 'b') }}", "lower() takes 1 argument(s), got 2", 6],
    ["no arguments where one is needed", "${{ trim() }}", "trim() takes 1 argument(s), got 0", 4],
    ["a range of arguments", "${{ join() }}", "join() takes 1 to 2 argument(s), got 0", 4],
    ["too many arguments to date", "${{ date('a', 'b') }}", "date() takes 0 to 1 argument(s), got 2", 4],
  ])("refuses %s", (_name, template, message, offset) => {
    const error = expressionError(() =>
      evaluateTemplate(template, { ...values, vars: { ...values.vars, pattern: "{0} {1}" } }),
    );
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
