// Tree-walking evaluator. Values are plain JSON-like data; property access reads only own
// properties of plain objects and arrays, so no expression can reach a prototype or a function.
// A value known only at run time (a later step's output in a dry-run) evaluates to Unresolved,
// which flows through every operation so a plan can show `⟨steps.image.outputs.digest⟩`.
import { arityMessage } from "./calls.js";
import { FUNCTIONS, toText } from "./functions.js";
import type { Node } from "./parser.js";
import { parseCondition, parseTemplate, type Template } from "./template.js";
import { ExpressionError, Unresolved, type Scope, type StepState } from "./types.js";

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);
/** Only plain decimals count as numbers in comparisons: "0x10", "1e3" and "Infinity" stay text. */
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A step as seen from an expression: `steps.<id>` before `.outputs` or `.status`. */
class StepView {
  constructor(
    readonly id: string,
    readonly state: StepState | undefined,
  ) {}
}

const STEPS_ROOT = Symbol("steps");

export function evaluateTemplate(template: Template | string, scope: Scope): unknown {
  const parsed = typeof template === "string" ? parseTemplate(template) : template;
  if (parsed.whole) {
    const part = parsed.parts.find((candidate) => candidate.kind === "expr")!;
    if (part.kind !== "expr") return undefined;
    return evaluate(part.node, scope, part.source);
  }
  let text = "";
  const refs: string[] = [];
  let unresolved = false;
  for (const part of parsed.parts) {
    if (part.kind === "text") {
      text += part.text;
      continue;
    }
    const value = evaluate(part.node, scope, part.source);
    if (value instanceof Unresolved) {
      unresolved = true;
      refs.push(...value.refs);
      text += value.display;
    } else {
      text += toText(value);
    }
  }
  return unresolved ? new Unresolved([...new Set(refs)], text) : text;
}

/**
 * An `if:` condition: true, false, or Unresolved when it depends on a run-time value. Anything
 * else is an error, never truthiness: the text "false" (from `--var dry=false` into an untyped
 * var, say) is truthy, and a step guarded by it would run.
 */
export function evaluateCondition(source: string, scope: Scope): boolean | Unresolved {
  const value = evaluateTemplate(parseCondition(source), scope);
  if (value instanceof Unresolved || typeof value === "boolean") return value;
  throw new ExpressionError(
    `if: must be true or false, got ${describeConditionValue(value)}`,
    0,
    "compare it (${{ vars.name == 'yes' }}), or give the var type: boolean so --var name=false is false",
  );
}

function describeConditionValue(value: unknown): string {
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value)}`;
  if (value === null || value === undefined) return "null (no value)";
  if (typeof value === "number") return `the number ${value}`;
  return Array.isArray(value) ? "a list" : "a map";
}

/** Renders every string of a value that holds an expression; other values pass unchanged. */
export function renderDeep(value: unknown, scope: Scope): unknown {
  if (typeof value === "string") return value.includes("${{") ? evaluateTemplate(value, scope) : value;
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, scope));
  if (value !== null && typeof value === "object" && !(value instanceof Unresolved)) {
    const rendered: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) rendered[key] = renderDeep(item, scope);
    return rendered;
  }
  return value;
}

/** Every Unresolved inside a rendered value. */
export function collectUnresolved(value: unknown, found: Unresolved[] = []): Unresolved[] {
  if (value instanceof Unresolved) found.push(value);
  else if (Array.isArray(value)) for (const item of value) collectUnresolved(item, found);
  else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) collectUnresolved(item, found);
  }
  return found;
}

export function truthy(value: unknown): boolean {
  return !(
    value === false ||
    value === null ||
    value === undefined ||
    value === 0 ||
    value === "" ||
    Number.isNaN(value)
  );
}

function evaluate(node: Node, scope: Scope, source: string): unknown {
  const value = evaluateNode(node, scope, source);
  return value instanceof StepView || value === STEPS_ROOT ? null : value;
}

function evaluateNode(node: Node, scope: Scope, source: string): unknown {
  switch (node.type) {
    case "literal":
      return node.value;
    case "context":
      return node.root === "steps" ? STEPS_ROOT : scope[node.root];
    case "member":
      return member(node, scope, source);
    case "call":
      return call(node, scope, source);
    case "not": {
      const operand = evaluate(node.operand, scope, source);
      return operand instanceof Unresolved ? derived([operand], source) : !truthy(operand);
    }
    case "logical": {
      const left = evaluate(node.left, scope, source);
      if (left instanceof Unresolved) return derived([left], source);
      if (node.op === "||" ? truthy(left) : !truthy(left)) return left;
      return evaluate(node.right, scope, source);
    }
    case "compare": {
      const left = evaluate(node.left, scope, source);
      const right = evaluate(node.right, scope, source);
      if (left instanceof Unresolved || right instanceof Unresolved) {
        return derived(
          [left, right].filter((value) => value instanceof Unresolved),
          source,
        );
      }
      return compare(node.op, left, right);
    }
  }
}

function member(node: Extract<Node, { type: "member" }>, scope: Scope, source: string): unknown {
  const object = evaluateNode(node.object, scope, source);
  const key = typeof node.property === "string" ? node.property : evaluate(node.property, scope, source);
  if (key instanceof Unresolved) return derived([key], source);
  const name = toText(key);
  if (object instanceof Unresolved) {
    const pure = object.refs.length === 1 && object.display === `⟨${object.refs[0]}⟩`;
    return pure ? reference(`${object.refs[0]}.${name}`) : object;
  }
  // Own properties only: a step named "constructor" must not find Object's constructor.
  if (object === STEPS_ROOT)
    return new StepView(name, Object.hasOwn(scope.steps, name) ? scope.steps[name] : undefined);
  if (object instanceof StepView) return stepProperty(object, name);
  return property(object, name, node.offset);
}

function stepProperty(view: StepView, name: string): unknown {
  const state = view.state;
  if (name !== "outputs" && name !== "status") return null;
  if (!state || state.status === "pending" || state.status === "planned") {
    return reference(`steps.${view.id}.${name}`);
  }
  if (name === "status") return state.status;
  return state.status === "skipped" ? {} : state.outputs;
}

function property(object: unknown, name: string, offset: number): unknown {
  if (FORBIDDEN.has(name)) throw new ExpressionError(`property "${name}" cannot be read`, offset);
  if (Array.isArray(object)) {
    if (name === "length") return object.length;
    return /^\d+$/.test(name) ? (object[Number(name)] ?? null) : null;
  }
  if (typeof object === "string" && name === "length") return object.length;
  if (object !== null && typeof object === "object" && Object.hasOwn(object, name)) {
    const value = (object as Record<string, unknown>)[name];
    // release.<key> values are computed on first read (they may read step outputs).
    return typeof value === "function" ? (value as () => unknown)() : (value ?? null);
  }
  return null;
}

function call(node: Extract<Node, { type: "call" }>, scope: Scope, source: string): unknown {
  const spec = FUNCTIONS[node.name]!;
  // Parsing refuses a wrong call already (calls.ts); a hand-built tree is checked here too.
  if (node.args.length < spec.minArgs || node.args.length > spec.maxArgs) {
    throw new ExpressionError(arityMessage(node.name, spec, node.args.length), node.offset);
  }
  const args = node.args.map((arg) => evaluate(arg, scope, source));
  const unresolved = args.filter((arg) => arg instanceof Unresolved);
  if (unresolved.length > 0) return derived(unresolved, source);
  return spec.call(args, scope, node.offset);
}

function reference(text: string): Unresolved {
  return new Unresolved([text], `⟨${text}⟩`);
}

/** The result of an operation on run-time values is itself known only at run time. */
function derived(inputs: Unresolved[], source: string): Unresolved {
  const refs = [...new Set(inputs.flatMap((input) => input.refs))];
  return new Unresolved(refs, `⟨${source.trim()}⟩`);
}

function compare(op: string, left: unknown, right: unknown): boolean {
  const [a, b] = comparable(left, right);
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return (a as number) < (b as number);
    case "<=":
      return (a as number) <= (b as number);
    case ">":
      return (a as number) > (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

/** A number and a numeric string compare as numbers (`--var rc=2` gives the string "2"). */
function comparable(left: unknown, right: unknown): [unknown, unknown] {
  const l = left ?? null;
  const r = right ?? null;
  const numeric = (value: unknown): boolean =>
    typeof value === "number" || (typeof value === "string" && DECIMAL.test(value.trim()));
  if ((typeof l === "number" || typeof r === "number") && numeric(l) && numeric(r))
    return [Number(l), Number(r)];
  if (typeof l === "object" && l !== null)
    return [JSON.stringify(l), typeof r === "object" ? JSON.stringify(r) : r];
  return [l, r];
}
