// Options of the commands that run stages (`relctl <phase>`, `relctl run`, `relctl resume`).
import type { Command } from "commander";

export interface RunCommandOptions {
  /** Override freeze windows and incidents; recorded with the reason. */
  breakGlass?: boolean;
  reason?: string;
  /** Wait for missing approvals instead of refusing. */
  wait?: boolean;
  /** Sign the evidence bundle with cosign sign-blob and this key. */
  signEvidence?: string;
  /** Push relctl's own metrics to this Pushgateway at the end of the run. */
  pushgateway?: string;
  /** Write relctl's own metrics to this node_exporter textfile at the end of the run. */
  metricsTextfile?: string;
  /** Stop the steps a killed relctl left running (orphans) instead of refusing to run. */
  stopOrphans?: boolean;
}

export function addRunOptions(command: Command): Command {
  return command
    .option("--break-glass", "run despite a freeze window or an active incident (needs --reason; recorded)")
    .option("--reason <text>", "why: recorded with --break-glass")
    .option("--wait", "wait for missing approvals instead of refusing")
    .option(
      "--sign-evidence <key>",
      "sign the run's evidence bundle with cosign sign-blob (key file, env://VAR or KMS URI)",
    )
    .option("--pushgateway <url>", "push relctl's metrics to this Prometheus Pushgateway when the run ends")
    .option("--metrics-textfile <file.prom>", "write relctl's metrics for node_exporter's textfile collector")
    .option(
      "--stop-orphans",
      "stop steps a killed relctl left running (SIGTERM, then SIGKILL; recorded) instead of refusing",
    );
}

export function runCommandOptions(command: Command): RunCommandOptions {
  const raw = command.opts<Partial<RunCommandOptions>>();
  return {
    pushgateway: raw.pushgateway,
    metricsTextfile: raw.metricsTextfile,
    breakGlass: raw.breakGlass === true,
    reason: raw.reason,
    wait: raw.wait === true,
    signEvidence: raw.signEvidence,
    stopOrphans: raw.stopOrphans === true,
  };
}
