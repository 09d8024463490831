// Orphans: a step's process group that still runs after the relctl that started it is gone
// (killed -9, OOM, a lost CI runner). Running that step again beside it would run it twice at
// once, so `relctl resume` and a stale-lock takeover look for them first.
//
// A step's processes are known from the journal (`step.process`, synced when it starts) and from
// the run's lock, which lists the ones running. A recorded group is an orphan when it is on this
// host, the relctl that started it is no longer running, and the group still has a live member
// that is the one recorded: its leader has the recorded start time, or the leader has exited and
// members are left (Linux does not hand out a pid while it is still some group's id).
import { existsSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import type { RunEvent, RunEventBody } from "../run/events.js";
import { groupIsAlive, processIsRunning, processStartTime } from "../run/process-identity.js";
import { readJournal } from "./journal.js";
import { journalPath } from "./paths.js";

/** One program a step started, as the journal and the lock record it. */
export type StepProcess = Omit<Extract<RunEventBody, { type: "step.process" }>, "type"> & {
  runId: string;
  /** When it started (the journal event's time). */
  at: string;
};

export type OrphanCheck =
  | "orphan"
  /** Gone, or its pid now belongs to another process. */
  | "gone"
  /** Its relctl still runs it: not an orphan (that run's lock keeps others out). */
  | "owned"
  /** Started on another host: its pids mean nothing here. */
  | "elsewhere";

/** The processes of steps that had started and not ended when the journal stops. */
export function inFlightProcesses(events: readonly RunEvent[]): StepProcess[] {
  const byStep = new Map<string, StepProcess[]>();
  for (const event of events) {
    if (event.type !== "step.process" && event.type !== "step.end") continue;
    const key = `${event.stage}\0${event.step}`;
    if (event.type === "step.process") {
      const list = byStep.get(key) ?? [];
      list.push(stepProcessOf(event));
      byStep.set(key, list);
    } else if (event.type === "step.end") {
      byStep.delete(key);
    }
  }
  return [...byStep.values()].flat();
}

export function stepProcessOf(event: Extract<RunEvent, { type: "step.process" }>): StepProcess {
  return {
    runId: event.runId,
    stage: event.stage,
    step: event.step,
    program: event.program,
    pid: event.pid,
    pgid: event.pgid,
    ...(event.startTime !== undefined ? { startTime: event.startTime } : {}),
    hostname: event.hostname,
    at: event.at,
    relctl: event.relctl,
  };
}

/** The in-flight step processes of a run's journal ([] when it has none, or no journal yet). */
export function runProcesses(stateDir: string, runId: string): StepProcess[] {
  if (!existsSync(journalPath(stateDir, runId))) return [];
  return inFlightProcesses(readJournal(stateDir, runId).events);
}

export function checkOrphan(recorded: StepProcess, host: string = osHostname()): OrphanCheck {
  if (recorded.hostname !== host) return "elsewhere";
  if (isSameProcess(recorded.relctl.pid, recorded.relctl.startTime)) return "owned";
  if (!groupIsAlive(recorded.pgid)) return "gone";
  const leader = processStartTime(recorded.pid);
  if (leader === undefined || recorded.startTime === undefined || leader === recorded.startTime)
    return "orphan";
  return "gone";
}

function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!processIsRunning(pid)) return false;
  return startTime === undefined || processStartTime(pid) === startTime;
}

/** The same process recorded twice (the journal and the lock) counts once. */
export function uniqueProcesses(list: readonly StepProcess[]): StepProcess[] {
  const seen = new Map<string, StepProcess>();
  for (const entry of list) seen.set(`${entry.hostname}\0${entry.pgid}\0${entry.startTime ?? ""}`, entry);
  return [...seen.values()];
}

/** A step process read back from a lock file, or undefined when it is not one. */
export function parseStepProcess(value: unknown): StepProcess | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const entry = value as Partial<StepProcess>;
  const ok =
    typeof entry.runId === "string" &&
    typeof entry.stage === "string" &&
    typeof entry.step === "string" &&
    typeof entry.pid === "number" &&
    typeof entry.pgid === "number" &&
    typeof entry.hostname === "string" &&
    typeof entry.at === "string" &&
    typeof entry.relctl?.pid === "number";
  return ok ? ({ program: "", ...entry } as StepProcess) : undefined;
}
