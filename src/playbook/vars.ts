// Resolving vars: default < --vars-file < --var. Defaults may be expressions over other vars and
// env (evaluated in dependency order); values given on the command line are taken literally.
import { resolve as resolvePath } from "node:path";
import { usageError } from "../errors.js";
import type { InputFileKind } from "../util/input-file.js";
import { closestMatch } from "../util/suggest.js";
import { quotedName, visibleName } from "../util/visible-name.js";
import type { Diagnostic } from "./diagnostics.js";
import { ExpressionError, parseTemplate, referencesIn, renderDeep } from "./expr/index.js";
import type { Playbook } from "./model.js";
import { forEachString } from "./rules/expressions.js";
import { Locator } from "./rules/locator.js";
import { locate, MAX_PLAYBOOK_BYTES, readSource, type SourceFile } from "./source.js";

const VARS_FILE: InputFileKind = {
  what: "vars file",
  label: "the vars file",
  format: "UTF-8 YAML or JSON",
  maxBytes: MAX_PLAYBOOK_BYTES,
  check: "check that --vars-file points at the vars file",
};

export interface VarInputs {
  varsFile?: string;
  /** `key=value` strings from --var, in order (a later one wins). */
  overrides: readonly string[];
  env: Record<string, string | undefined>;
  now?: () => Date;
  /** Sources of the playbook files, to point at a var's definition. */
  sources?: ReadonlyMap<string, SourceFile>;
  /** Display paths relative to this directory. */
  cwd?: string;
}

export interface ResolvedVars {
  values: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

export async function resolveVars(playbook: Playbook, inputs: VarInputs): Promise<ResolvedVars> {
  const diagnostics: Diagnostic[] = [];
  const given = new Map<string, unknown>();
  const known = [...playbook.vars.keys()];
  const where = new Locator(inputs.sources ?? new Map());

  if (inputs.varsFile !== undefined) {
    const fromFile = await readVarsFile(inputs.varsFile, inputs.cwd, known);
    diagnostics.push(...fromFile.diagnostics);
    for (const [key, value] of fromFile.values) given.set(key, value);
  }
  for (const assignment of inputs.overrides) {
    const equals = assignment.indexOf("=");
    if (equals <= 0)
      throw usageError(`--var ${assignment}: expected key=value`, "for example --var version=1.4.0");
    const key = assignment.slice(0, equals);
    if (!playbook.vars.has(key)) throw unknownVar(key, known, "--var");
    given.set(key, assignment.slice(equals + 1));
  }

  const values: Record<string, unknown> = {};
  const scope = {
    vars: values,
    steps: {},
    env: inputs.env,
    release: {},
    secrets: {},
    run: {},
    now: inputs.now ?? (() => new Date()),
  };
  const resolving = new Set<string>();
  const resolveVar = (name: string): unknown => {
    if (Object.hasOwn(values, name)) return values[name];
    const def = playbook.vars.get(name);
    if (!def || resolving.has(name)) return null; // unknown vars and cycles are reported by validation
    if (given.has(name)) return (values[name] = given.get(name));
    if (def.default === undefined) {
      if (def.required) {
        diagnostics.push({
          code: "var-required",
          message: `var "${name}" is required${def.description ? ` (${def.description})` : ""}`,
          location: where.at(def.origin),
          hint: `pass --var ${name}=… or set it in --vars-file`,
        });
      }
      return (values[name] = null);
    }
    resolving.add(name);
    try {
      // The vars a default reads are resolved first, so defaults may come in any order.
      for (const other of varsReadBy(def.default)) resolveVar(other);
      values[name] = renderDeep(def.default, scope);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      diagnostics.push({
        code: "var-default",
        message: `default of var "${name}": ${error.message}`,
        location: where.at(def.origin, ...def.defaultSub),
      });
      values[name] = null;
    } finally {
      resolving.delete(name);
    }
    return values[name];
  };
  for (const name of known) resolveVar(name);
  return { values, diagnostics };
}

/**
 * What the problems resolving vars found are in, for the line that ends the report: the vars
 * file when they are all in it, the playbook when none is, else both.
 */
export function varsProblemsIn(
  diagnostics: readonly Diagnostic[],
  playbook: string,
  varsFile?: string,
): string {
  const inVarsFile = diagnostics.filter((diagnostic) => diagnostic.location.file === varsFile).length;
  if (varsFile === undefined || inVarsFile === 0) return playbook;
  return inVarsFile === diagnostics.length ? varsFile : `${playbook} with --vars-file ${varsFile}`;
}

function varsReadBy(value: unknown): string[] {
  const names: string[] = [];
  forEachString(value, [], (text) => {
    if (!text.includes("${{")) return;
    for (const reference of referencesIn(parseTemplate(text))) {
      if (reference.root === "vars" && reference.path[0] !== undefined) names.push(reference.path[0]);
    }
  });
  return names;
}

async function readVarsFile(
  file: string,
  cwd: string | undefined,
  known: string[],
): Promise<{ values: Map<string, unknown>; diagnostics: Diagnostic[] }> {
  const absolute = resolvePath(cwd ?? ".", file);
  const read = await readSource(absolute, file, { kind: VARS_FILE });
  if ("diagnostics" in read) return { values: new Map(), diagnostics: read.diagnostics };
  const data = read.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return {
      values: new Map(),
      diagnostics: [
        {
          code: "vars-file",
          message: `${file} must hold a map of var names to values`,
          location: locate(read.source, []),
        },
      ],
    };
  }
  const values = new Map<string, unknown>();
  const diagnostics: Diagnostic[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!known.includes(key)) {
      diagnostics.push({
        code: "unknown-var",
        message: `the playbook has no var ${quotedName(key)}`,
        location: locate(read.source, [key], { key: true }),
        hint: unknownVarHint(key, known),
      });
      continue;
    }
    values.set(key, value);
  }
  return { values, diagnostics };
}

function unknownVar(key: string, known: string[], where: string) {
  return usageError(
    `${where} ${visibleName(key)}: the playbook has no var ${quotedName(key)}`,
    unknownVarHint(key, known),
  );
}

function unknownVarHint(key: string, known: string[]): string {
  const suggestion = closestMatch(key, known);
  return suggestion ? `did you mean ${suggestion}?` : `vars: ${known.join(", ") || "(none)"}`;
}
