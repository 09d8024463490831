// Reading a property of a value that cannot have it: `vars.service.a` when vars.service is the
// text "api" is always null, so a step gets null (or "") instead of what its author meant.
// Text has only `length`; a list has `length` and indexes; a number or boolean has nothing.
// A map's missing key is not a problem here: it may be optional (default(vars.cfg.x, 'y')).
import { hasExpression, Unresolved, type Reference } from "../expr/index.js";

export interface PathProblem {
  /** How many names of the path were read before the problem ("service" then "a": 1). */
  depth: number;
  message: string;
}

/** Why reading `path` inside `value` can never give a value, or undefined when it may. */
export function pathProblem(value: unknown, path: readonly string[]): PathProblem | undefined {
  let current = value;
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth]!;
    if (current === null || current === undefined || current instanceof Unresolved) return undefined;
    if (typeof current === "function") return undefined; // computed on read (release values)
    if (typeof current === "string") {
      if (key !== "length") return { depth, message: `is text (${quote(current)}), which has only length` };
      current = current.length;
    } else if (typeof current === "number" || typeof current === "boolean") {
      return {
        depth,
        message: `is ${typeof current === "number" ? "the number" : "the value"} ${current}, which has no properties`,
      };
    } else if (Array.isArray(current)) {
      if (key === "length") current = current.length;
      else if (/^\d+$/.test(key)) current = current[Number(key)];
      else return { depth, message: `is a list, which has only length and indexes ([0])` };
    } else if (typeof current === "object" && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return undefined;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 30 ? `${text.slice(0, 30)}…` : text);
}

/** `${{ vars }}`: a namespace is not a value (and `secrets` or `env` whole would leak). */
export function wholeNamespaceProblem(reference: Reference): { message: string; hint: string } {
  const root = reference.root;
  const what: Record<Reference["root"], string> = {
    vars: "vars.<name>",
    secrets: "secrets.<name>",
    env: "env.<NAME>",
    release: "release.<key>",
    steps: "steps.<id>.outputs.<name> or steps.<id>.status",
    run: "run.<field>",
  };
  return {
    message: `${root} is read whole; an expression reads one value of it`,
    hint: `write ${what[root]}`,
  };
}

/**
 * `vars.service.a` where the value of vars.service (its default in lint, the resolved value
 * before a run) cannot have `a`. `value` is undefined when the var's value is not known.
 */
export function varPathProblem(
  reference: Reference,
  value: unknown,
  where: "default" | "value",
): { message: string; hint: string } | undefined {
  const [name, ...rest] = reference.path;
  if (name === undefined || rest.length === 0 || value === undefined) return undefined;
  const problem = pathProblem(value, rest);
  if (!problem) return undefined;
  const prefix = ["vars", name, ...rest.slice(0, problem.depth)].join(".");
  const source = where === "default" ? " (its default)" : "";
  return {
    message: `${prefix}${source} ${problem.message}, so ${reference.text} is always null`,
    hint:
      problem.depth === 0
        ? `read vars.${name} itself, or make it a map (${name}: { ${rest[0]}: … })`
        : `read ${prefix} itself`,
  };
}

/** A var's default when it is a plain value (not computed by an expression), else undefined. */
export function plainDefault(value: unknown): unknown {
  return value === null || computed(value) ? undefined : value;
}

function computed(value: unknown): boolean {
  if (typeof value === "string") return hasExpression(value);
  if (value !== null && typeof value === "object") return Object.values(value).some(computed);
  return false;
}
