// The type of a var, and how text from the command line or the environment becomes a value of
// it. `--var dry=false` must be the boolean false, not the text "false" (which is truthy): so a
// var has a type (declared, or taken from its literal default), and every value given to it as
// text is parsed to that type or refused with the var, the value and the type named.
import * as jsYaml from "js-yaml";

export const VAR_TYPES = ["string", "boolean", "number", "integer", "list", "map"] as const;
export type VarType = (typeof VAR_TYPES)[number];

export interface VarTyping {
  type: VarType;
  /**
   * Declared with `type:`, or taken from a literal default: the type is known before the run,
   * and every value is parsed to it or refused. A var with neither (no default, or an
   * expression default) is untyped: --var gives it text, a vars file its YAML value, and its
   * default whatever the expression yields (`type` is then "string", what --var gives).
   */
  known: boolean;
}

/** The type of a var: its `type:`, else the kind of its literal default, else string. */
export function varTyping(declared: VarType | undefined, defaultValue: unknown): VarTyping {
  if (declared !== undefined) return { type: declared, known: true };
  if (defaultValue === undefined || defaultValue === null) return { type: "string", known: false };
  if (typeof defaultValue === "string") {
    return { type: "string", known: !defaultValue.includes("${{") };
  }
  const kind = kindOf(defaultValue);
  // A number default makes a number var (3 does not forbid 2.5); integer only when declared.
  return kind === undefined ? { type: "string", known: false } : { type: kind, known: true };
}

/** The var type a value has, or undefined for anything else (a function, undefined). */
export function kindOf(value: unknown): Exclude<VarType, "integer"> | undefined {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isFinite(value) ? "number" : undefined;
  if (Array.isArray(value)) return "list";
  if (value !== null && typeof value === "object") return "map";
  return undefined;
}

export type Coerced = { ok: true; value: unknown } | { ok: false };

/**
 * A value given to a var of `type`: text (from --var, an env-backed default) is parsed to the
 * type; any other value (from a vars file, a literal default) must already be of it.
 */
export function coerceVarValue(value: unknown, type: VarType): Coerced {
  if (typeof value === "string" && type !== "string") return parseVarText(value, type);
  return matchesType(value, type) ? { ok: true, value } : { ok: false };
}

export function matchesType(value: unknown, type: VarType): boolean {
  if (type === "integer") return typeof value === "number" && Number.isSafeInteger(value);
  return kindOf(value) === type;
}

/** Plain decimals only: "0x10", "1e3", "Infinity" and "" are not numbers a person means. */
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;
const INTEGER_TEXT = /^[+-]?\d+$/;

/** Text to a value of `type`: true/false, numbers, YAML or JSON for lists and maps. */
export function parseVarText(text: string, type: VarType): Coerced {
  const trimmed = text.trim();
  switch (type) {
    case "string":
      return { ok: true, value: text };
    case "boolean":
      if (trimmed === "true") return { ok: true, value: true };
      if (trimmed === "false") return { ok: true, value: false };
      return { ok: false };
    case "number":
      return NUMBER_TEXT.test(trimmed) ? { ok: true, value: Number(trimmed) } : { ok: false };
    case "integer": {
      if (!INTEGER_TEXT.test(trimmed)) return { ok: false };
      const value = Number(trimmed);
      return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false };
    }
    case "list":
    case "map": {
      let value: unknown;
      try {
        // JSON is YAML; the core schema keeps 2026-12-24 and yes/no as text.
        value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
      } catch {
        return { ok: false };
      }
      return matchesType(value, type) ? { ok: true, value } : { ok: false };
    }
  }
}

/** How a type is written in an error: "a boolean (true or false)". */
export function describeType(type: VarType): string {
  switch (type) {
    case "string":
      return "a string";
    case "boolean":
      return "a boolean (true or false)";
    case "number":
      return "a number (like 3 or 0.5)";
    case "integer":
      return "an integer (like 3)";
    case "list":
      return "a list (YAML or JSON, like [a, b])";
    case "map":
      return "a map (YAML or JSON, like {a: 1})";
  }
}

/** What a value is, for "got …" in an error. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  if (value === null || value === undefined) return "no value";
  const kind = kindOf(value);
  const shown = JSON.stringify(value);
  const short = shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
  return kind === undefined
    ? short
    : `${kind === "list" || kind === "map" ? `a ${kind}` : `the ${kind}`} ${short}`;
}
