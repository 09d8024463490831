// Runs one stage: steps start when the steps they need are over, up to the stage's `concurrency`
// (or the run's default) at once.
// The first failure (without continue_on_error) cancels the steps still running, and steps
// that never started are reported as cancelled, so every step of the stage has an end event.
import { setMaxListeners } from "node:events";
import type { StepState } from "../playbook/expr/index.js";
import type { StageDef, StepDef } from "../playbook/model.js";
import type { StageStatus, StepErrorInfo } from "./events.js";
import { ReadyQueue } from "./ready-queue.js";
import type { RunContext } from "./run-context.js";
import { reasonOf, runStep, stepName, type StepOutcome } from "./step-runner.js";

export interface StageResult {
  status: StageStatus;
  failedStep?: string;
  /** The failed step's error kind, to tell a failed gate (exit 3) from a failed step (exit 1). */
  failureKind?: StepErrorInfo["kind"];
  failureMessage?: string;
  /** Dry-run: steps that could not be planned or whose read-only run failed. */
  planProblems: number;
}

const FAILED: ReadonlySet<StepState["status"]> = new Set(["failed", "timed_out", "cancelled"]);

export async function runStage(
  stage: StageDef,
  role: "requested" | "on_failure",
  run: RunContext,
  runSignal: AbortSignal,
): Promise<StageResult> {
  const started = run.clock.now().getTime();
  run.emit({ type: "stage.start", stage: stage.name, role, steps: stage.steps.length });
  const controller = new AbortController();
  // Every running step listens on the stage's signal: a stage of 100 parallel steps is no leak.
  setMaxListeners(0, controller.signal);
  const onRunAbort = () => controller.abort(runSignal.reason);
  if (runSignal.aborted) onRunAbort();
  else runSignal.addEventListener("abort", onRunAbort, { once: true });

  let failure: { step: string; kind: StepErrorInfo["kind"]; message?: string } | undefined;
  let planProblems = 0;
  const running = new Map<string, Promise<void>>();
  // A dry-run plans one step at a time so the plan reads in the same order every time.
  const limit = run.dryRun ? 1 : Math.max(1, stage.concurrency ?? run.concurrency);
  const queue = new ReadyQueue(stage.steps);

  const start = (step: StepDef): void => {
    const task = executeStep(step, run, controller.signal).then((state) => {
      running.delete(step.id);
      queue.finished(step.id);
      if (run.dryRun) {
        // A plan goes on after a read-only step fails, so it shows every problem and every
        // step; what the failed step would have produced is shown as known at run time.
        run.scope.steps[step.id] = FAILED.has(state.status) ? { status: "planned", outputs: {} } : state;
        if (FAILED.has(state.status)) planProblems++;
        return;
      }
      run.scope.steps[step.id] = state;
      if (FAILED.has(state.status) && !(step.continueOnError && state.status !== "cancelled") && !failure) {
        failure = { step: step.id, kind: state.error?.kind ?? "failed", message: state.error?.message };
        controller.abort(new Error(`step ${step.id} failed`));
      }
    });
    running.set(step.id, task);
  };

  try {
    while (queue.hasUnstarted || running.size > 0) {
      if (!controller.signal.aborted) {
        while (running.size < limit) {
          const step = queue.take();
          if (!step) break;
          start(step);
        }
      } else {
        for (const step of queue.drainUnstarted()) cancelUnstarted(step, run, reasonOf(controller.signal));
      }
      if (running.size === 0) {
        // Nothing can start (needs of a step that never ran): cannot happen after validation.
        for (const step of queue.drainUnstarted()) cancelUnstarted(step, run, "its needs never finished");
        break;
      }
      await Promise.race(running.values());
    }
  } finally {
    runSignal.removeEventListener("abort", onRunAbort);
  }

  const status: StageStatus = runSignal.aborted
    ? "cancelled"
    : failure
      ? "failed"
      : run.dryRun
        ? "planned"
        : "succeeded";
  run.emit({
    type: "stage.end",
    stage: stage.name,
    status,
    durationMs: run.clock.now().getTime() - started,
    ...(failure ? { failedStep: failure.step } : {}),
  });
  return {
    status,
    planProblems,
    ...(failure
      ? { failedStep: failure.step, failureKind: failure.kind, failureMessage: failure.message }
      : {}),
  };
}

async function executeStep(step: StepDef, run: RunContext, signal: AbortSignal): Promise<StepOutcome> {
  const done = run.completed.get(step.id);
  if (done) {
    run.emit({
      type: "step.end",
      stage: step.stage,
      step: step.id,
      name: stepName(step, run),
      status: "succeeded",
      durationMs: 0,
      attempts: 0,
      outputs: done.outputs,
      reason: "completed in an earlier attempt of this run",
    });
    return { status: "succeeded", outputs: done.outputs };
  }
  const action = run.actions.get(step.id);
  if (!action) throw new Error(`no action loaded for step ${step.id} (${step.uses})`);
  return runStep(step, action, run, signal);
}

function cancelUnstarted(step: StepDef, run: RunContext, reason: string): void {
  run.scope.steps[step.id] = { status: "cancelled", outputs: {} };
  run.emit({
    type: "step.end",
    stage: step.stage,
    step: step.id,
    name: stepName(step, run),
    status: "cancelled",
    durationMs: 0,
    attempts: 0,
    reason: `not started: ${reason}`,
  });
}
