// The engine: runs the requested stages in order and hands a failure to the stage's on_failure
// stage. A dry-run goes through exactly this code (plan instead of run, inside runStep), so
// `relctl plan` can never disagree with what a run would do.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RelctlError, ExitCode, usageError } from "../errors.js";
import type { Action } from "../executors/contract.js";
import type { ExecutorRegistry } from "../executors/registry.js";
import type { Scope, StepState } from "../playbook/expr/index.js";
import { findStage, type Playbook, type StageDef, type StepDef } from "../playbook/model.js";
import { systemClock, type Clock } from "./clock.js";
import { createEmitter } from "./emitter.js";
import type { EventSink, RunStatus } from "./events.js";
import type { ProcessRunner } from "./process.js";
import { Redactor } from "./redact.js";
import { runReads } from "./references.js";
import type { RunContext } from "./run-context.js";
import { newRunId } from "./run-id.js";
import { loadSecrets, missingSecretsError } from "./secrets.js";
import { definedOnly } from "../util/objects.js";
import { releaseValues } from "./release-values.js";
import { runStage, type StageResult } from "./stage-runner.js";
import type { RunField } from "../playbook/rules/expressions.js";

export interface RunOptions {
  playbook: Playbook;
  /** Requested stages, in run order. */
  stages: string[];
  vars: Record<string, unknown>;
  dryRun: boolean;
  registry: ExecutorRegistry;
  sink: EventSink;
  /** Aborted by SIGINT/SIGTERM: running steps are stopped, the run ends as interrupted. */
  signal: AbortSignal;
  cwd: string;
  env: Record<string, string | undefined>;
  /** The playbook path as shown to people (relative to cwd). */
  playbookDisplay?: string;
  clock?: Clock;
  runner?: ProcessRunner;
  fetch?: typeof globalThis.fetch;
  runId?: string;
  stateDir?: string;
  redactor?: Redactor;
  concurrency?: number;
  locate?: (step: StepDef) => { file: string; line: number; column: number };
  /** Recorded in run.start for approvals, resume and evidence. */
  identity?: {
    playbookDigest?: string;
    version?: string;
    environment?: string;
    pid?: number;
    hostname?: string;
  };
  /** A resumed run continues the journal's numbering after this seq. */
  lastSeq?: number;
  resumed?: boolean;
  /** The caller already emitted run.start (it waited for approvals first): it is not repeated. */
  announced?: boolean;
  /** A plan's needed stages that have not passed yet (warned about, not refused). */
  notPassed?: readonly string[];
  /** Exposed to expressions as run.rollback_target (the last known good release). */
  rollbackTarget?: Record<string, unknown> | null;
  /** Resume: steps that succeeded in an earlier attempt of this run, with their outputs. */
  completed?: ReadonlyMap<string, { outputs: Record<string, unknown> }>;
  /** Steps of stages outside this run that finished in earlier runs (from run state). */
  earlier?: ReadonlyMap<string, StepState>;
  /**
   * Asked before each requested stage after the first (the caller decided the first before the
   * run started): a reason refuses the stage, and the run ends blocked (exit 4) with nothing of
   * that stage run. The CLI asks the freeze calendar again here, so a long train does not drive
   * into a window or an incident that began while it ran.
   */
  beforeStage?: (stage: StageDef, signal: AbortSignal) => Promise<string | undefined>;
}

export interface RunOutcome {
  runId: string;
  status: RunStatus;
  exitCode: number;
  steps: Record<string, StepState>;
  failedStage?: string;
  failedStep?: string;
}

export async function runPlaybook(options: RunOptions): Promise<RunOutcome> {
  const { playbook, dryRun } = options;
  const clock = options.clock ?? systemClock;
  const runId = options.runId ?? newRunId(clock.now());
  const redactor = options.redactor ?? new Redactor();
  const requested = options.stages.map((name) => stageOrThrow(playbook, name));
  const handlers = onFailureStages(playbook, requested);
  const actions = await loadActions([...requested, ...handlers], options.registry);
  const reads = runReads(playbook, [...requested, ...handlers], actions);
  const secrets = await loadSecrets(playbook, reads.secrets, {
    env: options.env,
    cwd: options.cwd,
    redactor,
  });
  if (secrets.missing.length > 0 && !dryRun) throw missingSecretsError(secrets.missing);
  const outside = [...reads.outsideSteps].filter(([id]) => !options.earlier?.has(id));
  if (outside.length > 0 && !dryRun) throw outsideReadsError(outside, options.stages);

  const steps: Record<string, StepState> = {};
  for (const [id, state] of options.earlier ?? []) steps[id] = state;
  const scope: Scope = {
    vars: options.vars,
    steps,
    env: options.env,
    secrets: secrets.values,
    release: {},
    run: {
      id: runId,
      stages: options.stages,
      failed_stage: null,
      failed_step: null,
      failure: null,
      failure_kind: null,
      rollback_target: options.rollbackTarget ?? null,
      started_at: clock.now().toISOString(),
      failed_at: null,
      // What happened when, one line per stage, for incident issues and rollback messages.
      timeline: [] as string[],
      // Exactly the fields lint lets `${{ run.* }}` read: the compiler keeps the two lists equal.
    } satisfies Record<RunField, unknown>,
    now: () => clock.now(),
  };
  scope.release = releaseValues(playbook, scope);
  const emit = createEmitter({ runId, sink: options.sink, redactor, clock, lastSeq: options.lastSeq });
  let tempRoot: Promise<string> | undefined;
  const run: RunContext = {
    playbook,
    runId,
    dryRun,
    emit,
    scope,
    actions,
    clock,
    redactor,
    runner: options.runner ?? lazyProcessRunner(),
    fetch: options.fetch ?? globalThis.fetch,
    cwd: options.cwd,
    env: options.env,
    stateDir: options.stateDir ?? resolve(options.cwd, ".relctl"),
    concurrency: options.concurrency ?? 4,
    tempRoot: () => (tempRoot ??= mkdtemp(join(tmpdir(), "relctl-run-"))),
    locate: options.locate ?? ((step) => ({ file: step.origin.file, line: 1, column: 1 })),
    completed: options.completed ?? new Map(),
  };

  const started = clock.now().getTime();
  if (!options.announced) {
    emit({
      type: "run.start",
      playbook: options.playbookDisplay ?? playbook.file,
      name: playbook.name,
      stages: options.stages,
      dryRun,
      vars: options.vars,
      ...definedOnly(options.identity ?? {}),
      ...(options.resumed ? { resumed: true } : {}),
    });
  }
  for (const missing of dryRun ? secrets.missing : []) {
    emit({ type: "run.warning", message: `secret ${missing}: a real run would stop here` });
  }
  for (const [id, { readBy, stage }] of outside) {
    emit({
      type: "run.warning",
      message: `step ${readBy} reads outputs of ${id} (stage ${stage}), which is not part of this run: shown as ⟨…⟩`,
    });
  }
  // `earlier` comes from the train record: the caller checked which needed stages passed.
  for (const need of options.notPassed ?? []) {
    emit({
      type: "run.warning",
      message: `${need} has not passed for this release yet: a run would be refused until it does`,
    });
  }
  for (const stage of options.earlier ? [] : requested) {
    for (const need of stage.needs.filter((name) => !options.stages.includes(name))) {
      emit({
        type: "run.warning",
        stage: stage.name,
        message: `stage ${stage.name} needs ${need}, which is not part of this run; relctl cannot check that it passed`,
      });
    }
  }

  let outcome: Omit<RunOutcome, "runId" | "steps">;
  try {
    outcome = await runStages(run, requested, handlers, options.signal, options.beforeStage);
  } finally {
    if (tempRoot) await rm(await tempRoot, { recursive: true, force: true });
  }
  const message = describeOutcome(outcome);
  emit({
    type: "run.end",
    status: outcome.status,
    exitCode: outcome.exitCode,
    durationMs: clock.now().getTime() - started,
    ...(outcome.failedStage ? { failedStage: outcome.failedStage } : {}),
    ...(outcome.failedStep ? { failedStep: outcome.failedStep } : {}),
    ...(message ? { message } : {}),
  });
  return { runId, steps, ...outcome };
}

async function runStages(
  run: RunContext,
  requested: StageDef[],
  handlers: StageDef[],
  signal: AbortSignal,
  beforeStage?: RunOptions["beforeStage"],
): Promise<Omit<RunOutcome, "runId" | "steps">> {
  const interrupted = (stage?: string): Omit<RunOutcome, "runId" | "steps"> => ({
    status: "interrupted",
    exitCode: ExitCode.interrupted,
    ...(stage ? { failedStage: stage } : {}),
  });
  let planProblems = 0;
  for (const [index, stage] of requested.entries()) {
    if (signal.aborted) return interrupted();
    const refusal = index > 0 && !run.dryRun ? await beforeStage?.(stage, signal) : undefined;
    if (refusal !== undefined) {
      const message = `stage ${stage.name} not started: ${refusal}`;
      note(run, message);
      run.emit({ type: "run.warning", stage: stage.name, message });
      return { status: "blocked", exitCode: ExitCode.blocked, failedStage: stage.name };
    }
    note(run, `stage ${stage.name} started`);
    const result = await runStage(stage, "requested", run, signal);
    planProblems += result.planProblems;
    if (signal.aborted) return interrupted(stage.name);
    if (result.status !== "failed") continue;
    return handleFailure(run, stage, result, signal);
  }
  if (signal.aborted) return interrupted();
  if (run.dryRun) {
    // A plan also shows what would run if a stage failed.
    for (const handler of handlers.filter((stage) => !requested.includes(stage))) {
      planProblems += (await runStage(handler, "on_failure", run, signal)).planProblems;
      if (signal.aborted) return interrupted(handler.name);
    }
    return planProblems > 0
      ? { status: "failed", exitCode: ExitCode.stepFailed }
      : { status: "planned", exitCode: ExitCode.ok };
  }
  return { status: "succeeded", exitCode: ExitCode.ok };
}

async function handleFailure(
  run: RunContext,
  stage: StageDef,
  result: StageResult,
  signal: AbortSignal,
): Promise<Omit<RunOutcome, "runId" | "steps">> {
  const gate = result.failureKind === "gate-failed";
  const failed = { failedStage: stage.name, ...(result.failedStep ? { failedStep: result.failedStep } : {}) };
  const code = gate ? ExitCode.gateFailed : ExitCode.stepFailed;
  // The on_failure stage can say what went wrong: ${{ run.failed_step }}, ${{ run.failure }}.
  Object.assign(run.scope.run, {
    failed_stage: stage.name,
    failed_step: result.failedStep ?? null,
    failure: result.failureMessage ?? null,
    // gate-failed, failed, timed-out, …: a gate failure may call for an incident, a typo not.
    failure_kind: result.failureKind ?? null,
    failed_at: run.clock.now().toISOString(),
  });
  note(
    run,
    `${result.failedStep ? `step ${result.failedStep}` : `stage ${stage.name}`} failed: ${result.failureMessage ?? "failed"}`,
  );
  const handler = stage.onFailure ? findStage(run.playbook, stage.onFailure) : undefined;
  if (!handler) return { status: "failed", exitCode: code, ...failed };
  note(run, `${handler.name} started`);
  const rollback = await runStage(handler, "on_failure", run, signal);
  if (signal.aborted) return { status: "interrupted", exitCode: ExitCode.interrupted, ...failed };
  if (rollback.status === "failed")
    return { status: "rollback_failed", exitCode: ExitCode.rollbackFailed, ...failed };
  return { status: "rolled_back", exitCode: code, ...failed };
}

function describeOutcome(outcome: Omit<RunOutcome, "runId" | "steps">): string | undefined {
  const where = outcome.failedStep
    ? `step ${outcome.failedStep} of stage ${outcome.failedStage}`
    : `stage ${outcome.failedStage}`;
  switch (outcome.status) {
    case "failed":
      return outcome.failedStage ? `${where} failed` : "the plan has problems";
    case "rolled_back":
      return `${where} failed; the on_failure stage ran and succeeded`;
    case "rollback_failed":
      return `${where} failed and the on_failure stage failed too: a person must act now`;
    case "interrupted":
      return "interrupted; running steps were stopped";
    case "blocked":
      return `stage ${outcome.failedStage} was refused before it started; the stages before it stay done`;
    default:
      return undefined;
  }
}

function stageOrThrow(playbook: Playbook, name: string): StageDef {
  const stage = findStage(playbook, name);
  if (!stage) throw usageError(`playbook ${playbook.name} has no stage "${name}"`);
  return stage;
}

/** The on_failure stages of the requested stages, each once. */
function onFailureStages(playbook: Playbook, requested: StageDef[]): StageDef[] {
  const names = [...new Set(requested.flatMap((stage) => (stage.onFailure ? [stage.onFailure] : [])))];
  return names.map((name) => stageOrThrow(playbook, name));
}

async function loadActions(stages: StageDef[], registry: ExecutorRegistry): Promise<Map<string, Action>> {
  const actions = new Map<string, Action>();
  for (const step of stages.flatMap((stage) => stage.steps)) {
    const executor = await registry.load(step.executor);
    const action = executor.actions[step.action];
    if (!action) throw new Error(`executor ${step.executor} has no action ${step.action}`);
    actions.set(step.id, action);
  }
  return actions;
}

function outsideReadsError(
  outside: [string, { readBy: string; stage: string }][],
  stages: string[],
): RelctlError {
  const [id, { readBy, stage }] = outside[0]!;
  const needed = [...new Set(outside.map(([, entry]) => entry.stage))];
  return new RelctlError(
    "E_OUTSIDE_OUTPUTS",
    ExitCode.invalid,
    `step ${readBy} reads outputs of step ${id} in stage ${stage}, which is not part of this run; nothing was run`,
    { hint: `run the stages together: relctl run ${[...needed, ...stages].join(" ")}` },
  );
}

/** execa is loaded when a step first starts a program: a plan of API calls never pays for it. */
function lazyProcessRunner(): ProcessRunner {
  let runner: Promise<ProcessRunner> | undefined;
  return {
    run: async (argv, options) => {
      runner ??= import("./process-runner.js").then((module) => module.createProcessRunner());
      return (await runner).run(argv, options);
    },
  };
}

/** A line of run.timeline: "10:15:02 stage canary started". */
function note(run: RunContext, text: string): void {
  const timeline = run.scope.run.timeline;
  if (Array.isArray(timeline)) timeline.push(`${run.clock.now().toISOString().slice(11, 19)}Z ${text}`);
}
