// Resolving vars: default < --vars-file (each in order, a later file wins per key) < --var.
// Defaults may be expressions over other vars and env (evaluated in dependency order). Every
// value is of the var's type: text from --var (and an env-backed default of a typed var) is
// parsed to it, and a value that is not of it is refused, naming the var, the value and the type.
import { resolve as resolvePath } from "node:path";
import { usageError } from "../errors.js";
import type { InputFileKind } from "../util/input-file.js";
import { closestMatch } from "../util/suggest.js";
import { quotedName, visibleName } from "../util/visible-name.js";
import type { Diagnostic } from "./diagnostics.js";
import { ExpressionError, parseTemplate, referencesIn, renderDeep, Unresolved } from "./expr/index.js";
import type { Playbook } from "./model.js";
import { forEachString } from "./rules/expressions.js";
import { Locator } from "./rules/locator.js";
import { locate, MAX_PLAYBOOK_BYTES, readSource, type SourceFile } from "./source.js";
import { coerceVarValue, describeType, describeValue, parseVarText, type VarType } from "./var-types.js";

const VARS_FILE: InputFileKind = {
  what: "vars file",
  label: "the vars file",
  format: "UTF-8 YAML or JSON",
  maxBytes: MAX_PLAYBOOK_BYTES,
  check: "check that --vars-file points at the vars file",
};

export interface VarInputs {
  /** --vars-file, in the order given: a later file wins per key. */
  varsFile?: string | readonly string[];
  /** `key=value` strings from --var, in order (a later one wins). */
  overrides: readonly string[];
  env: Record<string, string | undefined>;
  now?: () => Date;
  /** Sources of the playbook files, to point at a var's definition. */
  sources?: ReadonlyMap<string, SourceFile>;
  /** Display paths relative to this directory. */
  cwd?: string;
  /**
   * `lint` checks the playbook, not a run: a required var without a value is a note ("needs a
   * value at run time"), not a problem, so CI can lint without inventing values.
   */
  mode?: "run" | "lint";
  /** Hides secrets in the messages of errors (a value given to the wrong var may be one). */
  redact?: (text: string) => string;
}

export interface ResolvedVars {
  values: Record<string, unknown>;
  diagnostics: Diagnostic[];
  /** Not problems: what lint tells about the run (required vars without a value). */
  notes: Diagnostic[];
}

export async function resolveVars(playbook: Playbook, inputs: VarInputs): Promise<ResolvedVars> {
  const diagnostics: Diagnostic[] = [];
  const notes: Diagnostic[] = [];
  const given = new Map<string, unknown>();
  const known = [...playbook.vars.keys()];
  const where = new Locator(inputs.sources ?? new Map());
  const redact = inputs.redact ?? ((text: string) => text);

  const varsFiles = typeof inputs.varsFile === "string" ? [inputs.varsFile] : (inputs.varsFile ?? []);
  for (const varsFile of varsFiles) {
    const fromFile = await readVarsFile(varsFile, inputs.cwd, playbook);
    diagnostics.push(...fromFile.diagnostics);
    for (const [key, value] of fromFile.values) given.set(key, value);
  }
  for (const assignment of inputs.overrides) {
    const equals = assignment.indexOf("=");
    if (equals <= 0)
      throw usageError(redact(`--var ${assignment}: expected key=value`), "for example --var version=1.4.0");
    const key = assignment.slice(0, equals);
    const def = playbook.vars.get(key);
    if (!def) throw unknownVar(key, known, "--var");
    const text = assignment.slice(equals + 1);
    // An untyped var (no type:, no literal default) takes --var text as text.
    const parsed = def.typeKnown ? parseVarText(text, def.type) : { ok: true as const, value: text };
    if (!parsed.ok) {
      throw usageError(
        redact(
          `--var ${visibleName(key)}=${text}: var ${quotedName(key)} is ${describeType(def.type)}, got ${describeValue(text)}`,
        ),
        typeHint(key, def.type, def.typeDeclared),
      );
    }
    given.set(key, parsed.value);
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
    if (def.default === undefined || def.default === null) {
      if (def.required) {
        const lint = inputs.mode === "lint";
        (lint ? notes : diagnostics).push({
          code: "var-required",
          message: `var "${name}" ${lint ? "needs a value at run time" : "is required"}${def.description ? ` (${def.description})` : ""}`,
          location: where.at(def.origin),
          hint: `pass --var ${name}=… or set it in --vars-file`,
        });
        // Lint judges what reads it as a value known only when the run starts.
        if (lint) return (values[name] = new Unresolved([`vars.${name}`], `⟨vars.${name}⟩`));
      }
      return (values[name] = null);
    }
    resolving.add(name);
    try {
      // The vars a default reads are resolved first, so defaults may come in any order.
      for (const other of varsReadBy(def.default)) resolveVar(other);
      const rendered = renderDeep(def.default, scope);
      const computed = typeof def.default === "string" && def.default.includes("${{");
      // A typed var's default is of its type; a computed one (env text) is parsed to it. An
      // untyped var's computed default is whatever its expression yields.
      const checked =
        rendered === null || (!def.typeDeclared && computed)
          ? { ok: true as const, value: rendered }
          : coerceVarValue(rendered, def.type);
      if (!checked.ok) {
        diagnostics.push({
          code: "var-type",
          message: redact(
            `default of var "${name}": expected ${describeType(def.type)}, got ${describeValue(rendered)}`,
          ),
          location: where.at(def.origin, ...def.defaultSub),
          hint: typeHint(name, def.type, def.typeDeclared),
        });
      }
      values[name] = checked.ok ? checked.value : null;
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
  return { values, diagnostics, notes };
}

function typeHint(name: string, type: VarType, declared: boolean): string {
  const shown = visibleName(name);
  const why = declared
    ? `vars.${shown} declares type: ${type}`
    : `vars.${shown} takes its type from its default; write type: there to change it`;
  return `give ${TYPE_EXAMPLES[type]} (${why})`;
}

const TYPE_EXAMPLES: Record<VarType, string> = {
  string: "text",
  boolean: "true or false",
  number: "a number such as 3 or 0.5",
  integer: "a whole number such as 3",
  list: "a YAML or JSON list such as [a, b]",
  map: "a YAML or JSON map such as {a: 1}",
};

/**
 * What the problems resolving vars found are in, for the line that ends the report: the vars
 * file when they are all in it, the playbook when none is, else both.
 */
export function varsProblemsIn(
  diagnostics: readonly Diagnostic[],
  playbook: string,
  varsFile?: string | readonly string[],
): string {
  const files = typeof varsFile === "string" ? [varsFile] : (varsFile ?? []);
  const inVarsFiles = files.filter((file) =>
    diagnostics.some((diagnostic) => diagnostic.location.file === file),
  );
  const inFiles = diagnostics.filter((diagnostic) => files.includes(diagnostic.location.file)).length;
  if (inVarsFiles.length === 0) return playbook;
  const named = inVarsFiles.join(", ");
  return inFiles === diagnostics.length ? named : `${playbook} with --vars-file ${named}`;
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
  playbook: Playbook,
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
  const known = [...playbook.vars.keys()];
  for (const [key, value] of Object.entries(data)) {
    const def = playbook.vars.get(key);
    if (!def) {
      diagnostics.push({
        code: "unknown-var",
        message: `the playbook has no var ${quotedName(key)}`,
        location: locate(read.source, [key], { key: true }),
        hint: unknownVarHint(key, known),
      });
      continue;
    }
    // An untyped var takes the file's YAML value as it is.
    const checked =
      value === null || !def.typeKnown ? { ok: true as const, value } : coerceVarValue(value, def.type);
    if (!checked.ok) {
      diagnostics.push({
        code: "var-type",
        message: `var ${quotedName(key)} is ${describeType(def.type)}, got ${describeValue(value)}`,
        location: locate(read.source, [key]),
        hint: typeHint(key, def.type, def.typeDeclared),
      });
      continue;
    }
    values.set(key, checked.value);
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
