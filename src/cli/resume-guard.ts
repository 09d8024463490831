// Two resumes of one run must not both run it. What a resume skips is decided twice: once to tell
// the person what it will do (before the prompt), and again from the journal re-read while the
// target's lock is held — only that second answer counts, because another resume may have moved
// the run on, or ended it, while this one waited at its prompt or for the lock.
import { hostname as osHostname } from "node:os";
import { ExitCode, RelctlError } from "../errors.js";
import type { RunEvent } from "../run/events.js";
import { readJournal } from "../state/journal.js";
import { readLocks } from "../state/lock.js";
import { completedOutputs, resumePoint, type ResumeOptions, type ResumePoint } from "../state/resume.js";

type RunStart = Extract<RunEvent, { type: "run.start" }>;
type RunEnd = Extract<RunEvent, { type: "run.end" }>;

const RESUMABLE_ENDS: ReadonlySet<string> = new Set(["interrupted", "blocked"]);

/**
 * Refuses (exit 4) to resume a run whose relctl still holds its lock: it is running, and every
 * word about skipping or re-running steps would be wrong.
 */
export function refuseLiveRun(stateDir: string, runId: string): void {
  const held = readLocks(stateDir).find((lock) => lock.state === "held" && lock.info?.runId === runId);
  const holder = held?.info;
  if (!holder) return;
  const here = holder.hostname === osHostname();
  const where = `pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}`;
  throw new RelctlError(
    "E_RUN_STILL_RUNNING",
    ExitCode.blocked,
    here
      ? `run ${runId} is still running: its relctl is alive (${where})`
      : `run ${runId} is still running on another host, as far as relctl can tell from here (${where})`,
    {
      hint: here
        ? `wait for it to end (relctl status ${runId}); if it hangs, stop it (kill ${holder.pid}) and resume then`
        : `wait for it; if that host is gone for good: relctl unlock --force --reason "…", then resume`,
      details: { holder },
    },
  );
}

/**
 * The steps a resume skips, from the journal as it is now (call it holding the lock). Refuses
 * with exit 4 when the run ended, or became impossible to resume, since the first look; tells
 * the person when it moved on.
 */
export function settleResume(
  stateDir: string,
  before: ResumePoint,
  options: ResumeOptions & { say?: (text: string) => void },
): Map<string, { outputs: Record<string, unknown> }> {
  const { events } = readJournal(stateDir, before.runId);
  const now = resumePoint(events, options);
  const ended = lastEnd(events);
  // An interrupted or blocked end can be resumed: only a final one means someone finished it.
  if (!now.resumable && ended && !RESUMABLE_ENDS.has(ended.end.status)) {
    throw new RelctlError(
      "E_RESUME_ENDED_MEANWHILE",
      ExitCode.blocked,
      `run ${before.runId} ended while this resume waited: ${ended.end.status} at ${ended.end.at}, ${finisher(ended.start)}; nothing was run`,
      { hint: `relctl status ${before.runId} shows how it ended` },
    );
  }
  if (!now.resumable) {
    throw new RelctlError(
      "E_RESUME_REFUSED",
      ExitCode.blocked,
      `run ${before.runId} changed while this resume waited and cannot be resumed now: ${now.reason}`,
    );
  }
  const was = before.completed.map((step) => step.step).join(", ");
  const is = now.completed.map((step) => step.step).join(", ");
  if (was !== is) {
    options.say?.(
      `run ${before.runId} moved on while this resume waited: skipping ${is === "" ? "nothing" : is} instead\n`,
    );
  }
  return completedOutputs(now);
}

/** The run.end of the latest start, with that start (which names the process that wrote both). */
function lastEnd(events: readonly RunEvent[]): { start: RunStart | undefined; end: RunEnd } | undefined {
  let start: RunStart | undefined;
  let end: RunEnd | undefined;
  for (const event of events) {
    if (event.type === "run.start") {
      start = event;
      end = undefined;
    } else if (event.type === "run.end") end = event;
  }
  return end ? { start, end } : undefined;
}

function finisher(start: RunStart | undefined): string {
  return start?.pid !== undefined && start.hostname !== undefined
    ? `finished by relctl pid ${start.pid} on ${start.hostname}`
    : "finished by another relctl (its journal does not say which)";
}
