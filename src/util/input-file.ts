// Reading a file a user named (a playbook, an include, a vars file, a freeze calendar, a
// changelog, a file:// secret) without trusting it. Only a regular file is read: a FIFO waits
// forever for a writer and /dev/zero never ends. At most the limit (+1 byte, to tell "too big")
// is read, even when the reported size lies (/proc files say 0). Text must be UTF-8; the first
// byte that is not is reported with its line and column.
import { constants, type Stats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { FS_ERROR_WORDS } from "./fs-error-words.js";

export interface InputFileKind {
  /** What the file is, for messages: "playbook", "vars file". */
  what: string;
  /** How "cannot read …" names it before its path, when the path alone does not say: "the vars file". */
  label?: string;
  /** What its text is, for messages: "UTF-8 YAML". */
  format: string;
  maxBytes: number;
  /** What to check when the file is not the one meant: "check that -p points at the playbook". */
  check: string;
  /** How to make a file that is too big fit, when there is a way. */
  tooLarge?: string;
}

export interface FileProblem {
  code: "file-unreadable" | "file-not-regular" | "file-too-large" | "not-text";
  /** What is wrong, naming the file. */
  message: string;
  hint: string;
  /** The place in the file, for a problem with its content; undefined when the file as a whole is refused. */
  at?: { line: number; column: number };
}

export type BytesRead = { bytes: Buffer } | { problem: FileProblem };
export type TextRead = { text: string } | { problem: FileProblem };

// A FIFO opened for reading waits for a writer unless opened non-blocking (not on Windows).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The file's bytes: a regular file (symlinks followed) of at most `kind.maxBytes`. */
export async function readInputBytes(path: string, display: string, kind: InputFileKind): Promise<BytesRead> {
  try {
    const refused = refuseNonRegular(await stat(path), display, kind);
    if (refused) return refused;
    // Opened non-blocking and checked again: the path may have been swapped for a FIFO since.
    const handle = await open(path, OPEN_FLAGS);
    try {
      const stats = await handle.stat();
      const swapped = refuseNonRegular(stats, display, kind);
      if (swapped) return swapped;
      if (stats.size > kind.maxBytes) return tooLarge(display, kind, stats.size);
      const bytes = await readAtMost(handle, kind.maxBytes + 1, stats.size);
      if (bytes.length > kind.maxBytes) return tooLarge(display, kind);
      return { bytes };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const why = errnoText(error);
    const check = (error as NodeJS.ErrnoException).code === "EACCES" ? "check its permissions" : kind.check;
    return problem("file-unreadable", `cannot read ${named(display, kind)}: ${why}`, check);
  }
}

/** The file's text: what readInputBytes reads, and only when it is UTF-8 (not UTF-16, no NUL). */
export async function readInputText(path: string, display: string, kind: InputFileKind): Promise<TextRead> {
  const read = await readInputBytes(path, display, kind);
  if ("problem" in read) return read;
  const { bytes } = read;
  if (looksLikeUtf16(bytes)) {
    return {
      problem: {
        code: "not-text",
        message: `${display} is UTF-16 text; a ${kind.what} must be UTF-8`,
        hint: "save it as UTF-8 (most editors offer the encoding in “Save as”)",
        at: { line: 1, column: 1 },
      },
    };
  }
  const bad = firstBadByte(bytes);
  if (bad === undefined) return { text: bytes.toString("utf8") };
  const nul = bytes[bad] === 0;
  return {
    problem: {
      code: "not-text",
      message: nul
        ? `${display} is not a text file (it holds a NUL byte); a ${kind.what} is ${kind.format}`
        : `${display} is not UTF-8 text (invalid byte 0x${bytes[bad]!.toString(16).padStart(2, "0")}); a ${kind.what} is ${kind.format}`,
      hint: nul ? kind.check : `save it as UTF-8, or ${kind.check}`,
      at: lineColumn(bytes, bad),
    },
  };
}

/** How a file a user named words these codes; the rest read as for state files. */
const INPUT_FILE_WORDS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
};

/** An error from the file system in words: "no such file", "permission denied". */
export function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  return INPUT_FILE_WORDS[code] ?? FS_ERROR_WORDS[code] ?? code;
}

/** 2097152 → "2 MiB", 3250000 → "3.1 MiB", 2048 → "2 KiB", 64 → "64 bytes". */
export function formatSize(bytes: number): string {
  const [amount, unit] =
    bytes >= 1024 * 1024
      ? [bytes / 1024 / 1024, "MiB"]
      : bytes >= 1024
        ? [bytes / 1024, "KiB"]
        : [bytes, "bytes"];
  return `${amount.toFixed(1).replace(/\.0$/, "")} ${unit}`;
}

function refuseNonRegular(stats: Stats, display: string, kind: InputFileKind): BytesRead | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) {
    return problem("file-unreadable", `cannot read ${named(display, kind)}: it is a directory`, kind.check);
  }
  return problem(
    "file-not-regular",
    `cannot read ${named(display, kind)}: it is ${fileType(stats)}, not a regular file`,
    `a ${kind.what} must be a regular file; ${kind.check}`,
  );
}

function named(display: string, kind: InputFileKind): string {
  return kind.label ? `${kind.label} ${display}` : display;
}

function fileType(stats: Stats): string {
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "a special file";
}

function tooLarge(display: string, kind: InputFileKind, size?: number): BytesRead {
  const limit = formatSize(kind.maxBytes);
  // "is 2 MiB; … at most 2 MiB" would read as no problem: a size just over says "larger than".
  const shown = size === undefined ? limit : formatSize(size);
  const how = shown === limit ? `is larger than ${limit}` : `is ${shown}`;
  return problem(
    "file-too-large",
    `${display} ${how}; a ${kind.what} may be at most ${limit}`,
    kind.tooLarge ? `${kind.tooLarge}, or ${kind.check}` : kind.check,
  );
}

function problem(code: FileProblem["code"], message: string, hint: string): { problem: FileProblem } {
  return { problem: { code, message, hint } };
}

/** Reads until the end of the file or `limit` bytes, whichever comes first. */
async function readAtMost(handle: FileHandle, limit: number, sizeHint: number): Promise<Buffer> {
  let buffer = Buffer.alloc(Math.min(limit, Math.max(sizeHint + 1, 64 * 1024)));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length === limit) break;
      const bigger = Buffer.alloc(Math.min(limit, buffer.length * 2));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}

/** A byte-order mark of UTF-16 (FF FE, FE FF), or ASCII text with every other byte NUL. */
function looksLikeUtf16(bytes: Buffer): boolean {
  const [a, b, c, d] = bytes;
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return true;
  if (bytes.length < 4) return false;
  return (a !== 0 && b === 0 && c !== 0 && d === 0) || (a === 0 && b !== 0 && c === 0 && d !== 0);
}

/** Offset of the first byte that cannot be in a UTF-8 text file (NUL or invalid UTF-8), if any. */
function firstBadByte(bytes: Buffer): number | undefined {
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

/**
 * Line and column (from 1) of the byte at `offset`, counted like the YAML parser counts them:
 * columns in UTF-16 code units. Everything before `offset` is valid UTF-8.
 */
function lineColumn(bytes: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < offset; at = bytes.indexOf(0x0a, at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: bytes.subarray(lineStart, offset).toString("utf8").length + 1 };
}
