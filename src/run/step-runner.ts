// runStep: the one wrapper every step runs through. It owns the rules that cut across all
// executors — the `if:` condition, rendering inputs, dry-run (plan instead of run), timeouts,
// retries with backoff, cancellation, events and timing — so no executor repeats them.
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import {
  actionMutates,
  actionRunsInDryRun,
  StepFailure,
  type Action,
  type ActionContext,
} from "../executors/contract.js";
import {
  collectUnresolved,
  evaluateCondition,
  evaluateTemplate,
  ExpressionError,
  renderDeep,
  Unresolved,
  type StepState,
} from "../playbook/expr/index.js";
import type { StepDef } from "../playbook/model.js";
import { inputProblemLine } from "../playbook/rules/input-issues.js";
import { formatDuration } from "../util/duration.js";
import { setLongTimeout } from "../util/timer.js";
import { toPlain } from "./emitter.js";
import type { StepErrorInfo, StepStatus } from "./events.js";
import { planWithStandIns } from "./stand-ins.js";
import type { ProcessRunner } from "./process.js";
import { relctlProcess as self } from "./relctl-process.js";
import type { RunContext } from "./run-context.js";

/** After an abort, how long a step gets to stop its child process before the run moves on. */
const ABORT_GRACE_MS = 8_000;

export type StepOutcome = StepState & { error?: StepErrorInfo };

export async function runStep(
  step: StepDef,
  action: Action,
  run: RunContext,
  stageSignal: AbortSignal,
): Promise<StepOutcome> {
  const started = run.clock.now().getTime();
  const name = stepName(step, run);
  const base = { stage: step.stage, step: step.id };
  const end = (
    status: StepStatus,
    extra: {
      outputs?: Record<string, unknown>;
      error?: StepErrorInfo;
      reason?: string;
      attempts?: number;
      continuedOnError?: boolean;
    } = {},
  ): StepOutcome => {
    const { attempts = 0, ...rest } = extra;
    const durationMs = run.clock.now().getTime() - started;
    run.emit({ type: "step.end", ...base, name, status, durationMs, attempts, ...rest });
    return { status, outputs: extra.outputs ?? {}, ...(extra.error ? { error: extra.error } : {}) };
  };

  let condition: boolean | "runtime" = true;
  let rendered: unknown;
  try {
    if (step.if !== undefined) {
      const value = evaluateCondition(step.if, run.scope);
      condition = value instanceof Unresolved ? "runtime" : value;
    }
    rendered = renderDeep(step.with, run.scope);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return end("failed", { error: { kind: "failed", message: `expression: ${error.message}` } });
  }
  const unresolved = collectUnresolved(rendered);
  const parsed = action.input.safeParse(run.dryRun ? toPlain(rendered) : rendered);
  const inputProblem = parsed.success
    ? undefined
    : inputProblemLine(parsed.error.issues, rendered, step.with);
  const inputHint = parsed.success ? {} : hintOf(parsed.error.issues);
  const input: unknown = parsed.success ? parsed.data : undefined;
  // A dry-run whose inputs wait on run-time values the schema refuses plans with stand-ins.
  const standIn =
    run.dryRun && input === undefined && unresolved.length > 0
      ? planWithStandIns(step, action, run)
      : undefined;
  const mutates =
    standIn?.mutates ?? (input === undefined ? true : safely(() => actionMutates(action, input), true));

  if (run.dryRun) {
    const runsNow =
      condition === true &&
      unresolved.length === 0 &&
      input !== undefined &&
      safely(() => actionRunsInDryRun(action, input), false);
    // A plan that throws is a bug in the executor: the dry-run says so instead of a blank plan.
    let planProblem: string | undefined;
    const plan =
      input === undefined
        ? (standIn?.plan ?? null)
        : safely(
            () => action.plan(input),
            null,
            (error) => (planProblem = error instanceof Error ? error.message : String(error)),
          );
    run.emit({
      type: "step.plan",
      ...base,
      name,
      uses: step.uses,
      mutates,
      runsInDryRun: runsNow,
      condition,
      dependsOn: step.dependsOn,
      input: rendered,
      plan,
      runtimeValues: [...new Set(unresolved.flatMap((value) => value.refs))],
    });
    if (condition === false) return end("skipped", { reason: "condition is false" });
    if (planProblem !== undefined) {
      return end("failed", {
        error: { kind: "failed", message: `${step.uses} could not plan this step: ${planProblem}` },
      });
    }
    if (inputProblem && unresolved.length === 0) {
      return end("failed", {
        error: { kind: "failed", message: `invalid input: ${inputProblem}`, ...inputHint },
      });
    }
    if (!runsNow) return end("planned");
  } else {
    if (condition === false) return end("skipped", { reason: `if: ${step.if}` });
    if (inputProblem)
      return end("failed", {
        error: { kind: "failed", message: `invalid input after rendering: ${inputProblem}`, ...inputHint },
      });
  }

  const attempts = Math.max(1, step.retry.attempts);
  for (let attempt = 1; ; attempt++) {
    if (stageSignal.aborted)
      return end("cancelled", { reason: reasonOf(stageSignal), attempts: attempt - 1 });
    run.emit({
      type: "step.start",
      ...base,
      name,
      uses: step.uses,
      attempt,
      input: rendered,
      location: run.locate(step),
    });
    const outcome = await attemptOnce(step, action, input, run, stageSignal);
    if (outcome.ok) return end("succeeded", { outputs: outcome.outputs, attempts: attempt });
    const { status, error } = outcome;
    const retriable = status !== "cancelled" && error.kind !== "gate-failed" && attempt < attempts;
    if (!retriable) {
      const continued = step.continueOnError && status !== "cancelled";
      return end(status, {
        error,
        attempts: attempt,
        outputs: outcome.outputs,
        ...(status === "cancelled" ? { reason: reasonOf(stageSignal) } : {}),
        ...(continued ? { continuedOnError: true } : {}),
      });
    }
    const delayMs = Math.min(
      step.retry.backoffMs * step.retry.factor ** (attempt - 1),
      step.retry.maxBackoffMs,
    );
    run.emit({ type: "step.retry", ...base, attempt, delayMs, error });
    try {
      await run.clock.sleep(delayMs, stageSignal);
    } catch {
      return end("cancelled", { reason: reasonOf(stageSignal), attempts: attempt, error });
    }
  }
}

type AttemptOutcome =
  | { ok: true; outputs: Record<string, unknown> }
  | {
      ok: false;
      status: "failed" | "timed_out" | "cancelled";
      error: StepErrorInfo;
      outputs?: Record<string, unknown>;
    };

async function attemptOnce(
  step: StepDef,
  action: Action,
  input: unknown,
  run: RunContext,
  stageSignal: AbortSignal,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const onStageAbort = () => controller.abort(stageSignal.reason);
  stageSignal.addEventListener("abort", onStageAbort, { once: true });
  let timedOut = false;
  const cancelTimeout =
    step.timeoutMs === undefined
      ? undefined
      : setLongTimeout(() => {
          timedOut = true;
          controller.abort(
            new StepFailure(`timed out after ${formatDuration(step.timeoutMs!)}`, { kind: "timed-out" }),
          );
        }, step.timeoutMs);
  try {
    const ctx = await actionContext(step, run, controller.signal);
    const call = run.dryRun && action.preview ? action.preview(ctx, input) : action.run(ctx, input);
    const outputs = await settleOrAbort(call, controller.signal);
    return { ok: true, outputs: outputs ?? {} };
  } catch (error) {
    const info = errorInfo(error);
    const outputs = error instanceof StepFailure ? error.outputs : undefined;
    if (timedOut) {
      // A gate stopped by the timeout says so itself, with what it measured: it could not decide.
      const gate = info.kind === "gate-failed";
      return {
        ok: false,
        status: "timed_out",
        error: gate
          ? info
          : { ...info, kind: "timed-out", message: `timed out after ${formatDuration(step.timeoutMs!)}` },
        outputs,
      };
    }
    if (stageSignal.aborted)
      return {
        ok: false,
        status: "cancelled",
        error: { ...info, kind: "cancelled", message: reasonOf(stageSignal) },
        outputs,
      };
    return { ok: false, status: "failed", error: info, outputs };
  } finally {
    cancelTimeout?.();
    stageSignal.removeEventListener("abort", onStageAbort);
  }
}

/**
 * Waits for the action; once the signal aborts, gives it a grace period to stop its child
 * process (so Ctrl-C never leaves one running), then moves on even if it ignores the signal.
 */
function settleOrAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let graceTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      graceTimer = setTimeout(
        () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted")),
        ABORT_GRACE_MS,
      );
      graceTimer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(graceTimer);
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(graceTimer);
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function actionContext(step: StepDef, run: RunContext, signal: AbortSignal): Promise<ActionContext> {
  const root = await run.tempRoot();
  let tempDir: string | undefined;
  const base = { stage: step.stage, step: step.id };
  const log = (level: "info" | "warn" | "debug") => (message: string) =>
    run.emit({ type: "step.log", ...base, level, message });
  return {
    exec: journaledRunner(run, base),
    fetch: run.fetch,
    clock: run.clock,
    log: { info: log("info"), warn: log("warn"), debug: log("debug") },
    signal,
    secrets: { get: (name) => run.scope.secrets[name] },
    redact: (text) => run.redactor.redact(text),
    cwd: run.cwd,
    env: run.env,
    step: { id: step.id, stage: step.stage, declaredOutputs: step.declaredOutputs },
    run: { id: run.runId, stateDir: run.stateDir },
    // Created on first use: most steps never need a scratch directory.
    get tempDir() {
      return (tempDir ??= mkdtempSync(join(root, `${step.id}-`)));
    },
    record: (kind, data) => run.emit({ type: "step.record", ...base, kind, data }),
  };
}

/**
 * The step's process runner: every program it starts is journaled with its process group, so
 * an orphan left by a killed relctl can be found before the step runs again.
 */
function journaledRunner(run: RunContext, base: { stage: string; step: string }): ProcessRunner {
  return {
    run: (argv, options = {}) =>
      run.runner.run(argv, {
        ...options,
        onSpawn: (started) => {
          run.emit({ type: "step.process", ...base, program: argv[0] ?? "", ...started, relctl: self() });
          options.onSpawn?.(started);
        },
      }),
  };
}

/** The step's name with its expressions rendered (`Hold 50% for at least ${{ vars.canary_hold }}`). */
export function stepName(step: StepDef, run: RunContext): string {
  if (!step.name.includes("${{")) return step.name;
  try {
    const value = evaluateTemplate(step.name, run.scope);
    return value instanceof Unresolved ? value.display : String(value ?? step.id);
  } catch {
    return step.name;
  }
}

function errorInfo(error: unknown): StepErrorInfo {
  if (error instanceof StepFailure) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.command ? { command: error.command } : {}),
      ...(error.exitCode !== undefined ? { exitCode: error.exitCode } : {}),
      ...(error.stderrTail ? { stderrTail: error.stderrTail } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: "error",
    message,
    hint: "this is a bug in the executor or in relctl; run with -v and report it",
  };
}

/** Why an aborted signal stopped work, for a cancelled step's reason: its Error's message. */
export function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : "cancelled";
}

/** The hint a check gave with its issue (a duration over the limit says what to do instead). */
function hintOf(issues: readonly object[]): { hint?: string } {
  for (const issue of issues) {
    const hint = "params" in issue ? (issue.params as { hint?: unknown } | undefined)?.hint : undefined;
    if (typeof hint === "string") return { hint };
  }
  return {};
}

function safely<T>(fn: () => T, fallback: T, onError?: (error: unknown) => void): T {
  try {
    return fn();
  } catch (error) {
    onError?.(error);
    return fallback;
  }
}
