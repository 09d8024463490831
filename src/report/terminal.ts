// The terminal reporter for runs: a line per step with a status symbol, its name and how long it
// took; a failure shows the command, its exit code and the last lines of its stderr. While a step
// runs, progress.ts shows it (in place on a terminal, as heartbeat lines elsewhere).
import type { ChalkInstance } from "chalk";
import type { ActionPlan } from "../executors/contract.js";
import { GATE_ACTIONS } from "../gates/gate-actions.js";
import type { EventSink, RunEvent, StepErrorInfo, StepStatus } from "../run/events.js";
import { formatDuration } from "../util/duration.js";
import { errorLines, formatArgv } from "./format.js";
import { handlerSink, type EventHandlers } from "./handlers.js";
import { createProgress, type Progress } from "./progress.js";

export interface TerminalOptions {
  out(text: string): void;
  err(text: string): void;
  color: ChalkInstance;
  verbose: boolean;
  /** stdout is a terminal that can redraw lines: running steps are shown in place there. */
  live?: boolean;
  columns?: () => number;
  /** How often a step that is still running says so where lines are only appended. */
  heartbeatMs?: number;
}

/** The first "still running" line comes after a minute (or the interval, if shorter). */
const FIRST_HEARTBEAT_MS = 60_000;
export const DEFAULT_HEARTBEAT_MS = 5 * 60_000;

const SYMBOLS: Record<StepStatus, string> = {
  succeeded: "✓",
  failed: "✗",
  skipped: "↷",
  timed_out: "⏱",
  cancelled: "⊘",
  planned: "○",
};

export function terminalReporter(options: TerminalOptions): EventSink {
  const { color } = options;
  let progress: Progress | undefined;
  // Every line goes above the live lines of the running steps.
  const out = (text: string) => (progress ? progress.print(options.out, text) : options.out(text));
  const err = (text: string) => (progress ? progress.print(options.err, text) : options.err(text));
  const paint: Record<StepStatus, (text: string) => string> = {
    succeeded: color.green,
    failed: color.red,
    skipped: color.dim,
    timed_out: color.red,
    cancelled: color.yellow,
    planned: color.cyan,
  };
  // In a dry-run each planned step shows what it would do under its status line.
  const plans = new Map<string, ActionPlan | null>();
  // A dry-run measures its gates once: a gate step that ran is "succeeded" whatever it found.
  const dryRunGates = new Set<string>();
  const handlers: EventHandlers = {
    "step.plan": (event) => {
      plans.set(event.step, event.plan);
      if (GATE_ACTIONS.has(event.uses)) dryRunGates.add(`${event.stage}/${event.step}`);
    },
    "run.start": (event) => {
      progress?.stop();
      const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
      progress = createProgress({
        // A dry-run's steps are quick read-only looks: nothing to redraw.
        mode: options.live === true && !event.dryRun ? "live" : "append",
        write: options.out,
        color,
        columns: options.columns ?? (() => 80),
        heartbeat: { firstMs: Math.min(FIRST_HEARTBEAT_MS, heartbeatMs), everyMs: heartbeatMs },
      });
      out(
        `${color.bold(event.name)} ${color.dim(`· ${event.stages.join(" → ")}${event.dryRun ? " · dry-run" : ""} · run ${event.runId}`)}\n`,
      );
    },
    "step.start": (event) => progress?.started(event),
    "step.record": (event) => {
      if (event.kind === "gate.evaluation") progress?.gateEvaluation(event.step);
    },
    "run.warning": (event) => err(`${color.yellow("warning")}: ${event.message}\n`),
    "stage.start": (event) =>
      out(
        `\n${color.bold(`stage ${event.stage}`)}${event.role === "on_failure" ? color.yellow(" (on failure)") : ""}\n`,
      ),
    "step.retry": (event) =>
      out(
        `  ${color.yellow("↻")} ${event.step} attempt ${event.attempt} failed: ${event.error.message}; retrying in ${formatDuration(event.delayMs)}\n`,
      ),
    "step.log": (event) => {
      // info is progress a person watches (a gate's values against bounds, a wait); debug is
      // command output, shown with -v.
      if (event.level === "warn") err(`  ${color.yellow("!")} ${event.step}: ${event.message}\n`);
      else if (event.level === "info") {
        if (!progress?.takeInfo(event.step, event.message))
          err(`    ${color.cyan("·")} ${event.step}: ${event.message}\n`);
      } else if (options.verbose) err(color.dim(`    ${event.step}: ${event.message}\n`));
    },
    "step.end": (event) => {
      progress?.ended(event.step);
      if (event.status === "succeeded" && dryRunGates.has(`${event.stage}/${event.step}`)) {
        if (event.outputs?.passed !== true) return out(wouldNotPass(event, color));
      }
      const symbol = paint[event.status](SYMBOLS[event.status]);
      const name = event.name === event.step ? event.step : `${event.step} ${color.dim(event.name)}`;
      const tail = event.reason ? color.dim(` (${event.reason})`) : "";
      const note = event.continuedOnError ? color.yellow(" continued on error") : "";
      out(`  ${symbol} ${name} ${color.dim(formatDuration(event.durationMs))}${note}${tail}\n`);
      const plan = event.status === "planned" ? plans.get(event.step) : undefined;
      if (plan) out(`    ${plan.argv ? `$ ${formatArgv(plan.argv)}` : plan.summary}\n`);
      if (plan?.request) out(`    ${plan.request.method} ${plan.request.url}\n`);
      if (event.error && (event.status === "failed" || event.status === "timed_out")) {
        out(describeError(event.error, color));
      }
    },
    "run.end": (event) => {
      progress?.stop();
      progress = undefined;
      const colour = event.exitCode === 0 ? color.green : color.red;
      const message = event.message ? `: ${event.message}` : "";
      out(
        `\n${colour(event.status.replace("_", " "))} in ${formatDuration(event.durationMs)}${message} (exit ${event.exitCode})\n`,
      );
    },
  };
  return handlerSink(handlers);
}

/** A dry-run's gate that would not pass now: said on its line, not shown as a ✓. */
function wouldNotPass(event: Extract<RunEvent, { type: "step.end" }>, color: ChalkInstance): string {
  const name = event.name === event.step ? event.step : `${event.step} ${color.dim(event.name)}`;
  const reason = typeof event.outputs?.reason === "string" ? event.outputs.reason : "would not pass now";
  return `  ${color.red("✗")} ${name} ${color.dim(formatDuration(event.durationMs))}\n    ${color.red(reason)}\n`;
}

function describeError(error: StepErrorInfo, color: ChalkInstance): string {
  const [message, ...details] = errorLines(error, color.dim);
  return `${[color.red(message!), ...details].map((line) => `    ${line}`).join("\n")}\n`;
}
