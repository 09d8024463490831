// Append-only JSON-lines files: the run journal, the lock audit log, the release history and the
// break-glass log. Two rules make them safe to read after a crash:
//
// - A record counts once its newline is on disk. Each record is written as `JSON + "\n"` in one
//   write and fsync'd before the call returns, so a crash can only leave a torn *last* line.
// - The reader ignores (and reports) an unterminated last line, but refuses a bad line anywhere
//   else: that is not a crash artefact, it is damage, and guessing past it could make resume
//   skip or repeat a step.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { RelctlError, ExitCode } from "../errors.js";

export interface TornLine {
  /** 1-based line number of the fragment. */
  line: number;
  /** Its length (counted after UTF-8 decoding, so approximate if it ends inside a character). */
  bytes: number;
  /** The fragment's start, for the report (may be cut mid-character). */
  preview: string;
}

export interface JsonLinesRead<T> {
  records: T[];
  /** Set when the file ends in an unterminated line (a write cut short by a crash). */
  torn?: TornLine;
}

export class JsonLinesCorruptError extends RelctlError {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, problem: string) {
    super("E_STATE_CORRUPT", ExitCode.invalid, `${file}:${line}: ${problem}`, {
      hint:
        "only the last line of an append-only state file can be torn by a crash; a bad line in " +
        "the middle means the file was edited or damaged. Restore it from a backup or the evidence bundle",
      details: { file, line },
    });
    this.file = file;
    this.line = line;
  }
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** Flushes a directory's entries (a created or renamed file) to disk. No-op where unsupported. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the data fsync still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes all of `buffer` (writeSync may write less than asked) and, unless told not to, fsyncs. */
export function writeAllSync(fd: number, buffer: Buffer, options: { sync?: boolean } = {}): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
  if (options.sync !== false) fsyncSync(fd);
}

/** Appends one record to a JSON-lines file and fsyncs it before returning. */
export function appendJsonLine(file: string, record: unknown): void {
  ensureDir(dirname(file));
  const fd = openSync(file, "a");
  try {
    writeAllSync(fd, Buffer.from(`${JSON.stringify(record)}\n`));
  } finally {
    closeSync(fd);
  }
}

/** Validates one parsed line (its 1-based number given for messages) and returns it or a problem. */
export type LineCheck<T> = (
  value: unknown,
  line: number,
) => { ok: true; value: T } | { ok: false; problem: string };

/**
 * Parses a JSON-lines file. `check` validates one parsed line and returns the record or a
 * problem in words. A missing file reads as empty.
 */
export function readJsonLines<T>(file: string, check: LineCheck<T>): JsonLinesRead<T> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records: [] };
    throw error;
  }
  return parseJsonLines(text, file, check);
}

export function parseJsonLines<T>(text: string, file: string, check: LineCheck<T>): JsonLinesRead<T> {
  const lines = text.split("\n");
  // After the last "\n" comes either nothing (a clean file) or an unterminated fragment.
  const tail = lines.pop() ?? "";
  const records: T[] = [];
  lines.forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new JsonLinesCorruptError(file, index + 1, `not valid JSON: ${preview(line)}`);
    }
    const result = check(parsed, index + 1);
    if (!result.ok) throw new JsonLinesCorruptError(file, index + 1, result.problem);
    records.push(result.value);
  });
  if (tail === "") return { records };
  return {
    records,
    torn: { line: lines.length + 1, bytes: Buffer.byteLength(tail), preview: preview(tail) },
  };
}

function preview(text: string): string {
  const clean = text.replace(/\0/g, "\\0");
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
