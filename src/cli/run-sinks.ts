// Every observer of a run reads the same event stream: the terminal or --json, GitHub Actions
// annotations and outputs when running there, and relctl's own metrics when asked for.
import { resolve } from "node:path";
import { fanOut } from "../report/fan-out.js";
import { isGitHubActions } from "../report/github-actions/commands.js";
import { jsonLinesReporter } from "../report/json-lines.js";
import { progressSettings } from "../report/progress-settings.js";
import type { MetricsReporter } from "../report/metrics.js";
import { terminalReporter } from "../report/terminal.js";
import type { EventSink } from "../run/events.js";
import type { GlobalOptions } from "./global-options.js";
import type { Io } from "./io.js";
import type { RunCommandOptions } from "./run-options.js";

export interface RunSinks {
  sink: EventSink;
  /** Pushes or writes the metrics once the run has ended; failures there are warnings. */
  finish(labels: { environment?: string; service?: string }): Promise<void>;
}

export async function runSinks(
  options: GlobalOptions & RunCommandOptions,
  io: Io,
  context: { cwd: string; environment?: string },
): Promise<RunSinks> {
  const sinks: EventSink[] = [
    options.json
      ? jsonLinesReporter(io.out)
      : terminalReporter({
          out: io.out,
          err: io.err,
          color: io.color,
          verbose: options.verbose,
          ...progressSettings(io),
        }),
  ];
  if (isGitHubActions(io.env)) {
    const { githubActionsReporter } = await import("../report/github-actions.js");
    // Workflow commands go to stderr, which the runner reads too, so --json keeps stdout clean;
    // on their own channel, as io.err neutralises commands in everything else it writes.
    const write = io.workflow ?? io.err;
    const actions = githubActionsReporter({ env: io.env, write, cwd: context.cwd });
    if (actions) sinks.push(actions);
  }
  let metrics: MetricsReporter | undefined;
  if (options.pushgateway !== undefined || options.metricsTextfile !== undefined) {
    const { metricsReporter } = await import("../report/metrics.js");
    metrics = metricsReporter(context.environment ? { environment: context.environment } : {});
    sinks.push(metrics);
  }
  return {
    sink: sinks.length === 1 ? sinks[0]! : fanOut(sinks),
    async finish(labels) {
      if (!metrics) return;
      const { pushMetrics, writeTextfile } = await import("../report/metrics-export.js");
      const grouping: Record<string, string> = {};
      if (labels.environment) grouping.environment = labels.environment;
      if (labels.service) grouping.service = labels.service;
      const warn = (error: unknown) =>
        io.err(`${io.color.yellow("warning")}: ${error instanceof Error ? error.message : String(error)}\n`);
      if (options.pushgateway !== undefined) {
        await pushMetrics(metrics.registry, options.pushgateway, "relctl", grouping).catch(warn);
      }
      if (options.metricsTextfile !== undefined) {
        await writeTextfile(metrics.registry, resolve(context.cwd, options.metricsTextfile)).catch(warn);
      }
    },
  };
}
