// promtool as the oracle for "what would a Prometheus alerting rule say": the same series a test
// backfilled into the real Prometheus go to `promtool test rules` as input_series, with an
// expectation per evaluation of whether each alert fires; promtool evaluates the rules itself.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary, tempDir } from "../../helpers/servers.js";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
}

export interface AlertExpectation {
  eval_time: string;
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string> }[];
}

export function expectAlert(
  minute: number,
  alertname: string,
  firing: boolean,
  labels: Record<string, string>,
): AlertExpectation {
  return { eval_time: `${minute}m`, alertname, exp_alerts: firing ? [{ exp_labels: labels }] : [] };
}

/** promtool's series notation: one value a minute; null is a missing sample ("_"). */
export function promtoolValues(values: (number | null)[]): string {
  return values
    .map((v) =>
      v === null ? "_" : Number.isNaN(v) ? "NaN" : v === Number.POSITIVE_INFINITY ? "Inf" : String(v),
    )
    .join(" ");
}

/** Runs promtool test rules; ok is promtool's verdict, output what it printed. */
export function promtoolAgrees(
  series: { series: string; values: string }[],
  rules: AlertRule[],
  expectations: AlertExpectation[],
): { ok: boolean; output: string } {
  const promtool = requireBinary("promtool", "prometheus");
  const dir = tempDir("promtool");
  const tests = {
    rule_files: ["rules.yml"],
    evaluation_interval: "1m",
    tests: [{ interval: "1m", input_series: series, alert_rule_test: expectations }],
  };
  // JSON is YAML: promtool reads these as they are.
  writeFileSync(join(dir, "rules.yml"), JSON.stringify({ groups: [{ name: "relctl", rules }] }, null, 2));
  writeFileSync(join(dir, "tests.yml"), JSON.stringify(tests, null, 2));
  const result = spawnSync(promtool, ["test", "rules", "tests.yml"], { cwd: dir, encoding: "utf8" });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
