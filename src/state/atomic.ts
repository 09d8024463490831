// Whole-file writes that a crash can never leave half done. A reader sees either the old file or
// the complete new one: the bytes go to a temporary file in the same directory (same file
// system, so the final step is atomic), are fsync'd, and only then get their real name.
import { closeSync, linkSync, openSync, renameSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { ensureDir, fsyncDir, writeAllSync } from "./jsonl.js";

function writeTemp(path: string, data: string | Buffer): string {
  const dir = dirname(path);
  ensureDir(dir);
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  const fd = openSync(temp, "wx", 0o644);
  try {
    writeAllSync(fd, typeof data === "string" ? Buffer.from(data) : data);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Replaces `path` atomically (temp file + fsync + rename + directory fsync). */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const temp = writeTemp(path, data);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDir(dirname(path));
}

/**
 * Creates `path` atomically and only if it does not exist yet. rename() would silently replace
 * an existing file; link() gives the same all-or-nothing publication but fails with EEXIST, so
 * two writers racing for the same name cannot both succeed. Returns false when it existed.
 */
export function createFileExclusive(path: string, data: string | Buffer): boolean {
  const temp = writeTemp(path, data);
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  fsyncDir(dirname(path));
  return true;
}
