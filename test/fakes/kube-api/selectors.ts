// Label and field selectors as the API server reads them (`labelSelector=name=api,owner=helm`,
// `status in (deployed,superseded)`, `!key`, `fieldSelector=metadata.name=api`).
import { badRequest } from "./status.js";

type Labels = Record<string, string>;
type Requirement = (labels: Labels) => boolean;

/** Splits on commas that are not inside "( … )". */
function terms(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const character of selector) {
    if (character === "(") depth++;
    if (character === ")") depth--;
    if (character === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += character;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}

function requirement(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const [, key, operator, list] = set as unknown as [string, string, string, string];
    const values = new Set(list.split(",").map((value) => value.trim()));
    return operator === "in"
      ? (labels) => key in labels && values.has(labels[key]!)
      : (labels) => !(key in labels) || !values.has(labels[key]!);
  }
  const compare = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (compare) {
    const [, key, operator, value] = compare as unknown as [string, string, string, string];
    return operator === "!=" ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  if (/^!\S+$/.test(term)) return (labels) => !(term.slice(1) in labels);
  if (/^\S+$/.test(term)) return (labels) => term in labels;
  throw badRequest(`unable to parse requirement: ${term}`);
}

export function labelSelector(selector: string | null): (labels: Labels | undefined) => boolean {
  if (!selector) return () => true;
  const requirements = terms(selector).map(requirement);
  return (labels) => requirements.every((matches) => matches(labels ?? {}));
}

function valueAt(object: unknown, path: string): string | undefined {
  let current: unknown = object;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined || current === null ? undefined : String(current);
}

/** Field selectors compare dotted paths of the object (metadata.name, status.phase …). */
export function fieldSelector(selector: string | null): (object: unknown) => boolean {
  if (!selector) return () => true;
  const checks = terms(selector).map((term) => {
    const match = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid field selector: ${term}`);
    const [, path, operator, value] = match as unknown as [string, string, string, string];
    return (object: unknown) => (operator === "!=") !== (valueAt(object, path) === value);
  });
  return (object) => checks.every((check) => check(object));
}

/** A Deployment's or ReplicaSet's spec.selector (matchLabels and matchExpressions) as one test. */
export function objectSelector(selector: unknown): (labels: Labels | undefined) => boolean {
  const { matchLabels = {}, matchExpressions = [] } = (selector ?? {}) as {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  return (labels = {}) =>
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    matchExpressions.every(({ key, operator, values = [] }) => {
      if (operator === "In") return values.includes(labels[key] ?? "\0");
      if (operator === "NotIn") return !values.includes(labels[key] ?? "\0");
      if (operator === "Exists") return key in labels;
      return !(key in labels);
    });
}
