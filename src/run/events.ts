// The run event stream: the only thing reporters see. `relctl --json` prints these one per
// line; the schema is versioned by `v` and documented in docs/events.md.
import type { ActionPlan, StepFailureKind } from "../executors/contract.js";

export const EVENT_SCHEMA_VERSION = 1;

export type StepStatus = "succeeded" | "failed" | "skipped" | "timed_out" | "cancelled" | "planned";
export type StageStatus = "succeeded" | "failed" | "cancelled" | "planned";
/** blocked: refused before anything ran (a lock, a freeze window, missing approvals). */
export type RunStatus =
  "succeeded" | "failed" | "rolled_back" | "rollback_failed" | "interrupted" | "planned" | "blocked";

export interface StepErrorInfo {
  kind: StepFailureKind | "error";
  message: string;
  command?: string[];
  exitCode?: number;
  stderrTail?: string;
  hint?: string;
}

interface Base {
  v: typeof EVENT_SCHEMA_VERSION;
  /** Position in the stream, from 1. */
  seq: number;
  at: string;
  runId: string;
}

export type RunEventBody =
  | {
      type: "run.start";
      playbook: string;
      name: string;
      stages: string[];
      dryRun: boolean;
      vars: Record<string, unknown>;
      /** sha256 of every playbook file: what approvals, resume and evidence are bound to. */
      playbookDigest?: string;
      /** The release version (release.version, else vars.version) and the environment changed. */
      version?: string;
      environment?: string;
      /** Set when this start resumes an interrupted run (the same run id, a later start). */
      resumed?: boolean;
      /** The relctl process of this start (a real run): who wrote what follows, up to run.end. */
      pid?: number;
      hostname?: string;
    }
  | { type: "stage.start"; stage: string; role: "requested" | "on_failure"; steps: number }
  | {
      type: "step.start";
      stage: string;
      step: string;
      name: string;
      uses: string;
      attempt: number;
      input: unknown;
      /** Where the step is written: file (relative to the run's directory), line, column. */
      location: { file: string; line: number; column: number };
    }
  | {
      type: "step.plan";
      stage: string;
      step: string;
      name: string;
      uses: string;
      mutates: boolean;
      /** Whether the step runs during this dry-run (read-only actions that declare it safe). */
      runsInDryRun: boolean;
      /** Whether its condition holds: true, false, or "runtime" when it depends on runtime values. */
      condition: boolean | "runtime";
      dependsOn: string[];
      input: unknown;
      plan: ActionPlan | null;
      /** References whose values are known only when the run gets there. */
      runtimeValues: string[];
    }
  | {
      /**
       * A step started a program, in a process group of its own. Written (and synced) when it
       * starts, so that after relctl was killed, resume and a lock takeover can tell whether it
       * still runs as an orphan. `relctl` is the relctl process that started it.
       */
      type: "step.process";
      stage: string;
      step: string;
      program: string;
      pid: number;
      pgid: number;
      startTime?: string;
      hostname: string;
      relctl: { pid: number; startTime?: string };
    }
  | { type: "step.log"; stage: string; step: string; level: "info" | "warn" | "debug"; message: string }
  | { type: "step.record"; stage: string; step: string; kind: string; data: Record<string, unknown> }
  | { type: "run.warning"; message: string; stage?: string }
  | {
      type: "step.retry";
      stage: string;
      step: string;
      attempt: number;
      delayMs: number;
      error: StepErrorInfo;
    }
  | {
      type: "step.end";
      stage: string;
      step: string;
      name: string;
      status: StepStatus;
      durationMs: number;
      attempts: number;
      outputs?: Record<string, unknown>;
      error?: StepErrorInfo;
      /** Why a step was skipped or cancelled, in words. */
      reason?: string;
      continuedOnError?: boolean;
    }
  | { type: "stage.end"; stage: string; status: StageStatus; durationMs: number; failedStep?: string }
  | {
      /**
       * Journal only, after run.end: the records that depend on the run (train record, last known
       * good, evidence bundle) are written. A run.end without it means relctl stopped in between.
       */
      type: "run.records";
      /** The evidence bundle's folder, relative to the run's folder. */
      evidence?: string;
    }
  | {
      type: "run.end";
      status: RunStatus;
      exitCode: number;
      durationMs: number;
      failedStage?: string;
      failedStep?: string;
      message?: string;
    };

export type RunEvent = Base & RunEventBody;

/** Reporters subscribe to the stream; none of them reaches into the engine. */
export interface EventSink {
  emit(event: RunEvent): void;
}
