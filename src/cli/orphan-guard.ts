// Before a run takes over a stale lock or resumes a run, no step of the dead relctl may still be
// running: the same step would run twice at once. Found orphans refuse the run (exit 4), naming
// each step, pid and how long it has run; with --stop-orphans relctl stops each one's process
// group (SIGTERM, then SIGKILL), waits until it is gone, records that in the lock audit, and goes
// on. An orphan on another host cannot be checked from here; relctl says so (that host's lock
// already needed a person's `relctl unlock --force`).
import { hostname } from "node:os";
import { ExitCode, RelctlError } from "../errors.js";
import { stopGroup } from "../run/process-groups.js";
import { inspectLock, type LockTarget } from "../state/lock.js";
import { lockSteps } from "../state/lock-steps.js";
import { appendJsonLine } from "../state/jsonl.js";
import { checkOrphan, runProcesses, uniqueProcesses, type StepProcess } from "../state/orphans.js";
import { lockAuditPath } from "../state/paths.js";
import { formatDuration } from "../util/duration.js";
import type { Io } from "./io.js";

export interface OrphanGuardInput {
  stateDir: string;
  /** The targets the run is about to lock: a stale holder's steps are looked for. */
  targets: readonly LockTarget[];
  /** The run being resumed, whose in-flight steps are looked for. */
  resumeRunId?: string;
  stopOrphans: boolean;
  /** How the person runs this again with --stop-orphans (for the refusal's hint). */
  retry: string;
  /** The command line recorded with a stop (already redacted). */
  command: string[];
  io: Io;
  now?: () => Date;
}

export async function guardAgainstOrphans(input: OrphanGuardInput): Promise<void> {
  const now = input.now ?? (() => new Date());
  const recorded = uniqueProcesses([
    ...(input.resumeRunId ? runProcesses(input.stateDir, input.resumeRunId) : []),
    ...input.targets.flatMap((target) => staleHolderProcesses(input.stateDir, target)),
  ]);
  const host = hostname();
  const orphans: StepProcess[] = [];
  for (const entry of recorded) {
    const state = checkOrphan(entry, host);
    if (state === "orphan") orphans.push(entry);
    if (state === "elsewhere") {
      input.io.err(
        `${input.io.color.yellow("warning")}: step ${entry.step} of run ${entry.runId} was running on ${entry.hostname} (pid ${entry.pid}); relctl cannot check from here whether it still runs\n`,
      );
    }
  }
  if (orphans.length === 0) return;
  if (!input.stopOrphans) throw orphansRunning(orphans, input.retry, now());
  for (const orphan of orphans) {
    // Checked again right before the signal: it may have ended meanwhile, and its pid be reused.
    if (checkOrphan(orphan, host) !== "orphan") continue;
    input.io.err(
      `stopping step ${orphan.step} of run ${orphan.runId}: process group ${orphan.pgid} (SIGTERM, then SIGKILL)…\n`,
    );
    const stopped = await stopGroup(orphan.pgid);
    appendJsonLine(lockAuditPath(input.stateDir), {
      at: now().toISOString(),
      action: "stop-orphan",
      runId: orphan.runId,
      stage: orphan.stage,
      step: orphan.step,
      pid: orphan.pid,
      pgid: orphan.pgid,
      hostname: orphan.hostname,
      startedAt: orphan.at,
      signal: stopped.killed ? "SIGKILL" : "SIGTERM",
      gone: stopped.gone,
      by: { pid: process.pid, command: input.command },
    });
    if (!stopped.gone) {
      throw new RelctlError(
        "E_ORPHAN_UNSTOPPABLE",
        ExitCode.blocked,
        `step ${orphan.step} of run ${orphan.runId} did not stop: process group ${orphan.pgid} still has processes after SIGKILL`,
        { hint: `look at it (ps -g ${orphan.pgid} -o pid,stat,args) before running anything on this target` },
      );
    }
  }
}

/** The step processes of a lock whose holder is gone: what a takeover would run beside. */
function staleHolderProcesses(stateDir: string, target: LockTarget): StepProcess[] {
  const lock = inspectLock(stateDir, target);
  if (lock?.state !== "stale" || !lock.info) return [];
  return [...lockSteps(lock.info), ...runProcesses(stateDir, lock.info.runId)];
}

function orphansRunning(orphans: readonly StepProcess[], retry: string, now: Date): RelctlError {
  const lines = orphans.map((orphan) => {
    const ranMs = Math.max(0, now.getTime() - Date.parse(orphan.at));
    const ran = Number.isFinite(ranMs) ? ` for ${formatDuration(ranMs)}` : "";
    return `step ${orphan.step} of run ${orphan.runId} is still running as pid ${orphan.pid} (${orphan.program}, process group ${orphan.pgid})${ran}, left by a relctl that is gone (pid ${orphan.relctl.pid})`;
  });
  const one = orphans.length === 1;
  return new RelctlError(
    "E_ORPHAN_RUNNING",
    ExitCode.blocked,
    `${lines.join("\n")}\nnothing was run: running ${one ? "that step" : "those steps"} again beside ${one ? "it" : "them"} would run ${one ? "it" : "them"} twice at once`,
    {
      hint: `let ${one ? "it" : "them"} finish, or stop ${one ? "it" : "them"}: ${retry} (SIGTERM to the process group, SIGKILL after 3s; recorded in the lock audit)`,
      details: { orphans },
    },
  );
}
