// One playbook file as read from disk: its text, its YAML document and the line counter that
// turns offsets into line:column. Reading refuses what is not a playbook (a FIFO or device,
// binary data, huge files, alias bombs) with a clear message instead of hanging or crashing.
import * as jsYaml from "js-yaml";
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import type { SourceLocation } from "../errors.js";
import { readInputText, type InputFileKind } from "../util/input-file.js";
import { visibleName } from "../util/visible-name.js";
import type { Diagnostic } from "./diagnostics.js";
import type { YamlPath } from "./model.js";
import { checkAliases } from "./yaml-aliases.js";
import { checkYamlLimits, MAX_YAML_DEPTH, tooDeep, type YamlLimitProblem } from "./yaml-limits.js";

/** Playbooks are small; a 1,000-step train is about 200 KiB. Anything bigger is a mistake. */
export const MAX_PLAYBOOK_BYTES = 2 * 1024 * 1024;

/** The playbook given with -p (or found in the working directory). */
export const PLAYBOOK_FILE: InputFileKind = {
  what: "playbook",
  format: "UTF-8 YAML",
  maxBytes: MAX_PLAYBOOK_BYTES,
  check: "check that -p points at the playbook",
  tooLarge: "split it with include:",
};

export interface SourceFile {
  /** Absolute path. */
  file: string;
  /** Path shown in messages (relative to the run's directory when inside it). */
  display: string;
  text: string;
  doc: Document;
  lines: LineCounter;
}

export type ReadResult = { source: SourceFile; data: unknown } | { diagnostics: Diagnostic[] };

export interface ReadOptions {
  /** What the file is, for its limits and messages (default: the playbook). */
  kind?: InputFileKind;
  /**
   * Where the file is named (an include: entry): a file that cannot be read at all is reported
   * there, since the mistake is in that line. Default: the file's own 1:1.
   */
  origin?: SourceLocation;
}

export async function readSource(
  file: string,
  display: string,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const at = (line = 1, column = 1): SourceLocation => ({ file: display, line, column });
  const read = await readInputText(file, display, options.kind ?? PLAYBOOK_FILE);
  if ("problem" in read) {
    const { code, message, hint, at: place } = read.problem;
    const location = place ? at(place.line, place.column) : (options.origin ?? at());
    return fail(code, message, location, hint);
  }
  const { text } = read;
  const fast = fastLoad(text, display);
  if (fast.ok) return { source: lazySource(file, display, text), data: fast.data };
  if (fast.problem) {
    // Refused before the position-keeping parser, which would run out of stack on it.
    const { code, message, hint, at: place } = fast.problem;
    return fail(code, message, at(place?.line, place?.column), hint);
  }
  const { doc, lines } = parseWithPositions(text);
  const overflow = doc.errors.find((error) => STACK_OVERFLOW.test(error.message));
  if (overflow) {
    const problem = tooDeep(display, {});
    const [line, column] = position(lines, overflow.pos[0]);
    return fail(problem.code, problem.message, at(line, column), problem.hint);
  }
  if (doc.errors.length > 0) {
    return {
      diagnostics: doc.errors.map((error) => {
        const [line, column] = position(lines, error.pos[0]);
        return {
          code: "yaml-syntax",
          message: `invalid YAML: ${firstLine(error.message)}`,
          location: at(line, column),
          hint: "check indentation, brackets and quotes around this place",
        };
      }),
    };
  }
  const limits = checkYamlLimits(doc, yaml(), display, text);
  if (limits) {
    const [line, column] = position(lines, limits.offset ?? 0);
    return fail(limits.code, limits.message, at(line, column), limits.hint);
  }
  // Aliases are checked first, each problem at its alias; they are then expanded unchecked.
  const aliases = checkAliases(doc, yaml(), display);
  if (aliases) {
    const [line, column] = position(lines, aliases.offset);
    return fail(aliases.code, aliases.message, at(line, column), aliases.hint);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail("yaml-syntax", `invalid YAML: ${firstLine(message)}`, at());
  }
  return { source: { file, display, text, doc, lines }, data };
}

/**
 * The common case, fast: a file without aliases, loaded by js-yaml (several times faster than
 * the position-keeping parser, which a 1,000-step plan would otherwise spend most of its time
 * in). Anything unusual — aliases (a possible alias bomb), a syntax error, duplicate keys —
 * goes the careful way, which also gives every diagnostic its line and column.
 */
function fastLoad(
  text: string,
  display: string,
): { ok: true; data: unknown } | { ok: false; problem?: YamlLimitProblem } {
  if (ALIAS.test(text)) return { ok: false };
  try {
    return { ok: true, data: jsYaml.load(text, FAST_OPTIONS) };
  } catch (error) {
    // Too deep is final here: the careful parser would only fail on it less clearly.
    if (error instanceof jsYaml.YAMLException && error.reason.startsWith("nesting exceeded maxDepth")) {
      return {
        ok: false,
        problem: tooDeep(display, { at: { line: error.mark.line + 1, column: error.mark.column + 1 } }),
      };
    }
    return { ok: false };
  }
}

/** How a recursive parser reports a document nested too deep for its stack. */
const STACK_OVERFLOW = /maximum call stack size exceeded/i;

/** YAML 1.2 core types (no timestamps, so 2026-12-24 stays text, as in the careful parser) and merge keys. */
// (js-yaml exports its built-in types at run time; its type declarations leave them out.)
const { merge } = (jsYaml as unknown as { types: { merge: jsYaml.Type } }).types;
const FAST_SCHEMA = jsYaml.CORE_SCHEMA.extend([merge]);
const ALIAS = /(?:^|[\s[{,:-])\*[^\s,\]}]/m;
// (js-yaml 4.3 reads maxDepth; its type declarations leave it out.)
const FAST_OPTIONS: jsYaml.LoadOptions & { maxDepth: number } = {
  schema: FAST_SCHEMA,
  maxDepth: MAX_YAML_DEPTH,
};

// The position-keeping parser is loaded only when a file needs it (an error, an alias, a line
// number for an event): most commands read playbooks through the fast loader alone.
const requireModule = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  return (yamlModule ??= requireModule("yaml") as typeof Yaml);
}

function parseWithPositions(text: string): { doc: Document; lines: LineCounter } {
  const lines = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    // `<<: *defaults` merge keys let a playbook share step settings without include:.
    merge: true,
  });
  return { doc, lines };
}

/** A source whose YAML document (for line:column) is parsed only when something asks for it. */
function lazySource(file: string, display: string, text: string): SourceFile {
  let parsed: { doc: Document; lines: LineCounter } | undefined;
  const get = () => (parsed ??= parseWithPositions(text));
  return {
    file,
    display,
    text,
    get doc() {
      return get().doc;
    },
    get lines() {
      return get().lines;
    },
  };
}

function fail(code: string, message: string, location: SourceLocation, hint?: string): ReadResult {
  return { diagnostics: [{ code, message, location, ...(hint ? { hint } : {}) }] };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

export function position(lines: LineCounter, offset: number): [number, number] {
  const { line, col } = lines.linePos(offset);
  return [line, col];
}

/** The YAML node at a path, or the deepest existing ancestor. */
function nodeAt(doc: Document, path: YamlPath): { node: Node | undefined; exact: boolean } {
  let node: unknown = doc.contents;
  for (let index = 0; index < path.length; index++) {
    const key = path[index]!;
    let next: unknown;
    if (yaml().isMap(node)) {
      const pair = pairOf(node, key);
      next = pair?.value ?? undefined;
      if (pair && next === undefined) return { node: pair.key as Node, exact: index === path.length - 1 };
    } else if (yaml().isSeq(node) && typeof key === "number") {
      next = node.items[key];
    }
    if (next === undefined || next === null) return { node: node as Node, exact: false };
    node = next;
  }
  return { node: node as Node, exact: true };
}

/** The entry of a YAML map whose (scalar) key is `key`. */
function pairOf(map: YAMLMap, key: string | number): Pair | undefined {
  return map.items.find(
    (item) => yaml().isPair(item) && yaml().isScalar(item.key) && String(item.key.value) === String(key),
  );
}

/** Where a value (or, with `key: true`, the key naming it) is written. */
export function locate(source: SourceFile, path: YamlPath, options: { key?: boolean } = {}): SourceLocation {
  let target: Node | undefined;
  if (options.key && path.length > 0) {
    const parent = nodeAt(source.doc, path.slice(0, -1));
    const last = path[path.length - 1]!;
    if (parent.exact && yaml().isMap(parent.node)) {
      target = (pairOf(parent.node, last)?.key as Node | undefined) ?? parent.node;
    }
  }
  target ??= nodeAt(source.doc, path).node;
  const offset = target?.range?.[0] ?? 0;
  const [line, column] = position(source.lines, offset);
  return { file: source.display, line, column, path: formatPath(path) };
}

/** Where `needle` appears inside the value at `path` (an expression inside a string). */
export function locateText(
  source: SourceFile,
  path: YamlPath,
  needle: string,
  fallbackOffset = 0,
): SourceLocation {
  const { node, exact } = nodeAt(source.doc, path);
  const base = locate(source, path);
  if (!exact || !node?.range) return base;
  const raw = source.text.slice(node.range[0], node.range[1]);
  // The raw text is never shorter than the value before a given point (quotes, escapes, indentation),
  // so the needle's own occurrence is at or after its offset in the value: an earlier, identical
  // reference (`${{ vars.ab }} ${{ vars.a }}`) must not be taken for it.
  let found = raw.indexOf(needle, Math.min(fallbackOffset, raw.length));
  if (found < 0) found = raw.indexOf(needle);
  const quoted = raw.startsWith("'") || raw.startsWith('"') ? 1 : 0;
  const offset = node.range[0] + (found >= 0 ? found : Math.min(fallbackOffset + quoted, raw.length));
  const [line, column] = position(source.lines, offset);
  return { ...base, line, column };
}

/** ["stages", "build", "steps", 0, "with"] → "stages.build.steps[0].with". */
export function formatPath(path: YamlPath): string {
  let text = "";
  for (const part of path) {
    text += typeof part === "number" ? `[${part}]` : `${text === "" ? "" : "."}${visibleName(part)}`;
  }
  return text;
}
