// What `relctl resume <run>` may take as done. The rule is at-least-once, never at-most-once:
// a step counts as completed only when the journal holds its successful step.end, so a step that
// was running when relctl died runs again (it may have half happened; actions are written to be
// re-runnable), and a step that finished is never repeated. Gates are the exception: a verdict
// describes the world at the moment it was measured, so a gate that passed before the crash is
// measured again before anything after it runs.
import type { RunEvent } from "../run/events.js";
import { REDACTED } from "../run/redact.js";
import { RelctlError, ExitCode } from "../errors.js";

export interface StepRef {
  stage: string;
  step: string;
  uses?: string;
}

export interface CompletedStep extends StepRef {
  outputs: Record<string, unknown>;
  endedAt: string;
  /** Output names whose value holds a redacted secret (`***`): a resumed run cannot use them. */
  redactedOutputs: string[];
}

export interface ResumePoint {
  runId: string;
  playbook?: string;
  name?: string;
  /** The digest the run started with (from run.start); resume refuses a different playbook. */
  playbookDigest?: string;
  /** The stages requested by the first start, in run order: a resume runs the same ones. */
  stages: string[];
  vars: Record<string, unknown>;
  /** Steps that must not run again, in the order they completed. */
  completed: CompletedStep[];
  /** Gates that passed before the stop: they run again. */
  recheck: StepRef[];
  /** Steps that started but never ended: they run again and may have partly happened. */
  inFlight: StepRef[];
  resumable: boolean;
  /** Why not, when not resumable. */
  reason?: string;
}

export interface ResumeOptions {
  /** True for actions whose success must be re-measured (e.g. `uses === "prometheus.gate"`). */
  isGate: (uses: string) => boolean;
}

const FINISHED = new Set(["succeeded", "failed", "rolled_back", "rollback_failed", "planned"]);

export function resumePoint(events: readonly RunEvent[], options: ResumeOptions): ResumePoint {
  const point: ResumePoint = {
    runId: events[0]?.runId ?? "",
    stages: [],
    vars: {},
    completed: [],
    recheck: [],
    inFlight: [],
    resumable: true,
  };
  const done = new Map<string, CompletedStep>();
  const passedGates = new Map<string, StepRef>();
  const running = new Map<string, StepRef>();
  const uses = new Map<string, string>();
  let started = false;
  let dryRun = false;
  let ended: string | undefined;
  // A requested stage that failed (and has not passed since), and the on_failure stage started.
  const roles = new Map<string, string>();
  let failedStage: string | undefined;
  let handler: string | undefined;

  for (const event of events) {
    if (event.type === "run.start") {
      ended = undefined;
      if (!started) {
        started = true;
        dryRun = event.dryRun;
        Object.assign(point, {
          playbook: event.playbook,
          name: event.name,
          stages: event.stages,
          vars: event.vars,
        });
        if (typeof event.playbookDigest === "string") point.playbookDigest = event.playbookDigest;
      }
    } else if (event.type === "step.start") {
      const key = stepKey(event.stage, event.step);
      uses.set(key, event.uses);
      // Running again voids an earlier success until this attempt ends well.
      done.delete(key);
      passedGates.delete(key);
      running.set(key, { stage: event.stage, step: event.step, uses: event.uses });
    } else if (event.type === "step.end") {
      const key = stepKey(event.stage, event.step);
      const wasRunning = running.delete(key);
      const stepUses = uses.get(key);
      const ref: StepRef = { stage: event.stage, step: event.step, ...(stepUses ? { uses: stepUses } : {}) };
      if (event.status === "succeeded") {
        done.delete(key);
        passedGates.delete(key);
        if (stepUses !== undefined && options.isGate(stepUses)) passedGates.set(key, ref);
        else done.set(key, toCompleted(ref, event.outputs ?? {}, event.at));
      } else if (wasRunning) {
        // It ran and did not succeed; whatever it did before is not a completion.
        done.delete(key);
        passedGates.delete(key);
      }
      // A skipped or cancelled end without a start (a resumed run passing over a finished step)
      // changes nothing.
    } else if (event.type === "stage.start") {
      roles.set(event.stage, event.role);
      if (event.role === "on_failure") handler = event.stage;
    } else if (event.type === "stage.end" && roles.get(event.stage) === "requested") {
      if (event.status === "failed") failedStage = event.stage;
      else if (event.status === "succeeded" && failedStage === event.stage) failedStage = undefined;
    } else if (event.type === "run.end") {
      ended = event.status;
    }
  }

  point.completed = [...done.values()];
  point.recheck = [...passedGates.values()];
  point.inFlight = [...running.values()];
  if (!started)
    return { ...point, resumable: false, reason: "the journal has no run.start: the run never began" };
  if (dryRun) return { ...point, resumable: false, reason: "it was a dry-run; nothing to resume" };
  if (ended !== undefined && FINISHED.has(ended)) {
    return { ...point, resumable: false, reason: `it already ended (${ended}); start a new run instead` };
  }
  if (failedStage !== undefined) {
    // The run had decided to roll back. Resuming would run the failed step again and, if it
    // passed now, report success over a half-done rollback (and record a last known good).
    const cut = handler ? ` and its on_failure stage ${handler} was cut off` : "";
    return {
      ...point,
      resumable: false,
      reason: `stage ${failedStage} failed${cut}; resuming would retry the failed step instead of finishing the rollback: run relctl run ${handler ?? "rollback"} to finish it`,
    };
  }
  return point;
}

/** The engine's `completed` option (RunOptions.completed): outputs by step id. */
export function completedOutputs(point: ResumePoint): Map<string, { outputs: Record<string, unknown> }> {
  return new Map(point.completed.map((entry) => [entry.step, { outputs: entry.outputs }]));
}

/**
 * Throws the refusal `relctl resume` reports when the run cannot be resumed as it is: it ended,
 * or the playbook is no longer the one it started with (steps, inputs or order may differ, so
 * "completed" would no longer mean the same thing).
 */
export function assertResumable(point: ResumePoint, current: { playbookDigest: string }): void {
  if (!point.resumable) {
    throw new RelctlError(
      "E_RESUME_REFUSED",
      ExitCode.invalid,
      `run ${point.runId} cannot be resumed: ${point.reason}`,
    );
  }
  if (point.playbookDigest === undefined) {
    throw new RelctlError(
      "E_RESUME_REFUSED",
      ExitCode.invalid,
      `run ${point.runId} cannot be resumed: its journal does not record which playbook it ran`,
      { hint: "start a new run" },
    );
  }
  if (point.playbookDigest !== current.playbookDigest) {
    throw new RelctlError(
      "E_RESUME_PLAYBOOK_CHANGED",
      ExitCode.invalid,
      `run ${point.runId} cannot be resumed: the playbook changed since it started ` +
        `(${shortDigest(point.playbookDigest)} then, ${shortDigest(current.playbookDigest)} now)`,
      { hint: "restore the playbook the run started with, or start a new run" },
    );
  }
}

function toCompleted(ref: StepRef, outputs: Record<string, unknown>, endedAt: string): CompletedStep {
  const redactedOutputs = Object.entries(outputs)
    .filter(([, value]) => JSON.stringify(value)?.includes(REDACTED))
    .map(([name]) => name);
  return { ...ref, outputs, endedAt, redactedOutputs };
}

function stepKey(stage: string, step: string): string {
  return `${stage}\0${step}`;
}

function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:)?([0-9a-f]{12})[0-9a-f]+$/, "$1$2");
}
