// A step's rendered input that its action's schema refuses, said so a person can fix it: the
// field, what was expected, what it got, and where the value came from —
// "argv[1]: expected a string, got a map (from vars.service)" rather than "argv.1: Invalid input".
import type { z } from "zod";
import { hasExpression, parseTemplate, referencesIn, Unresolved } from "../expr/index.js";
import { flattenUnion } from "../schema-issues.js";
import { formatPath } from "../source.js";

type Issue = z.core.$ZodIssue;

export interface InputIssue {
  /** Path inside the step's input: ["argv", 1]. */
  path: (string | number)[];
  /** "argv[1]: expected a string, got a map (from vars.service)" */
  message: string;
  /** References the value came from (vars.service), when it was rendered from an expression. */
  from: string[];
}

/** Each issue in words; `raw` is the input as written (with its `${{ }}`), `rendered` as checked. */
export function describeInputIssues(issues: readonly Issue[], rendered: unknown, raw: unknown): InputIssue[] {
  return issues.flatMap(flattenUnion).map((issue) => {
    const path = issue.path as (string | number)[];
    const from = sourcesOf(raw, path);
    const where = path.length > 0 ? `${formatPath(path)}: ` : "";
    const origin = from.length > 0 ? ` (from ${from.join(", ")})` : "";
    return { path, message: `${where}${describe(issue, valueAt(rendered, path))}${origin}`, from };
  });
}

/** The input as one line, for a step that fails at run time. */
export function inputProblemLine(issues: readonly Issue[], rendered: unknown, raw: unknown): string {
  return describeInputIssues(issues, rendered, raw)
    .map((issue) => issue.message)
    .join("; ");
}

function describe(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return value === undefined
        ? `missing, expected ${article(issue.expected)}`
        : `expected ${article(issue.expected)}, got ${typeName(value)}`;
    case "invalid_value":
      return `must be ${issue.values.map((item) => JSON.stringify(item)).join(" or ")}, got ${typeName(value)}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
    default: {
      const got =
        value === undefined || (typeof value === "object" && value !== null)
          ? ""
          : `, got ${typeName(value)}`;
      return `${issue.message}${got}`;
    }
  }
}

/** The references of the expression that gave the value at `path` (or the part above it). */
function sourcesOf(raw: unknown, path: readonly (string | number)[]): string[] {
  let current = raw;
  for (const key of path) {
    if (typeof current === "string" || current === null || typeof current !== "object") break;
    current = (current as Record<string | number, unknown>)[key];
  }
  if (typeof current !== "string" || !hasExpression(current)) return [];
  try {
    return [...new Set(referencesIn(parseTemplate(current)).map((reference) => reference.text))];
  } catch {
    return [];
  }
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object" || current instanceof Unresolved) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function article(expected: string): string {
  if (expected.includes(" or ")) {
    const kinds = expected.split(" or ").map(article);
    return `${kinds.slice(0, -1).join(", ")} or ${kinds.at(-1)}`;
  }
  const word =
    expected === "record" || expected === "object" ? "map" : expected === "array" ? "list" : expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  // Never cut short: the redactor hides a secret only where it appears whole.
  if (typeof value === "string")
    return value.length > 60 ? `a text of ${value.length} characters` : `the text ${JSON.stringify(value)}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}
