// The documented functions of the expression language (docs/playbook-reference.md). Each is a
// plain function of plain values: no I/O, nothing that could reach outside the playbook.
import { ExpressionError } from "./types.js";

export interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
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

export const FUNCTIONS: Record<string, FunctionSpec> = {
  contains: {
    minArgs: 2,
    maxArgs: 2,
    call: ([haystack, needle]) =>
      Array.isArray(haystack)
        ? haystack.some((item) => item === needle || text(item) === text(needle))
        : text(haystack).includes(text(needle)),
  },
  startsWith: { minArgs: 2, maxArgs: 2, call: ([value, prefix]) => text(value).startsWith(text(prefix)) },
  endsWith: { minArgs: 2, maxArgs: 2, call: ([value, suffix]) => text(value).endsWith(text(suffix)) },
  format: {
    minArgs: 1,
    maxArgs: 20,
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
    call: ([list, separator]) =>
      Array.isArray(list) ? list.map(text).join(separator === undefined ? "," : text(separator)) : text(list),
  },
  split: { minArgs: 2, maxArgs: 2, call: ([value, separator]) => text(value).split(text(separator)) },
  lower: { minArgs: 1, maxArgs: 1, call: ([value]) => text(value).toLowerCase() },
  upper: { minArgs: 1, maxArgs: 1, call: ([value]) => text(value).toUpperCase() },
  trim: { minArgs: 1, maxArgs: 1, call: ([value]) => text(value).trim() },
  replace: {
    minArgs: 3,
    maxArgs: 3,
    call: ([value, search, replacement]) => text(value).split(text(search)).join(text(replacement)),
  },
  toJSON: { minArgs: 1, maxArgs: 1, call: ([value]) => JSON.stringify(value ?? null) },
  // A value put into a URL (a token in a query) must not break it: & ? / # are encoded.
  urlencode: { minArgs: 1, maxArgs: 1, call: ([value]) => encodeURIComponent(text(value)) },
  fromJSON: {
    minArgs: 1,
    maxArgs: 1,
    call: ([value], _env, offset) => {
      try {
        return JSON.parse(text(value)) as unknown;
      } catch {
        throw new ExpressionError(`fromJSON(): not valid JSON: ${text(value).slice(0, 60)}`, offset);
      }
    },
  },
  default: {
    minArgs: 2,
    maxArgs: 2,
    call: ([value, fallback]) => (value === null || value === undefined || value === "" ? fallback : value),
  },
  date: {
    minArgs: 0,
    maxArgs: 1,
    call: ([format], env) => {
      const now = env.now();
      return format === undefined ? now.toISOString() : formatDate(text(format), now);
    },
  },
};
