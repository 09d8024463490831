// A function call is checked when its expression is parsed, against what the function table
// declares: the number of arguments, the kind of each literal argument, and what its literals
// must hold (a format() pattern's placeholders, fromJSON()'s text). A call that could never
// succeed is a playbook error `relctl lint` reports, not a step that fails in the middle of a run.
import { FUNCTIONS, toText, type LiteralArg } from "./functions.js";
import type { Node } from "./parser.js";
import { ExpressionError } from "./types.js";

type CallNode = Extract<Node, { type: "call" }>;

/** Throws ExpressionError (at the function's name, or at the literal argument) for a bad call. */
export function checkCall(node: CallNode): void {
  const spec = FUNCTIONS[node.name];
  if (!spec) throw new ExpressionError(`unknown function ${node.name}()`, node.offset);
  const hint = `call it as ${spec.usage}`;
  if (node.args.length < spec.minArgs || node.args.length > spec.maxArgs) {
    throw new ExpressionError(arityMessage(node.name, spec, node.args.length), node.offset, hint);
  }
  const literals: LiteralArg[] = node.args.map((arg) =>
    arg.type === "literal" ? { value: arg.value } : undefined,
  );
  literals.forEach((literal, index) => {
    const kind = spec.params[Math.min(index, spec.params.length - 1)] ?? "any";
    if (kind !== "text" || literal === undefined || typeof literal.value === "string") return;
    throw new ExpressionError(
      `${node.name}() takes text as argument ${index + 1}, not ${describeLiteral(literal.value)}`,
      node.args[index]!.offset,
      literal.value === null ? hint : `quote it: '${toText(literal.value)}'; ${hint}`,
    );
  });
  const problem = spec.checkLiterals?.(literals);
  if (problem) throw new ExpressionError(problem.message, node.args[problem.index]!.offset, problem.hint);
}

/** "lower() takes 1 argument(s), got 0": the evaluator says the same for a call it gets. */
export function arityMessage(name: string, spec: { minArgs: number; maxArgs: number }, got: number): string {
  const wanted = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
  return `${name}() takes ${wanted} argument(s), got ${got}`;
}

function describeLiteral(value: number | boolean | null): string {
  if (value === null) return "null";
  return typeof value === "number" ? `the number ${value}` : `the value ${String(value)}`;
}
