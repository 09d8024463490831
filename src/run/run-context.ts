// What the stage and step runners share during one run.
import type { Action } from "../executors/contract.js";
import type { Scope } from "../playbook/expr/index.js";
import type { Playbook, StepDef } from "../playbook/model.js";
import type { Clock } from "./clock.js";
import type { Emit } from "./emitter.js";
import type { ProcessRunner } from "./process.js";
import type { Redactor } from "./redact.js";

export interface RunContext {
  playbook: Playbook;
  runId: string;
  dryRun: boolean;
  emit: Emit;
  /** Live expression scope: steps' states are filled in as they finish. */
  scope: Scope;
  actions: ReadonlyMap<string, Action>;
  clock: Clock;
  /** Hides the run's secrets in everything it writes. */
  redactor: Pick<Redactor, "redact">;
  runner: ProcessRunner;
  fetch: typeof globalThis.fetch;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stateDir: string;
  /** Steps of one stage running at the same time, at most. */
  concurrency: number;
  /** A scratch directory for this run, created on first use and removed at the end. */
  tempRoot(): Promise<string>;
  locate(step: StepDef): { file: string; line: number; column: number };
  /** Steps finished in an earlier attempt of this run (resume): not run again. */
  completed: ReadonlyMap<string, { outputs: Record<string, unknown> }>;
}
