// One playbook file as read from disk: its text, its YAML document and the line counter that
// turns offsets into line:column. Reading refuses what is not a playbook (binary data, huge
// files, alias bombs) with a clear message instead of hanging or crashing.
import { readFile, stat } from "node:fs/promises";
import * as jsYaml from "js-yaml";
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import type { SourceLocation } from "../errors.js";
import type { Diagnostic } from "./diagnostics.js";
import type { YamlPath } from "./model.js";

/** Playbooks are small; a 1,000-step train is about 200 KiB. Anything bigger is a mistake. */
export const MAX_PLAYBOOK_BYTES = 2 * 1024 * 1024;
/** yaml's own guard against "billion laughs": aliases may not expand beyond this. */
const MAX_ALIAS_COUNT = 100;

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

export async function readSource(file: string, display: string): Promise<ReadResult> {
  const at = (line = 1, column = 1): SourceLocation => ({ file: display, line, column });
  const unreadable = (error: unknown): ReadResult =>
    fail(
      "file-unreadable",
      `cannot read ${display}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      at(),
    );
  let size: number;
  try {
    const stats = await stat(file);
    if (stats.isDirectory())
      return fail("file-unreadable", `cannot read ${display}: it is a directory`, at());
    size = stats.size;
  } catch (error) {
    return unreadable(error);
  }
  if (size > MAX_PLAYBOOK_BYTES) {
    const mib = (size / 1024 / 1024).toFixed(1);
    return fail(
      "file-too-large",
      `${display} is ${mib} MiB; a playbook may be at most ${MAX_PLAYBOOK_BYTES / 1024 / 1024} MiB`,
      at(),
      "split it with include:, or check that -p points at the playbook and not at a build artefact",
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return unreadable(error);
  }
  const binaryAt = findBinary(bytes);
  if (binaryAt !== undefined) {
    return fail(
      "not-text",
      `${display} is not a text file (binary data at byte ${binaryAt}); a playbook is UTF-8 YAML`,
      at(),
      "check that -p points at the playbook",
    );
  }
  const text = bytes.toString("utf8");
  const fast = fastLoad(text);
  if (fast.ok) return { source: lazySource(file, display, text), data: fast.data };
  const { doc, lines } = parseWithPositions(text);
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
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const aliasBomb = /alias/i.test(message);
    return fail(
      aliasBomb ? "yaml-alias-bomb" : "yaml-syntax",
      aliasBomb
        ? `YAML aliases in ${display} expand too far (more than ${MAX_ALIAS_COUNT} alias uses): refusing a possible alias bomb`
        : `invalid YAML: ${firstLine(message)}`,
      at(),
      aliasBomb ? "write the repeated values out, or use include: to share them" : undefined,
    );
  }
  return { source: { file, display, text, doc, lines }, data };
}

/**
 * The common case, fast: a file without aliases, loaded by js-yaml (several times faster than
 * the position-keeping parser, which a 1,000-step plan would otherwise spend most of its time
 * in). Anything unusual — aliases (a possible alias bomb), a syntax error, duplicate keys —
 * goes the careful way, which also gives every diagnostic its line and column.
 */
function fastLoad(text: string): { ok: true; data: unknown } | { ok: false } {
  if (ALIAS.test(text)) return { ok: false };
  try {
    return { ok: true, data: jsYaml.load(text, { schema: FAST_SCHEMA }) };
  } catch {
    return { ok: false };
  }
}

/** YAML 1.2 core types (no timestamps, so 2026-12-24 stays text, as in the careful parser) and merge keys. */
// (js-yaml exports its built-in types at run time; its type declarations leave them out.)
const { merge } = (jsYaml as unknown as { types: { merge: jsYaml.Type } }).types;
const FAST_SCHEMA = jsYaml.CORE_SCHEMA.extend([merge]);
const ALIAS = /(?:^|[\s[{,:-])\*[^\s,\]}]/m;

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

/** Offset of the first byte that cannot be in a UTF-8 text file (NUL or invalid UTF-8), if any. */
function findBinary(bytes: Buffer): number | undefined {
  const nul = bytes.indexOf(0);
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return nul === -1 ? undefined : nul;
  } catch {
    return firstInvalidByte(bytes);
  }
}

/** The first NUL or byte that breaks UTF-8 (the slow path, only for files that are not UTF-8). */
function firstInvalidByte(bytes: Buffer): number | undefined {
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index]!;
    if (byte === 0) return index;
    if (byte < 0x80) {
      index++;
      continue;
    }
    // Lead byte: how many continuation bytes follow, and the smallest code point it may encode.
    const [length, min] =
      byte >= 0xc2 && byte <= 0xdf
        ? [2, 0x80]
        : byte >= 0xe0 && byte <= 0xef
          ? [3, 0x800]
          : byte >= 0xf0 && byte <= 0xf4
            ? [4, 0x10000]
            : [0, 0];
    if (length === 0 || index + length > bytes.length) return index;
    let codePoint = byte & (0xff >> (length + 1));
    for (let next = 1; next < length; next++) {
      const continuation = bytes[index + next]!;
      if ((continuation & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (continuation & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += length;
  }
  return undefined;
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
  for (const part of path) text += typeof part === "number" ? `[${part}]` : text === "" ? part : `.${part}`;
  return text;
}
