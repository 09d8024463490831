// Telling a process apart from a later one that got the same pid, and whether a process group
// still has a live member. relctl needs both to know, after it was killed, whether a step it
// started is still running (an orphan) or long gone (and its pid maybe reused).
//
// On Linux the start time is field 22 of /proc/<pid>/stat (clock ticks since boot): two processes
// with one pid never share it. Elsewhere `ps -o lstart=` gives the start to the second, which is
// enough unless the pid space wraps within a second. A zombie (exited, not yet reaped: orphans
// are reaped by pid 1, which in a container may take its time) counts as gone.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const LINUX = process.platform === "linux";

/** An opaque token that differs between two processes that had the same pid; undefined if gone. */
export function processStartTime(pid: number): string | undefined {
  if (LINUX) {
    const fields = procStat(pid);
    return fields && !isExited(fields.state) ? `linux:${fields.startTicks}` : undefined;
  }
  try {
    const started = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5_000,
    }).trim();
    return started === "" ? undefined : `ps:${started}`;
  } catch {
    return undefined;
  }
}

/** Whether pid is a process that has not exited (a zombie has). */
export function processIsRunning(pid: number): boolean {
  if (!signalZero(pid)) return false;
  if (!LINUX) return true;
  const fields = procStat(pid);
  return fields !== undefined && !isExited(fields.state);
}

/** Whether any process of the group pgid has not exited. */
export function groupIsAlive(pgid: number): boolean {
  if (!signalZero(-pgid)) return false;
  if (!LINUX) return true;
  for (const name of safeReaddir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const fields = procStat(Number(name));
    if (fields && fields.pgrp === pgid && !isExited(fields.state)) return true;
  }
  return false;
}

function signalZero(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface ProcStat {
  state: string;
  pgrp: number;
  startTicks: string;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state), rest[2] field 5 (pgrp), rest[19] field 22 (starttime).
  const [state, , pgrp] = rest;
  const startTicks = rest[19];
  if (state === undefined || pgrp === undefined || startTicks === undefined) return undefined;
  return { state, pgrp: Number(pgrp), startTicks };
}

function isExited(state: string): boolean {
  return state === "Z" || state === "X" || state === "x";
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
