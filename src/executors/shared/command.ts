// Running an outside tool (helm, cosign, kubectl) from an action: argv arrays through ctx.exec,
// in the run's directory, with the run's environment plus what the action adds (a password
// from a secret travels in the child's environment, never in argv), and failures that keep
// the command, its exit code and the last lines of its stderr (or say the step was cancelled).
import { isAbsolute, resolve } from "node:path";
import { StepFailure, type ActionContext } from "../contract.js";
import type { ProcessResult } from "../../run/process.js";
import { lastLines, STDERR_TAIL_LINES } from "../../util/text.js";

export interface ToolRunOptions {
  /** Variables added to the child's environment (secrets go here, never into argv). */
  env?: Record<string, string>;
  /** Working directory; defaults to the run's directory. */
  cwd?: string;
  input?: string;
  /** Aborts as well as ctx.signal (a preview's shorter deadline). */
  signal?: AbortSignal;
}

/**
 * Runs argv and resolves with the result whatever the exit code. The child sees the environment
 * relctl was started with (ctx.env, so PATH and tool settings such as KUBECONFIG apply) plus
 * options.env.
 */
export async function runTool(
  ctx: ActionContext,
  argv: readonly string[],
  options: ToolRunOptions = {},
): Promise<ProcessResult> {
  const result = await ctx.exec.run(argv, {
    cwd: options.cwd ?? ctx.cwd,
    env: { ...definedEntries(ctx.env), ...options.env },
    signal: options.signal ?? ctx.signal,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  ctx.log.debug(`${argv.join(" ")} exited with ${result.exitCode}`);
  return result;
}

function definedEntries(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  return result;
}

/** The last lines of a failed command's stderr (of its stdout when stderr is empty). */
export function outputTail(result: Pick<ProcessResult, "stdout" | "stderr">): string | undefined {
  return lastLines(result.stderr.trim() === "" ? result.stdout : result.stderr, STDERR_TAIL_LINES);
}

/** A StepFailure for a command that ran and failed. */
export function commandFailure(
  message: string,
  result: ProcessResult,
  options: { hint?: string; outputs?: Record<string, unknown> } = {},
): StepFailure {
  return new StepFailure(message, {
    command: result.command,
    exitCode: result.exitCode,
    stderrTail: outputTail(result),
    hint: options.hint,
    outputs: options.outputs,
  });
}

/** A path from the playbook, relative to the run's directory unless it is absolute. */
export function runPath(ctx: Pick<ActionContext, "cwd">, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/**
 * The failure to throw when a request or a wait stopped because ctx.signal aborted: the engine's
 * own reason when it gave one (a timeout), otherwise a cancellation.
 */
export function cancelledFailure(ctx: ActionContext, cause: unknown): StepFailure {
  const reason: unknown = ctx.signal.reason;
  if (reason instanceof StepFailure) return reason;
  return new StepFailure(reason instanceof Error ? reason.message : "cancelled", {
    kind: "cancelled",
    cause,
  });
}

/** The value of a named secret, or a failure that says which secret is missing. */
export function requireSecret(ctx: ActionContext, name: string, usedFor: string): string {
  const value = ctx.secrets.get(name);
  if (value === undefined || value === "") {
    throw new StepFailure(`secret "${name}" (${usedFor}) has no value`, {
      hint: `declare it under secrets: in the playbook and set its source (env://… or file://…)`,
    });
  }
  return value;
}
