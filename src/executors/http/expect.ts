// What a probe expects of an answer: a status (200, "2xx", "200-299" or a list of them) and
// values in the JSON body found by a simple path (.version, .checks.db.status, .items[0].name,
// .["key.with.dots"]) that must equal, contain, match or exist.

export type PathSegment = string | number;

/** Parses `.a.b[0]["c.d"]` (a leading `$` or no leading dot is fine). Throws on anything else. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = path.trim().replace(/^\$/, "");
  if (rest !== "" && !rest.startsWith(".") && !rest.startsWith("[")) rest = `.${rest}`;
  while (rest !== "") {
    let match: RegExpExecArray | null;
    if ((match = /^\.([A-Za-z0-9_$@-]+)/.exec(rest))) segments.push(match[1]!);
    else if ((match = /^\[(\d+)\]/.exec(rest))) segments.push(Number(match[1]));
    else if ((match = /^\.?\[\s*"((?:[^"\\]|\\.)*)"\s*\]/.exec(rest)))
      segments.push(match[1]!.replace(/\\(.)/g, "$1"));
    else if ((match = /^\.?\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest)))
      segments.push(match[1]!.replace(/\\(.)/g, "$1"));
    else throw new Error(`"${path}" is not a path like .version, .checks.db.status or .items[0].name`);
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** The value at a path, or undefined when any step is missing. */
export function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/** Equality of JSON values; a number and a numeric string compare as numbers ("200" == 200). */
export function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (typeof actual === "number" && typeof expected === "string" && expected.trim() !== "") {
    return actual === Number(expected);
  }
  if (typeof actual === "string" && typeof expected === "number" && actual.trim() !== "") {
    return Number(actual) === expected;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return (
      actual.length === expected.length && actual.every((item, index) => looselyEqual(item, expected[index]))
    );
  }
  if (isObject(actual) && isObject(expected)) {
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every(
        (key) =>
          Object.prototype.hasOwnProperty.call(actual, key) && looselyEqual(actual[key], expected[key]),
      )
    );
  }
  return actual === expected;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export interface JsonExpectation {
  path: string;
  equals?: unknown;
  contains?: unknown;
  matches?: string;
  exists?: boolean;
}

export const show = (value: unknown): string => (value === undefined ? "missing" : JSON.stringify(value));

/** Why the value does not meet the expectation, or undefined when it does. */
export function checkExpectation(
  body: unknown,
  expectation: JsonExpectation,
): { actual: unknown; problem?: string } {
  const actual = valueAt(body, parsePath(expectation.path));
  const name = expectation.path;
  if (expectation.exists !== undefined) {
    const present = actual !== undefined;
    return present === expectation.exists
      ? { actual }
      : {
          actual,
          problem: `${name} is ${present ? `present (${show(actual)})` : "missing"}, expected it ${expectation.exists ? "present" : "absent"}`,
        };
  }
  if (actual === undefined) return { actual, problem: `${name} is missing` };
  if ("equals" in expectation) {
    return looselyEqual(actual, expectation.equals)
      ? { actual }
      : { actual, problem: `${name} is ${show(actual)}, expected ${show(expectation.equals)}` };
  }
  if ("contains" in expectation) {
    const ok =
      typeof actual === "string"
        ? actual.includes(String(expectation.contains))
        : Array.isArray(actual) && actual.some((item) => looselyEqual(item, expectation.contains));
    return ok
      ? { actual }
      : {
          actual,
          problem: `${name} is ${show(actual)}, which does not contain ${show(expectation.contains)}`,
        };
  }
  if (expectation.matches !== undefined) {
    const text = typeof actual === "string" ? actual : JSON.stringify(actual);
    return new RegExp(expectation.matches).test(text)
      ? { actual }
      : { actual, problem: `${name} is ${show(actual)}, which does not match /${expectation.matches}/` };
  }
  return { actual };
}

export type StatusSpec = number | string | (number | string)[];

const STATUS_TEXT = /^(?:[1-5]xx|\d{3}(?:-\d{3})?)$/;

export const isStatusPattern = (value: number | string): boolean =>
  typeof value === "number"
    ? Number.isInteger(value) && value >= 100 && value <= 599
    : STATUS_TEXT.test(value);

export function statusMatches(status: number, spec: StatusSpec): boolean {
  const patterns = Array.isArray(spec) ? spec : [spec];
  return patterns.some((pattern) => {
    if (typeof pattern === "number") return status === pattern;
    if (/^[1-5]xx$/.test(pattern)) return Math.floor(status / 100) === Number(pattern[0]);
    const [low, high] = pattern.split("-").map(Number);
    return high === undefined ? status === low : status >= low! && status <= high;
  });
}

export const describeStatus = (spec: StatusSpec): string =>
  Array.isArray(spec) ? spec.join(" or ") : String(spec);
