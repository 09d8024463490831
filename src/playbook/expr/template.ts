// A template is a playbook string with `${{ … }}` parts. Parsed once and cached: a 1,000-step
// playbook repeats the same few templates many times.
import { checkCall } from "./calls.js";
import { FUNCTIONS } from "./functions.js";
import { parseExpression, type Node } from "./parser.js";
import { ExpressionError, type Reference, type RootName } from "./types.js";

export type TemplatePart =
  { kind: "text"; text: string } | { kind: "expr"; node: Node; source: string; offset: number };

export interface Template {
  source: string;
  parts: TemplatePart[];
  /** The string is exactly one expression (surrounding spaces aside): its value keeps its type. */
  whole: boolean;
}

const OPEN = "${{";
const CLOSE = "}}";
const cache = new Map<string, Template>();
const isFunction = (name: string): boolean => Object.hasOwn(FUNCTIONS, name);

export function hasExpression(value: string): boolean {
  return value.includes(OPEN);
}

/** Parses a template; throws ExpressionError with the offset of the problem in `source`. */
export function parseTemplate(source: string): Template {
  const cached = cache.get(source);
  if (cached) return cached;
  const parts: TemplatePart[] = [];
  let index = 0;
  while (index < source.length) {
    const start = source.indexOf(OPEN, index);
    if (start === -1) {
      parts.push({ kind: "text", text: source.slice(index) });
      break;
    }
    if (start > index) parts.push({ kind: "text", text: source.slice(index, start) });
    const bodyStart = start + OPEN.length;
    const end = findClose(source, bodyStart);
    if (end === -1) throw new ExpressionError(`"${OPEN}" is not closed with "${CLOSE}"`, start);
    const body = source.slice(bodyStart, end);
    parts.push({
      kind: "expr",
      node: parseExpression(body, bodyStart, isFunction, checkCall),
      source: body,
      offset: start,
    });
    index = end + CLOSE.length;
  }
  const expressions = parts.filter((part) => part.kind === "expr");
  const whole =
    expressions.length === 1 && parts.every((part) => part.kind === "expr" || part.text.trim() === "");
  const template = { source, parts, whole };
  if (cache.size < 10_000) cache.set(source, template);
  return template;
}

/** Parses a condition, which may be written with or without `${{ }}`. */
export function parseCondition(source: string): Template {
  const trimmed = source.trim();
  return parseTemplate(hasExpression(trimmed) ? trimmed : `${OPEN} ${trimmed} ${CLOSE}`);
}

/**
 * How far offsets in parseCondition(source) lie after the same places in `source` (the condition
 * is trimmed, and wrapped in `${{ }}` when written without it).
 */
export function conditionShift(source: string): number {
  const leading = source.length - source.trimStart().length;
  return (hasExpression(source) ? 0 : `${OPEN} `.length) - leading;
}

/** Finds the `}}` that closes an expression, skipping over string literals. */
function findClose(source: string, from: number): number {
  let quote: string | undefined;
  for (let index = from; index < source.length; index++) {
    const char = source[index]!;
    if (quote) {
      if (char === "\\" && quote === '"') index++;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (source.startsWith(CLOSE, index)) {
      return index;
    }
  }
  return -1;
}

/** Every context reference the template reads, with its static property path. */
export function referencesIn(template: Template): Reference[] {
  const found: Reference[] = [];
  for (const part of template.parts) {
    if (part.kind === "expr") collect(part.node, found, template.source);
  }
  return found;
}

function collect(node: Node, found: Reference[], source: string): void {
  switch (node.type) {
    case "context":
    case "member": {
      const chain = staticChain(node);
      if (chain) {
        const text = [chain.root, ...chain.path].join(".");
        const whole = node.type === "context" ? { whole: true as const } : {};
        found.push({ root: chain.root, path: chain.path, text, offset: node.offset, ...whole });
        // Computed parts (steps[vars.id]) read references of their own.
        for (let link: Node = node; link.type === "member"; link = link.object) {
          if (typeof link.property !== "string") collect(link.property, found, source);
        }
      } else if (node.type === "member") {
        collect(node.object, found, source);
        if (typeof node.property !== "string") collect(node.property, found, source);
      }
      return;
    }
    case "call":
      for (const arg of node.args) collect(arg, found, source);
      return;
    case "not":
      collect(node.operand, found, source);
      return;
    case "compare":
    case "logical":
      collect(node.left, found, source);
      collect(node.right, found, source);
      return;
    case "literal":
      return;
  }
}

/** vars.a.b → { root: vars, path: [a, b] }; the path stops at the first computed property. */
function staticChain(node: Node): { root: RootName; path: string[]; open: boolean } | undefined {
  if (node.type === "context") return { root: node.root, path: [], open: true };
  if (node.type !== "member") return undefined;
  const inner = staticChain(node.object);
  if (!inner) return undefined;
  if (!inner.open || typeof node.property !== "string") return { ...inner, open: false };
  return { root: inner.root, path: [...inner.path, node.property], open: true };
}
