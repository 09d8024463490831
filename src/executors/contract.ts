// The executor contract. An executor is one module exporting named actions; each action
// says what it accepts (a zod schema), what it produces, whether it changes the world, what it
// would do (plan) and how to do it (run). The engine owns everything else: dry-run, retries,
// timeouts, cancellation, redaction, events. Actions never print, exit or check dry-run.
import type { z } from "zod";
import type { Clock } from "../run/clock.js";
import type { ProcessRunner } from "../run/process.js";

/** What an action would do, shown by `relctl plan` and recorded in events. */
export interface ActionPlan {
  /** One line a person reads: "run npm ci", "GET https://…/health". */
  summary: string;
  /** The exact argv of a command the action would run. */
  argv?: string[];
  /** The method and URL of a request the action would make. */
  request?: { method: string; url: string };
  /** A query the action would evaluate (PromQL, …). */
  query?: string;
  /** Anything else a reviewer needs (working directory, environment names, …). */
  details?: Record<string, unknown>;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface StepIdentity {
  id: string;
  stage: string;
  /** Output names the step declared itself (see Action.acceptsDeclaredOutputs). */
  declaredOutputs: readonly string[];
}

/** Everything an action may touch, passed in so tests swap parts without module mocking. */
export interface ActionContext {
  exec: ProcessRunner;
  fetch: typeof globalThis.fetch;
  clock: Clock;
  log: Logger;
  /** Aborted on timeout, on the stage failing elsewhere, and on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Values of the playbook's secrets; anything read here is already registered for redaction. */
  secrets: { get(name: string): string | undefined };
  /**
   * The run's redaction: `text` with every secret of the run (in each encoded form) replaced by
   * ***. Events and errors are redacted by the engine; an action calls this only for what it
   * writes itself (a file copied into an evidence bundle).
   */
  redact(text: string): string;
  /** Directory the run works in (where the playbook lives unless --cwd says otherwise). */
  cwd: string;
  /** The environment relctl was started with. */
  env: Readonly<Record<string, string | undefined>>;
  step: StepIdentity;
  /** The run this step belongs to: its id and the directory relctl keeps run state in. */
  run: { id: string; stateDir: string };
  /** A scratch directory private to this step attempt. */
  tempDir: string;
  /**
   * Structured facts an action reports while it runs (a gate measurement, a Helm revision),
   * emitted as `step.record` events so reporters, journals and evidence bundles keep them.
   */
  record(kind: string, data: Record<string, unknown>): void;
}

export type Outputs = Record<string, unknown>;

export interface Action<Schema extends z.ZodType = z.ZodType> {
  description: string;
  input: Schema;
  /** Output name → what it holds. Later steps may read only these (plus declared outputs). */
  outputs: Record<string, string>;
  /** When true a step may declare further output names (`outputs: [digest]`) that the action fills. */
  acceptsDeclaredOutputs?: boolean;
  /** Whether running the action changes anything outside relctl. */
  mutates: boolean | ((input: z.output<Schema>) => boolean);
  /** A read-only action that may run during --dry-run and `relctl plan` (queries, probes). */
  dryRunSafe?: boolean | ((input: z.output<Schema>) => boolean);
  plan(input: z.output<Schema>): ActionPlan;
  run(ctx: ActionContext, input: z.output<Schema>): Promise<Outputs>;
  /**
   * What a dry-run does instead of run(), for a read-only action whose real run would take long
   * (a gate evaluates once and says whether it would pass now, instead of holding for 5m).
   * Only called when the action runs in a dry-run (see dryRunSafe).
   */
  preview?(ctx: ActionContext, input: z.output<Schema>): Promise<Outputs>;
}

export interface Executor {
  name: string;
  description: string;
  actions: Record<string, Action>;
}

/** Keeps the schema's type flowing into plan/run while storing actions under one type. */
export function defineAction<Schema extends z.ZodType>(action: Action<Schema>): Action {
  return action as unknown as Action;
}

export function actionMutates(action: Action, input: unknown): boolean {
  return typeof action.mutates === "function" ? action.mutates(input) : action.mutates;
}

/** Only a read-only action that says so runs during a dry-run. */
export function actionRunsInDryRun(action: Action, input: unknown): boolean {
  if (actionMutates(action, input)) return false;
  return typeof action.dryRunSafe === "function" ? action.dryRunSafe(input) : action.dryRunSafe === true;
}

export type StepFailureKind = "failed" | "gate-failed" | "timed-out" | "cancelled";

/**
 * The one error an action throws when it fails. Keeps the structure a person needs to act:
 * the command, its exit code and the last lines of its stderr (never just `new Error(stderr)`).
 */
export class StepFailure extends Error {
  readonly kind: StepFailureKind;
  readonly command: string[] | undefined;
  readonly exitCode: number | undefined;
  readonly stderrTail: string | undefined;
  readonly hint: string | undefined;
  /** Outputs produced before failing (stdout of a failed command, gate measurements). */
  readonly outputs: Outputs | undefined;

  constructor(
    message: string,
    options: {
      kind?: StepFailureKind;
      command?: string[];
      exitCode?: number;
      stderrTail?: string;
      hint?: string;
      outputs?: Outputs;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StepFailure";
    this.kind = options.kind ?? "failed";
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.stderrTail = options.stderrTail;
    this.hint = options.hint;
    this.outputs = options.outputs;
  }
}
