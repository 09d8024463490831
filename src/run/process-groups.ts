// Every step's program runs in a process group of its own (its pid is the group id), so that
// stopping a step stops everything it started — `sh -c '…; sleep 40; …'` included — and not only
// the direct child. Stopping is SIGTERM to the whole group, then SIGKILL after a grace period,
// then waiting until no member is left: a run's lock is released, and relctl exits, only once
// nothing of its steps runs any more.
//
// The groups of the steps running right now are kept here, so the run can make sure none is
// left before it lets go of its lock (stopRunningGroups), whatever path it ends by.
import { groupIsAlive } from "./process-identity.js";

/** How long a group gets to exit after SIGTERM before it is killed. */
export const KILL_GRACE_MS = 3_000;
/** After SIGKILL a group is gone within milliseconds unless the kernel holds it (disk sleep). */
const AFTER_KILL_LIMIT_MS = 10_000;
const POLL_MS = 20;

export interface GroupStopped {
  /** Whether SIGKILL was needed (it outlived the grace period after SIGTERM). */
  killed: boolean;
  /** False only when members were still there after SIGKILL and the wait gave up. */
  gone: boolean;
}

const running = new Set<number>();
const stopping = new Map<number, Promise<GroupStopped>>();

export function trackGroup(pgid: number): void {
  running.add(pgid);
}

export function untrackGroup(pgid: number): void {
  running.delete(pgid);
}

/** Sends a signal to every process of the group; false when there is no such group. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/**
 * SIGTERM to the group, SIGKILL to what is left after the grace period, and resolves once no
 * member is left. Asking again while a stop is under way joins that stop.
 */
export function stopGroup(pgid: number, graceMs: number = KILL_GRACE_MS): Promise<GroupStopped> {
  const under = stopping.get(pgid);
  if (under) return under;
  const stop = (async (): Promise<GroupStopped> => {
    signalGroup(pgid, "SIGTERM");
    if (await goneWithin(pgid, graceMs)) return { killed: false, gone: true };
    signalGroup(pgid, "SIGKILL");
    return { killed: true, gone: await goneWithin(pgid, AFTER_KILL_LIMIT_MS) };
  })().finally(() => stopping.delete(pgid));
  stopping.set(pgid, stop);
  return stop;
}

/** Stops every step group this process still has running (normally none by then). */
export async function stopRunningGroups(graceMs: number = KILL_GRACE_MS): Promise<void> {
  await Promise.all([...running].map((pgid) => stopGroup(pgid, graceMs)));
  running.clear();
}

async function goneWithin(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!groupIsAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
