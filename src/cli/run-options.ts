// Options of the commands that run stages (`relctl <phase>`, `relctl run`, `relctl resume`).
import type { Command } from "commander";

export interface RunCommandOptions {
  /** Push relctl's own metrics to this Pushgateway at the end of the run. */
  pushgateway?: string;
  /** Write relctl's own metrics to this node_exporter textfile at the end of the run. */
  metricsTextfile?: string;
}

export function addRunOptions(command: Command): Command {
  return command
    .option("--pushgateway <url>", "push relctl's metrics to this Prometheus Pushgateway when the run ends")
    .option(
      "--metrics-textfile <file.prom>",
      "write relctl's metrics for node_exporter's textfile collector",
    );
}

export function runCommandOptions(command: Command): RunCommandOptions {
  const raw = command.opts<Partial<RunCommandOptions>>();
  return { pushgateway: raw.pushgateway, metricsTextfile: raw.metricsTextfile };
}
