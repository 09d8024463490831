// The file operations under a run lock (see lock.ts): exclusive creation, a guarded takeover of
// a stale lock, and reading a lock file whose creator may still be writing it.
import { closeSync, openSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import { dirname } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { fsyncDir, writeAllSync } from "./jsonl.js";

export interface LockTarget {
  playbook: string;
  environment: string;
}

export interface LockInfo {
  runId: string;
  pid: number;
  hostname: string;
  startedAt: string;
  /** The command line that holds the lock (already redacted by the caller). */
  command: string[];
  target: LockTarget;
}

export type IsAlive = (pid: number) => boolean;

/** A takeover guard older than this was left by a process that died while holding it. */
const GUARD_STALE_MS = 30_000;

export const processIsAlive: IsAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it is alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Creates `file` with O_EXCL: of several processes racing, exactly one succeeds. The content is
 * written right after, in the same call; a reader that finds the file still empty waits for it
 * (readSettled).
 */
export function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeAllSync(fd, Buffer.from(content));
  } finally {
    closeSync(fd);
  }
  fsyncDir(dirname(file));
  return true;
}

/** Replaces a stale lock, provided it still holds exactly the bytes we judged stale. */
export function takeOver(file: string, stale: string, content: string): "taken" | "changed" | "busy" {
  const guard = `${file}.takeover`;
  const guardContent = JSON.stringify({
    pid: process.pid,
    hostname: osHostname(),
    at: new Date().toISOString(),
  });
  if (
    !createExclusive(guard, guardContent) &&
    !(removeDeadGuard(guard) && createExclusive(guard, guardContent))
  ) {
    return "busy";
  }
  try {
    if (readRaw(file) !== stale) return "changed";
    writeFileAtomic(file, content);
    return "taken";
  } finally {
    unlinkSync(guard);
  }
}

/**
 * A guard is only left behind when a process dies in the microseconds it holds one. Removing it
 * is not atomic with the check, but going wrong needs two such deaths and two racing removers at
 * once; the lock itself stays O_EXCL either way.
 */
function removeDeadGuard(guard: string): boolean {
  try {
    const ageMs = Date.now() - statSync(guard).mtimeMs;
    const owner = JSON.parse(readFileSync(guard, "utf8")) as { pid?: number; hostname?: string };
    const dead =
      owner.hostname === osHostname() && typeof owner.pid === "number" && !processIsAlive(owner.pid);
    if (!dead && ageMs <= GUARD_STALE_MS) return false;
    unlinkSync(guard);
    return true;
  } catch {
    // Gone already, or half written by a live process: leave it.
    return false;
  }
}

/** Reads a lock, giving a creator that is between open("wx") and write a moment to finish. */
export function readSettled(file: string): string | undefined {
  let raw = readRaw(file);
  for (let tries = 0; raw !== undefined && parseInfo(raw) === undefined && tries < 20; tries++) {
    pause(5);
    raw = readRaw(file);
  }
  return raw;
}

/** A synchronous sleep: acquireLock is synchronous, and these waits are milliseconds. */
export function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export function parseInfo(raw: string | undefined): LockInfo | undefined {
  if (raw === undefined) return undefined;
  let value: Partial<Record<keyof LockInfo, unknown>>;
  try {
    value = JSON.parse(raw) as typeof value;
  } catch {
    return undefined;
  }
  const target = value.target as Partial<LockTarget> | undefined;
  const valid =
    typeof value.runId === "string" &&
    typeof value.pid === "number" &&
    typeof value.hostname === "string" &&
    typeof value.startedAt === "string" &&
    Array.isArray(value.command) &&
    value.command.every((part) => typeof part === "string") &&
    typeof target?.playbook === "string" &&
    typeof target.environment === "string";
  return valid ? (value as LockInfo) : undefined;
}
