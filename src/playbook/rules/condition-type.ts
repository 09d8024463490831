// An `if:` must be true or false. At run time anything else fails the step (evaluate.ts); here,
// before the run, a condition whose value is known to be something else — a string var, an env
// value, a literal — is a lint error at its place, since it could never be a valid condition.
import type { Node } from "../expr/parser.js";
import type { Template } from "../expr/template.js";
import type { Playbook } from "../model.js";

/** What an expression yields, as far as the playbook tells before the run. */
type StaticKind = "boolean" | "string" | "number" | "list" | "map" | "null" | "unknown";

export interface ConditionTypeProblem {
  /** The kind of value found, and where in the condition's source it is. */
  kind: Exclude<StaticKind, "boolean" | "unknown">;
  /** The reference or literal that makes it so ("vars.dry", "env.DEPLOY", "'yes'"). */
  what: string;
  offset: number;
}

const BOOLEAN_FUNCTIONS = new Set(["contains", "startsWith", "endsWith"]);
const STRING_FUNCTIONS = new Set([
  "format",
  "join",
  "lower",
  "upper",
  "trim",
  "replace",
  "toJSON",
  "urlencode",
  "date",
]);

/** A problem when the condition can evaluate to something that is not true or false. */
export function conditionTypeProblem(
  template: Template,
  playbook: Playbook,
): ConditionTypeProblem | undefined {
  const parts = template.parts;
  if (!template.whole) {
    // Text around an expression makes the condition a string, whatever the expression yields.
    const first = parts.find((part) => part.kind === "expr");
    return { kind: "string", what: "text around ${{ }}", offset: first?.offset ?? 0 };
  }
  const part = parts.find((candidate) => candidate.kind === "expr");
  if (part?.kind !== "expr") return undefined;
  return problemOf(part.node, playbook, part.source, part.offset);
}

function problemOf(
  node: Node,
  playbook: Playbook,
  source: string,
  base: number,
): ConditionTypeProblem | undefined {
  if (node.type === "logical") {
    // a && b yields a when a is falsy, b otherwise (|| the other way round): either side can be the value.
    return problemOf(node.left, playbook, source, base) ?? problemOf(node.right, playbook, source, base);
  }
  const kind = kindOf(node, playbook);
  if (kind === "boolean" || kind === "unknown") return undefined;
  return { kind, what: describe(node), offset: node.offset };
}

function kindOf(node: Node, playbook: Playbook): StaticKind {
  switch (node.type) {
    case "literal":
      if (node.value === null) return "null";
      return typeof node.value === "boolean"
        ? "boolean"
        : typeof node.value === "number"
          ? "number"
          : "string";
    case "not":
    case "compare":
      return "boolean";
    case "logical":
      return "unknown";
    case "call":
      if (BOOLEAN_FUNCTIONS.has(node.name)) return "boolean";
      if (STRING_FUNCTIONS.has(node.name) || node.name === "split")
        return node.name === "split" ? "list" : "string";
      return "unknown";
    case "context":
      return "unknown";
    case "member": {
      const chain = memberChain(node);
      if (!chain || chain.path.length !== 1) return "unknown";
      if (chain.root === "env" || chain.root === "secrets") return "string";
      if (chain.root !== "vars") return "unknown";
      const def = playbook.vars.get(chain.path[0]!);
      if (!def?.typeKnown) return "unknown";
      return def.type === "integer" ? "number" : def.type;
    }
  }
}

function memberChain(node: Node): { root: string; path: string[] } | undefined {
  if (node.type === "context") return { root: node.root, path: [] };
  if (node.type !== "member" || typeof node.property !== "string") return undefined;
  const inner = memberChain(node.object);
  return inner && { root: inner.root, path: [...inner.path, node.property] };
}

function describe(node: Node): string {
  if (node.type === "literal") return JSON.stringify(node.value);
  if (node.type === "call") return `${node.name}()`;
  const chain = memberChain(node);
  return chain ? [chain.root, ...chain.path].join(".") : "the expression";
}
