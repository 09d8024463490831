// Where a run stands, worked out from its journal alone: `relctl status [run]` prints this and
// `relctl history` lists one line per run. A run can span several starts (a crash, then
// `relctl resume`): stages and steps are merged by name and the latest news wins, except that a
// step that succeeded keeps its original record when a later start merely reports it as done.
import { readdirSync } from "node:fs";
import type { RunEvent, RunStatus, StageStatus, StepErrorInfo, StepStatus } from "../run/events.js";
import { readJournal } from "./journal.js";
import { stateFileError } from "./fs-errors.js";
import { runsDir } from "./paths.js";
import { readLocks, type IsAlive } from "./lock.js";

/** `running`: a live process holds the run; `crashed`: no run.end and nobody holds it. */
export type RunOutcome = RunStatus | "running" | "crashed";
/** `unfinished`: started but never ended, in a run that is no longer running. */
export type LiveStatus = "running" | "unfinished";

export interface StepSummary {
  stage: string;
  step: string;
  name: string;
  uses?: string;
  status: StepStatus | LiveStatus;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Outputs of a succeeded step. */
  outputs?: Record<string, unknown>;
  error?: StepErrorInfo;
  reason?: string;
}

export interface StageSummary {
  stage: string;
  role: "requested" | "on_failure";
  status: StageStatus | LiveStatus;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  failedStep?: string;
  steps: StepSummary[];
}

export interface RunSummary {
  runId: string;
  name?: string;
  playbook?: string;
  /** Present when the engine records it in run.start. */
  playbookDigest?: string;
  environment?: string;
  stages: string[];
  vars: Record<string, unknown>;
  dryRun: boolean;
  outcome: RunOutcome;
  exitCode?: number;
  message?: string;
  failedStage?: string;
  failedStep?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** How many times the run was started: 1, plus one per resume. */
  starts: number;
  stageSummaries: StageSummary[];
  /** run.warning messages, in order: also those recorded after the run ended (unsigned evidence). */
  warnings: string[];
  /**
   * Of a run that ended after its steps ran: `written` when the journal says its records (train
   * record, last known good, evidence bundle) are, `missing` when relctl stopped before (then
   * `relctl resume` writes them). Absent for a run still going, or refused before any step.
   */
  records?: "written" | "missing";
  lastEvent?: RunEvent;
  eventCount: number;
}

export interface SummaryOptions {
  /** Whether a live process still holds the run (see listRuns); decides running vs crashed. */
  live?: boolean;
  /** The run's id when known from elsewhere (its folder): an empty journal names none. */
  runId?: string;
}

export function runSummary(events: readonly RunEvent[], options: SummaryOptions = {}): RunSummary {
  const summary: RunSummary = {
    runId: options.runId ?? events[0]?.runId ?? "",
    stages: [],
    vars: {},
    dryRun: false,
    outcome: options.live ? "running" : "crashed",
    starts: 0,
    stageSummaries: [],
    warnings: [],
    eventCount: events.length,
    ...(events.length > 0 ? { lastEvent: events.at(-1) } : {}),
  };
  const stages = new Map<string, StageSummary>();
  // `open`: the step started and has not ended since (a later end is its real result).
  const steps = new Map<string, StepSummary & { open: boolean }>();
  const live: LiveStatus = options.live ? "running" : "unfinished";
  // Since the latest start: did stages run (so records follow its run.end), and are they written.
  let ranStages = false;
  let ended = false;
  let recorded = false;

  for (const event of events) {
    switch (event.type) {
      case "run.start": {
        summary.starts += 1;
        if (summary.starts === 1) {
          Object.assign(summary, {
            name: event.name,
            playbook: event.playbook,
            stages: event.stages,
            vars: event.vars,
            dryRun: event.dryRun,
            startedAt: event.at,
            ...optionalStrings(event, ["playbookDigest", "environment"]),
          });
        }
        // A resumed run has not ended yet, whatever an earlier start said.
        summary.outcome = options.live ? "running" : "crashed";
        ranStages = ended = recorded = false;
        for (const key of [
          "exitCode",
          "endedAt",
          "durationMs",
          "message",
          "failedStage",
          "failedStep",
        ] as const)
          delete summary[key];
        break;
      }
      case "stage.start": {
        ranStages = true;
        const stage = stageFor(event.stage);
        Object.assign(stage, { role: event.role, status: live, startedAt: stage.startedAt ?? event.at });
        break;
      }
      case "stage.end": {
        const stage = stageFor(event.stage);
        Object.assign(stage, { status: event.status, endedAt: event.at, durationMs: event.durationMs });
        if (event.failedStep !== undefined) stage.failedStep = event.failedStep;
        else delete stage.failedStep;
        break;
      }
      case "step.start": {
        const step = stepFor(event.stage, event.step, event.name);
        Object.assign(step, { uses: event.uses, status: live, attempts: event.attempt, open: true });
        step.startedAt ??= event.at;
        delete step.error;
        break;
      }
      case "step.end": {
        const step = stepFor(event.stage, event.step, event.name);
        // A resumed run reports a step that succeeded earlier without starting it again
        // ("completed in an earlier attempt"); the original record (timing, attempts) stands.
        if (step.status === "succeeded" && !step.open) break;
        Object.assign(step, {
          status: event.status,
          attempts: Math.max(step.attempts, event.attempts),
          endedAt: event.at,
          durationMs: event.durationMs,
          open: false,
        });
        for (const key of ["outputs", "error", "reason"] as const) {
          if (event[key] !== undefined) Object.assign(step, { [key]: event[key] });
          else delete step[key];
        }
        if (event.status !== "succeeded") delete step.outputs;
        break;
      }
      case "run.warning":
        summary.warnings.push(event.message);
        break;
      case "run.records":
        recorded = true;
        break;
      case "run.end":
        ended = true;
        Object.assign(summary, {
          outcome: event.status,
          exitCode: event.exitCode,
          endedAt: event.at,
          durationMs: event.durationMs,
          ...optionalStrings(event, ["message", "failedStage", "failedStep"]),
        });
        break;
      default:
        break;
    }
  }
  summary.stageSummaries = [...stages.values()];
  if (ended && ranStages && !summary.dryRun) summary.records = recorded ? "written" : "missing";
  for (const { open: _open, ...step } of steps.values()) {
    const stage = stages.get(step.stage);
    if (stage) stage.steps.push(step);
  }
  return summary;

  /** The stage's summary, created on first sight as requested; its stage.start sets the real role. */
  function stageFor(name: string): StageSummary {
    let stage = stages.get(name);
    if (!stage) {
      stage = { stage: name, role: "requested", status: live, steps: [] };
      stages.set(name, stage);
    }
    return stage;
  }

  function stepFor(stage: string, id: string, name: string): StepSummary & { open: boolean } {
    const key = `${stage}\0${id}`;
    let step = steps.get(key);
    if (!step) {
      step = { stage, step: id, name, status: live, attempts: 0, open: false };
      steps.set(key, step);
      stageFor(stage);
    }
    return step;
  }
}

function optionalStrings(source: object, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key];
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

export interface RunListEntry {
  runId: string;
  name?: string;
  environment?: string;
  stages: string[];
  outcome: RunOutcome;
  exitCode?: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  dryRun: boolean;
  starts: number;
  /** The journal ends in a torn line (the writer was killed mid-write). */
  torn: boolean;
  /** The journal could not be read at all (corrupt); the entry carries only the id. */
  problem?: string;
}

/** What an empty journal means: relctl stopped before it recorded the run's start. */
export const EMPTY_JOURNAL =
  "its journal is empty: relctl stopped before recording the run's start (or the run is only now starting), or the file was truncated";

/** Every run in the state directory, newest first, for `relctl history`. */
export function listRuns(
  stateDir: string,
  options: { isAlive?: IsAlive; hostname?: string } = {},
): RunListEntry[] {
  let ids: string[];
  try {
    ids = readdirSync(runsDir(stateDir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw stateFileError(error, runsDir(stateDir), "list the runs in");
  }
  const liveRuns = new Set(
    readLocks(stateDir, options)
      .filter((lock) => lock.state === "held" && lock.info !== undefined)
      .map((lock) => lock.info!.runId),
  );
  const entries = ids.map((runId): RunListEntry => {
    try {
      const read = readJournal(stateDir, runId);
      if (read.events.length === 0) throw new Error(EMPTY_JOURNAL);
      const summary = runSummary(read.events, { live: liveRuns.has(runId), runId });
      return {
        runId,
        stages: summary.stages,
        outcome: summary.outcome,
        dryRun: summary.dryRun,
        starts: summary.starts,
        torn: read.torn !== undefined,
        ...pick(summary, ["name", "environment", "exitCode", "startedAt", "endedAt", "durationMs"]),
      };
    } catch (error) {
      return {
        runId,
        stages: [],
        outcome: "crashed",
        dryRun: false,
        starts: 0,
        torn: false,
        problem: String((error as Error).message),
      };
    }
  });
  // Newest first; an unreadable journal has no start time and goes last.
  return entries.sort(
    (a, b) => (b.startedAt ?? "").localeCompare(a.startedAt ?? "") || b.runId.localeCompare(a.runId),
  );
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
