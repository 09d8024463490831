// Turns zod's issues into diagnostics a person can act on: the line and column of the value (or
// of the unknown key), what was expected in words, and "did you mean" for typos.
import type { z } from "zod";
import { closestMatch } from "../util/suggest.js";
import { quotedName } from "../util/visible-name.js";
import type { Diagnostic } from "./diagnostics.js";
import type { YamlPath } from "./model.js";
import {
  playbookFileSchema,
  retryObjectSchema,
  secretObjectSchema,
  stageSchema,
  stepSchema,
  varDefinitionSchema,
} from "./schema.js";
import { locate, type SourceFile } from "./source.js";

type Issue = z.core.$ZodIssue;

const KEYS = {
  top: Object.keys(playbookFileSchema.shape),
  stage: Object.keys(stageSchema.shape),
  step: Object.keys(stepSchema.shape),
  varDefinition: Object.keys(varDefinitionSchema.shape),
  secret: Object.keys(secretObjectSchema.shape),
  retry: Object.keys(retryObjectSchema.shape),
};

/** The keys allowed in the object at `path`, for "did you mean". */
function allowedKeys(path: YamlPath): string[] {
  const [first] = path;
  if (path.length === 0) return KEYS.top;
  if (path.at(-1) === "retry") return KEYS.retry;
  if (first === "stages" && path.length === 2) return KEYS.stage;
  if (first === "stages" && path.length === 4) return KEYS.step;
  if (first === "vars" && path.length === 2) return KEYS.varDefinition;
  if (first === "secrets" && path.length === 2) return KEYS.secret;
  return [];
}

export function issuesToDiagnostics(
  issues: readonly Issue[],
  source: SourceFile,
  data: unknown,
  basePath: YamlPath = [],
  stepId?: string,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const issue of issues.flatMap(flattenUnion)) {
    const path = [...basePath, ...(issue.path as (string | number)[])];
    diagnostics.push(...describe(issue, path, source, valueAt(data, issue.path as (string | number)[])));
  }
  return stepId === undefined ? diagnostics : diagnostics.map((diagnostic) => ({ ...diagnostic, stepId }));
}

/** A union's errors belong to the branch the value was meant for: the one that got furthest. */
export function flattenUnion(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
  const branches = issue.errors.map((branch) =>
    branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as Issue),
  );
  const typeMismatch = (branch: Issue[]) =>
    branch.every((inner) => inner.code === "invalid_type" && inner.path.length === issue.path.length);
  const matching = branches.filter((branch) => !typeMismatch(branch));
  if (matching.length === 0) {
    const expected = [
      ...new Set(branches.flat().map((inner) => (inner.code === "invalid_type" ? inner.expected : ""))),
    ];
    return [
      { ...branches[0]![0]!, code: "invalid_type", expected: expected.filter(Boolean).join(" or ") } as Issue,
    ];
  }
  const best = matching.sort((a, b) => a.length - b.length)[0]!;
  return best.flatMap(flattenUnion);
}

function describe(issue: Issue, path: YamlPath, source: SourceFile, value: unknown): Diagnostic[] {
  const at = (options: { key?: boolean } = {}) => locate(source, path, options);
  const missing = (): Diagnostic[] => {
    const key = String(path.at(-1));
    return [
      {
        code: "missing-key",
        message: `missing required key "${key}"`,
        location: locate(source, path.slice(0, -1)),
        hint: `add ${key}:`,
      },
    ];
  };
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(path);
      return issue.keys.map((key) => {
        const suggestion = closestMatch(key, allowed);
        return {
          code: "unknown-key",
          message: `unknown key ${quotedName(key)}`,
          location: locate(source, [...path, key], { key: true }),
          hint: suggestion
            ? `did you mean ${suggestion}?`
            : allowed.length > 0
              ? `allowed here: ${allowed.join(", ")}`
              : "remove it",
        };
      });
    }
    case "invalid_type": {
      if (value === undefined) return missing();
      return [
        {
          code: "wrong-type",
          message: `expected ${article(issue.expected)}, got ${typeName(value)}`,
          location: at(),
          hint: typeHint(issue.expected),
        },
      ];
    }
    case "invalid_key": {
      // A record key (a stage, var, secret, executor or release name) that breaks the naming rule.
      const reason = issue.issues.map((inner) => inner.message).join("; ");
      return [
        {
          code: "invalid-key",
          message: `invalid name ${quotedName(String(path.at(-1)))}: ${reason}`,
          location: at({ key: true }),
        },
      ];
    }
    case "invalid_value":
      // A missing literal (apiVersion) is a missing key, not a wrong value.
      if (value === undefined && path.length > 0) return missing();
      return [
        {
          code: "invalid-value",
          message: `must be ${issue.values.map((item) => JSON.stringify(item)).join(" or ")}, got ${JSON.stringify(value)}`,
          location: at(),
        },
      ];
    default:
      return [
        {
          code: "invalid-value",
          message: issue.message,
          location: at(),
          // A check that knows what to do says so (params.hint); otherwise point at the docs.
          hint:
            issue.code === "custom" && typeof issue.params?.hint === "string"
              ? issue.params.hint
              : "relctl schema prints what each key accepts; docs/playbook-reference.md explains it",
        },
      ];
  }
}

/** How to write a value of the expected type in YAML. */
function typeHint(expected: string): string {
  const hints: Record<string, string> = {
    array: 'write a list: [a, b], or one item per line starting with "- "',
    record: "write a map: { key: value }, or one key: value per line, indented",
    object: "write a map: { key: value }, or one key: value per line, indented",
    string: 'write text; quote it ("…") when it starts with a special character',
    number: "write a number without quotes, like 3 or 0.5",
    boolean: "write true or false, without quotes",
  };
  const kinds = expected.split(" or ");
  return (
    kinds
      .map((kind) => hints[kind])
      .filter(Boolean)
      .join("; or ") || "relctl schema prints what this key accepts"
  );
}

function article(expected: string): string {
  if (expected.includes(" or ")) {
    return expected
      .split(" or ")
      .map((kind) => article(kind))
      .join(" or ");
  }
  const word =
    expected === "record" || expected === "object" ? "map" : expected === "array" ? "list" : expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
