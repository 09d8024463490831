// The documented functions of the expression language (docs/playbook-reference.md). Each is a
// plain function of plain values: no I/O, nothing that could reach outside the playbook. Each
// also declares how it is called, so a wrong call is refused when the playbook is checked (see
// calls.ts), not in the middle of a run.
import { ExpressionError } from "./types.js";

/** What an argument must be when it is written as a literal: text, or anything. */
export type ParamKind = "text" | "any";

/** A literal argument's value, or undefined for an argument computed at run time. */
export type LiteralArg = { value: string | number | boolean | null } | undefined;

export interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  /** How it is called, for hints: "split(text, separator)". */
  usage: string;
  /** Per argument (the last kind repeats for further arguments). */
  params: readonly ParamKind[];
  /** A problem with the literal arguments that the call would always fail on. */
  checkLiterals?(args: readonly LiteralArg[]): { index: number; message: string; hint: string } | undefined;
  call(args: unknown[], env: { now: () => Date }, offset: number): unknown;
}

export function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

const text = (value: unknown): string => toText(value);

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

function formatDate(format: string, date: Date): string {
  const tokens: Record<string, string> = {
    yyyy: pad(date.getUTCFullYear(), 4),
    MM: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  return format.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => tokens[token]!);
}

/** The placeholders a format() pattern uses, by number. */
function placeholders(pattern: string): number[] {
  return [...pattern.matchAll(/\{(\d+)\}/g)].map((match) => Number(match[1]));
}

function parseJson(value: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return { ok: false };
  }
}

const isDigits = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= 10;

const notJson = (value: unknown): string => `fromJSON(): not valid JSON: ${text(value).slice(0, 60)}`;

export const FUNCTIONS: Record<string, FunctionSpec> = {
  contains: {
    minArgs: 2,
    maxArgs: 2,
    usage: "contains(text or list, value)",
    params: ["any", "any"],
    call: ([haystack, needle]) =>
      Array.isArray(haystack)
        ? haystack.some((item) => item === needle || text(item) === text(needle))
        : text(haystack).includes(text(needle)),
  },
  startsWith: {
    minArgs: 2,
    maxArgs: 2,
    usage: "startsWith(text, prefix)",
    params: ["text", "text"],
    call: ([value, prefix]) => text(value).startsWith(text(prefix)),
  },
  endsWith: {
    minArgs: 2,
    maxArgs: 2,
    usage: "endsWith(text, suffix)",
    params: ["text", "text"],
    call: ([value, suffix]) => text(value).endsWith(text(suffix)),
  },
  format: {
    minArgs: 1,
    maxArgs: 20,
    usage: "format('{0}-{1}', value0, value1)",
    params: ["text", "any"],
    checkLiterals: ([pattern, ...args]) => {
      if (typeof pattern?.value !== "string") return undefined;
      const missing = placeholders(pattern.value).find((index) => index >= args.length);
      return missing === undefined
        ? undefined
        : {
            index: 0,
            message: `format(): placeholder {${missing}} has no argument`,
            hint: `pass one value per placeholder after the pattern ({0} is the first)`,
          };
    },
    call: ([pattern, ...args], _env, offset) =>
      text(pattern).replace(/\{(\d+)\}/g, (_match, digits: string) => {
        const index = Number(digits);
        if (index >= args.length) {
          throw new ExpressionError(`format(): placeholder {${index}} has no argument`, offset);
        }
        return text(args[index]);
      }),
  },
  join: {
    minArgs: 1,
    maxArgs: 2,
    usage: "join(list, separator)",
    params: ["any", "text"],
    call: ([list, separator]) =>
      Array.isArray(list) ? list.map(text).join(separator === undefined ? "," : text(separator)) : text(list),
  },
  split: {
    minArgs: 2,
    maxArgs: 2,
    usage: "split(text, separator)",
    params: ["text", "text"],
    call: ([value, separator]) => text(value).split(text(separator)),
  },
  lower: {
    minArgs: 1,
    maxArgs: 1,
    usage: "lower(text)",
    params: ["text"],
    call: ([value]) => text(value).toLowerCase(),
  },
  upper: {
    minArgs: 1,
    maxArgs: 1,
    usage: "upper(text)",
    params: ["text"],
    call: ([value]) => text(value).toUpperCase(),
  },
  trim: {
    minArgs: 1,
    maxArgs: 1,
    usage: "trim(text)",
    params: ["text"],
    call: ([value]) => text(value).trim(),
  },
  replace: {
    minArgs: 3,
    maxArgs: 3,
    usage: "replace(text, search, replacement)",
    params: ["text", "text", "text"],
    call: ([value, search, replacement]) => text(value).split(text(search)).join(text(replacement)),
  },
  toJSON: {
    minArgs: 1,
    maxArgs: 1,
    usage: "toJSON(value)",
    params: ["any"],
    call: ([value]) => JSON.stringify(value ?? null),
  },
  // A value put into a URL (a token in a query) must not break it: & ? / # are encoded.
  urlencode: {
    minArgs: 1,
    maxArgs: 1,
    usage: "urlencode(text)",
    params: ["text"],
    call: ([value]) => encodeURIComponent(text(value)),
  },
  fromJSON: {
    minArgs: 1,
    maxArgs: 1,
    usage: "fromJSON(json text)",
    params: ["text"],
    checkLiterals: ([json]) =>
      typeof json?.value === "string" && !parseJson(json.value).ok
        ? { index: 0, message: notJson(json.value), hint: `write valid JSON, like fromJSON('{"a": [1, 2]}')` }
        : undefined,
    call: ([value], _env, offset) => {
      const parsed = parseJson(text(value));
      if (!parsed.ok) throw new ExpressionError(notJson(value), offset);
      return parsed.value;
    },
  },
  default: {
    minArgs: 2,
    maxArgs: 2,
    usage: "default(value, fallback)",
    params: ["any", "any"],
    call: ([value, fallback]) => (value === null || value === undefined || value === "" ? fallback : value),
  },
  // Gate outputs are in base units (a ratio, seconds); messages speak percent and milliseconds:
  // scale(0.0042, 100) is "0.42", scale(0.2271, 1000, 0) is "227".
  scale: {
    minArgs: 2,
    maxArgs: 3,
    usage: "scale(number, factor, digits = 2)",
    params: ["any", "any", "any"],
    checkLiterals: ([, factor, digits]) => {
      if (factor !== undefined && typeof factor.value !== "number") {
        return {
          index: 1,
          message: "scale(): the factor must be a number",
          hint: "100 for a percentage, 1000 for seconds as milliseconds",
        };
      }
      if (digits !== undefined && !(typeof digits.value === "number" && isDigits(digits.value))) {
        return {
          index: 2,
          message: "scale(): digits must be a whole number from 0 to 10",
          hint: "scale(value, 100, 1) shows one decimal",
        };
      }
      return undefined;
    },
    call: ([value, factor, digits], _env, offset) => {
      if (value === null || value === undefined || value === "") return null;
      const places = digits === undefined ? 2 : Number(digits);
      if (!isDigits(places)) {
        throw new ExpressionError(
          `scale(): digits must be a whole number from 0 to 10, got ${text(digits)}`,
          offset,
        );
      }
      const number = typeof value === "number" ? value : Number(text(value).trim());
      // What Prometheus writes for a value it could not measure (NaN, +Inf) stays as written.
      if (!Number.isFinite(number)) return text(value);
      const by = Number(factor);
      if (!Number.isFinite(by))
        throw new ExpressionError(`scale(): the factor must be a number, got ${text(factor)}`, offset);
      return (number * by).toFixed(places);
    },
  },
  date: {
    minArgs: 0,
    maxArgs: 1,
    usage: "date('yyyy-MM-dd')",
    params: ["text"],
    call: ([format], env) => {
      const now = env.now();
      return format === undefined ? now.toISOString() : formatDate(text(format), now);
    },
  },
};
