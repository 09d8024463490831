// Shared values for the expression language tests: a scope with vars, env, release values, secrets
// and steps in every status, and helpers to evaluate a template in it or catch its ExpressionError.
import { expect } from "vitest";
import { evaluateTemplate, ExpressionError } from "../../../src/playbook/expr/index.js";
import { scope, step } from "../../helpers/playbook.js";

export const values = scope({
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

export const evaluate = (template: string): unknown => evaluateTemplate(template, values);

/** The ExpressionError `run` throws (failing the test when it does not throw one). */
export function expressionError(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  expect.fail("expected an ExpressionError");
}
