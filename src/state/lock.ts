// One mutating run per target (playbook name + environment) at a time. The lock is a file in
// <stateDir>/locks/ created with O_EXCL ("wx"): the kernel lets exactly one creator win, on one
// machine and on NFSv3+ alike. Its content names the holder (run id, pid, host, start, command)
// so a refused run can say who is in the way.
//
// A lock whose pid is no longer alive on this host is stale (relctl was killed -9, or the machine
// rebooted) and is taken over automatically. Checking "is it stale?" and "replace it" are two
// steps, so the takeover holds a short-lived guard file (also O_EXCL) and re-reads the lock
// byte-for-byte before replacing it: two processes that both saw the same dead holder cannot both
// win. Locks held on another host are never judged stale (its pids mean nothing here); a person
// clears them with `relctl unlock --force`, which is recorded. Every acquire, release, takeover
// and force-unlock is appended to <stateDir>/locks/audit.jsonl.
import { readdirSync, statSync, unlinkSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import { RelctlError, ExitCode } from "../errors.js";
import { appendJsonLine, ensureDir, fsyncDir } from "./jsonl.js";
import {
  createExclusive,
  parseInfo,
  pause,
  processIsAlive,
  readRaw,
  readSettled,
  takeOver,
  type IsAlive,
  type LockInfo,
  type LockTarget,
} from "./lock-file.js";

export { processIsAlive, type IsAlive, type LockInfo, type LockTarget };
import { fileKey, lockAuditPath, locksDir } from "./paths.js";

export interface LockOptions {
  isAlive?: IsAlive;
  hostname?: string;
  now?: () => Date;
  /** Take over a stale lock (default true); false reports it as held and stale. */
  takeOverStale?: boolean;
}

export interface HeldLock {
  info: LockInfo;
  file: string;
  /** Removes the lock if it is still ours; safe to call twice. Returns whether it removed it. */
  release(): boolean;
}

export interface LockHeld {
  kind: "held";
  target: LockTarget;
  file: string;
  /** Undefined when the lock file cannot be read (being written, or damaged). */
  holder: LockInfo | undefined;
  stale: boolean;
  /** The file holds something that is not a relctl lock: a person must look and clear it. */
  damaged: boolean;
  message: string;
}

export type AcquireResult =
  | { kind: "acquired"; lock: HeldLock; tookOver?: { previous: LockInfo | undefined; reason: string } }
  | LockHeld;

export interface LockState {
  file: string;
  state: "held" | "stale";
  info: LockInfo | undefined;
  reason: string;
  /** Set when the file holds text that is not a relctl lock (never taken over automatically). */
  damaged?: boolean;
}

/** A lock file with no readable content younger than this is still being written. */
const UNREADABLE_GRACE_MS = 5_000;
/** Attempts before giving up on a lock that keeps changing (about a second of waiting at most). */
const ROUNDS = 100;
export function lockFile(stateDir: string, target: LockTarget): string {
  const key = fileKey(
    `${target.playbook}\0${target.environment}`,
    `${target.playbook}-${target.environment}`,
  );
  return join(locksDir(stateDir), `${key}.lock`);
}

export function acquireLock(
  stateDir: string,
  target: LockTarget,
  holder: { runId: string; command: string[] },
  options: LockOptions = {},
): AcquireResult {
  const file = lockFile(stateDir, target);
  const now = options.now ?? (() => new Date());
  const info: LockInfo = {
    runId: holder.runId,
    pid: process.pid,
    hostname: options.hostname ?? osHostname(),
    startedAt: now().toISOString(),
    command: holder.command,
    target,
  };
  const content = `${JSON.stringify(info)}\n`;
  ensureDir(locksDir(stateDir));
  // Several rounds: the holder may release, or another process be midway through a takeover
  // (then we wait a moment and look again, to report the new holder rather than the dead one).
  for (let round = 0; round < ROUNDS; round++) {
    if (createExclusive(file, content)) {
      audit(stateDir, now, { action: "acquire", target, lock: info });
      return { kind: "acquired", lock: heldLock(stateDir, file, info, now) };
    }
    const seen = readSettled(file);
    if (seen === undefined) continue; // released in between: try again
    const state = judge(file, seen, options);
    if (state.state === "held" || options.takeOverStale === false) return heldResult(target, file, state);
    const outcome = takeOver(file, seen, content);
    if (outcome === "busy") pause(10);
    if (outcome !== "taken") continue;
    audit(stateDir, now, {
      action: "takeover",
      target,
      lock: info,
      previous: state.info,
      reason: state.reason,
    });
    return {
      kind: "acquired",
      lock: heldLock(stateDir, file, info, now),
      tookOver: { previous: state.info, reason: state.reason },
    };
  }
  const state = inspectFile(file, options);
  return heldResult(
    target,
    file,
    state ?? { file, state: "held", info: undefined, reason: "the lock keeps changing hands" },
  );
}

/** The lock on a target, or undefined when it is free. */
export function inspectLock(
  stateDir: string,
  target: LockTarget,
  options: LockOptions = {},
): LockState | undefined {
  return inspectFile(lockFile(stateDir, target), options);
}

/** Every lock in the state directory (for status and history: which runs are live). */
export function readLocks(stateDir: string, options: LockOptions = {}): LockState[] {
  let names: string[];
  try {
    names = readdirSync(locksDir(stateDir)).filter((name) => name.endsWith(".lock"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.flatMap((name) => inspectFile(join(locksDir(stateDir), name), options) ?? []);
}

/**
 * Removes a lock, recording who and why first: the record must exist even if the removal is the
 * last thing that happens. Returns the removed holder (undefined if free). A holder that is alive
 * on this host is still running its steps: removing its lock would let a second run overlap it,
 * so that is refused unless `evenIfAlive` says a person means it.
 */
export function forceUnlock(
  stateDir: string,
  target: LockTarget,
  by: { by: string; reason: string; evenIfAlive?: boolean },
  options: LockOptions = {},
): { removed: LockInfo | undefined; wasLocked: boolean } {
  const file = lockFile(stateDir, target);
  const now = options.now ?? (() => new Date());
  const state = inspectFile(file, options);
  if (!state) return { removed: undefined, wasLocked: false };
  const alive = liveHolderHere(state, options);
  if (alive && by.evenIfAlive !== true) throw holderAliveError(target, alive);
  audit(stateDir, now, {
    action: "force-unlock",
    target,
    previous: state.info,
    by: by.by,
    reason: by.reason,
    ...(alive ? { holderAlive: true, evenIfAlive: true } : {}),
  });
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fsyncDir(locksDir(stateDir));
  return { removed: state.info, wasLocked: true };
}

export function lockHeldError(held: LockHeld): RelctlError {
  const environment =
    held.target.environment === "default" ? "" : ` --environment ${held.target.environment}`;
  return new RelctlError("E_LOCK_HELD", ExitCode.blocked, held.message, {
    hint: held.damaged
      ? `if no relctl run is using ${held.target.playbook} on ${held.target.environment}, clear it: relctl unlock --force --reason "…"${environment}`
      : held.stale
        ? "the holder is gone; run again to take the lock over, or `relctl unlock --force --reason …`"
        : "wait for that run to finish, or if it is gone for good: `relctl unlock --force --reason …`",
    details: { target: held.target, holder: held.holder, file: held.file },
  });
}

/** The holder, when it is a process alive on this host (a lock from elsewhere cannot be checked). */
function liveHolderHere(state: LockState, options: LockOptions): LockInfo | undefined {
  const info = state.info;
  if (!info || state.damaged === true || info.hostname !== (options.hostname ?? osHostname()))
    return undefined;
  return (options.isAlive ?? processIsAlive)(info.pid) ? info : undefined;
}

function holderAliveError(target: LockTarget, holder: LockInfo): RelctlError {
  const environment = target.environment === "default" ? "" : ` --environment ${target.environment}`;
  return new RelctlError(
    "E_LOCK_HOLDER_ALIVE",
    ExitCode.blocked,
    `${target.playbook} on ${target.environment} is locked by run ${holder.runId}, whose relctl is still running: pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}: ${holder.command.join(" ")}`,
    {
      hint: `removing its lock would let another run overlap it: stop that relctl (kill ${holder.pid}) or wait for it; if you must, relctl unlock --force --even-if-alive --reason "…"${environment}`,
      details: { target, holder },
    },
  );
}

function heldLock(stateDir: string, file: string, info: LockInfo, now: () => Date): HeldLock {
  let released = false;
  return {
    info,
    file,
    release() {
      if (released) return false;
      released = true;
      const current = parseInfo(readRaw(file));
      // Someone may have force-unlocked and taken it since; their lock is not ours to remove.
      if (!current || current.runId !== info.runId || current.pid !== info.pid) return false;
      unlinkSync(file);
      fsyncDir(locksDir(stateDir));
      audit(stateDir, now, { action: "release", target: info.target, lock: info });
      return true;
    },
  };
}

function inspectFile(file: string, options: LockOptions): LockState | undefined {
  const raw = readRaw(file);
  return raw === undefined ? undefined : judge(file, raw, options);
}

function judge(file: string, raw: string, options: LockOptions): LockState {
  const info = parseInfo(raw);
  // A creator writes its content right after creating the file, in one write: text that still
  // does not parse after readSettled's wait is not a lock being created but a damaged file (or
  // one something else wrote). Only an empty file (NULs after a power cut) means its writer died.
  const written = raw.replace(/[\s\0]/g, "");
  if (!info && written !== "") {
    const start = written.length > 40 ? `${written.slice(0, 40)}…` : written;
    return {
      file,
      state: "held",
      info: undefined,
      damaged: true,
      reason: `the lock file ${file} is damaged: it does not hold a relctl lock (it starts "${start}")`,
    };
  }
  if (!info) {
    let ageMs = 0;
    try {
      ageMs = Date.now() - statSync(file).mtimeMs;
    } catch {
      // removed meanwhile; treat as fresh
    }
    return ageMs > UNREADABLE_GRACE_MS
      ? {
          file,
          state: "stale",
          info: undefined,
          reason: "the lock file is unreadable (its writer died while creating it)",
        }
      : { file, state: "held", info: undefined, reason: "the lock is being created" };
  }
  const host = options.hostname ?? osHostname();
  if (info.hostname !== host) {
    return {
      file,
      state: "held",
      info,
      reason: `held on another host (${info.hostname}); relctl cannot check it from here`,
    };
  }
  const alive = (options.isAlive ?? processIsAlive)(info.pid);
  return alive
    ? { file, state: "held", info, reason: `pid ${info.pid} is running` }
    : { file, state: "stale", info, reason: `pid ${info.pid} is no longer running on ${info.hostname}` };
}

function heldResult(target: LockTarget, file: string, state: LockState): LockHeld {
  const who = state.info
    ? `run ${state.info.runId} (pid ${state.info.pid} on ${state.info.hostname}, since ${state.info.startedAt}: ${state.info.command.join(" ")})`
    : "an unknown holder";
  return {
    kind: "held",
    target,
    file,
    holder: state.info,
    stale: state.state === "stale",
    damaged: state.damaged === true,
    message: state.damaged
      ? `${target.playbook} on ${target.environment} cannot be locked: ${state.reason}`
      : `${target.playbook} on ${target.environment} is locked by ${who}: ${state.reason}`,
  };
}

function audit(stateDir: string, now: () => Date, entry: Record<string, unknown>): void {
  appendJsonLine(lockAuditPath(stateDir), { at: now().toISOString(), ...entry });
}
