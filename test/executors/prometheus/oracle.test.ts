// relctl's "held for N" must mean what Prometheus' own alerting-rule `for:` means. The same
// series (a failed minute, a NaN, a missing sample, a 3% breach) is backfilled into a real
// Prometheus for relctl to query, and given to `promtool test rules` as input_series. Every
// hold relctl reports becomes an expectation about alerts `HeldNm` (expr: ratio <= 1%, for: Nm)
// and `Breach3m` (expr: ratio > 2%, for: 3m); promtool evaluates the rules itself and fails
// the test if a single expectation is wrong.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../helpers/action-context.js";
import { requireBinary, tempDir } from "../../helpers/servers.js";
import { at, MINUTE, ORACLE_VALUES, startPrometheus, type TestPrometheus } from "./fixture.js";
import { context, failAction, recordsOf, runAction } from "./run-action.js";

const QUERY = 'relctl_oracle_ratio{case="oracle"}';
const LABELS = { case: "oracle" };
const EVALUATIONS = 30;
const HOLDS = [0, 1, 2, 3, 5, 7];

let prom: TestPrometheus;
beforeAll(async () => {
  prom = await startPrometheus();
});
afterAll(async () => {
  await prom?.stop();
});

type AlertTest = {
  eval_time: string;
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string> }[];
};

function expectAlert(minute: number, alertname: string, firing: boolean): AlertTest {
  return { eval_time: `${minute}m`, alertname, exp_alerts: firing ? [{ exp_labels: LABELS }] : [] };
}

/** Runs promtool test rules on the oracle series; returns its verdict and what it printed. */
function promtoolAgrees(alertTests: AlertTest[]): { ok: boolean; output: string } {
  const promtool = requireBinary("promtool", "prometheus");
  const dir = tempDir("promtool");
  const rules = {
    groups: [
      {
        name: "relctl-oracle",
        rules: [
          ...HOLDS.map((n) => ({ alert: `Held${n}m`, expr: `${QUERY} <= 0.01`, for: `${n}m` })),
          { alert: "Breach3m", expr: `${QUERY} > 0.02`, for: "3m" },
        ],
      },
    ],
  };
  const values = ORACLE_VALUES.map((v) => (v === null ? "_" : Number.isNaN(v) ? "NaN" : String(v))).join(" ");
  const tests = {
    rule_files: ["rules.yml"],
    evaluation_interval: "1m",
    tests: [{ interval: "1m", input_series: [{ series: QUERY, values }], alert_rule_test: alertTests }],
  };
  // JSON is YAML: promtool reads these as they are.
  writeFileSync(join(dir, "rules.yml"), JSON.stringify(rules, null, 2));
  writeFileSync(join(dir, "tests.yml"), JSON.stringify(tests, null, 2));
  const result = spawnSync(promtool, ["test", "rules", "tests.yml"], { cwd: dir, encoding: "utf8" });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** Watches the whole series with relctl: a hold too long to pass, every limit off. */
async function relctlHolds(): Promise<{ minute: number; healthy: boolean; heldMinutes: number }[]> {
  const gate = {
    url: prom.url,
    hold: "25m",
    timeout: `${EVALUATIONS - 1}m`,
    failure_limit: -1,
    inconclusive_limit: -1,
    metrics: [{ name: "ratio", query: QUERY, unit: "ratio", max: 0.01 }],
  };
  const { ctx } = await failAction("gate", gate, await context({ clock: manualAt(0) }));
  return recordsOf(ctx, "gate.evaluation").map((evaluation, minute) => ({
    minute,
    healthy: evaluation.verdict === "passed",
    heldMinutes: (evaluation.held_ms as number) / MINUTE,
  }));
}

const manualAt = (minutes: number) => manualClock(at(minutes));

describe("relctl's hold agrees with Prometheus' alerting-rule for:", () => {
  it("reports, at every evaluation, a hold that matches which for: alerts promtool says are firing", async () => {
    const holds = await relctlHolds();
    expect(holds).toHaveLength(EVALUATIONS);
    // The series is built to reset the hold three ways: a failed minute, a NaN and a breach;
    // a missing sample (minute 16) must not reset it.
    expect(holds.map((h) => h.heldMinutes)).toEqual([
      0, 1, 2, 3, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ]);
    const tests = holds.flatMap(({ minute, healthy, heldMinutes }) =>
      HOLDS.map((n) => expectAlert(minute, `Held${n}m`, healthy && heldMinutes >= n)),
    );
    const promtool = promtoolAgrees(tests);
    expect(promtool.ok, promtool.output).toBe(true);
  });

  it("passes a 5m hold at the evaluation where Prometheus starts firing a for: 5m alert", async () => {
    const gate = {
      url: prom.url,
      hold: "5m",
      timeout: "29m",
      failure_limit: -1,
      metrics: [{ name: "ratio", query: QUERY, max: 0.01 }],
    };
    const ctx = await context({ clock: manualAt(0) });
    await runAction("gate", gate, ctx);
    const passedAt = (ctx.clock.now().getTime() - at(0).getTime()) / MINUTE;
    expect(passedAt).toBe(10);
    const tests = Array.from({ length: passedAt + 1 }, (_, minute) =>
      expectAlert(minute, "Held5m", minute === passedAt),
    );
    const promtool = promtoolAgrees(tests);
    expect(promtool.ok, promtool.output).toBe(true);
  });

  it("trips a 3m abort criterion at the evaluation where Prometheus starts firing a for: 3m alert", async () => {
    const gate = {
      url: prom.url,
      hold: "25m",
      timeout: "29m",
      failure_limit: -1,
      inconclusive_limit: -1,
      abort: [{ name: "breach", query: QUERY, unit: "ratio", max: 0.02, for: "3m" }],
    };
    const { failure, ctx } = await failAction("gate", gate, await context({ clock: manualAt(0) }));
    expect(failure.message).toMatch(/^gate failed: abort criterion breach held for 3m/);
    const trippedAt = (ctx.clock.now().getTime() - at(0).getTime()) / MINUTE;
    expect(trippedAt).toBe(24);
    const tests = Array.from({ length: trippedAt + 1 }, (_, minute) =>
      expectAlert(minute, "Breach3m", minute === trippedAt),
    );
    const promtool = promtoolAgrees(tests);
    expect(promtool.ok, promtool.output).toBe(true);
  });

  it("is a real oracle: promtool rejects a hold that passes one evaluation early", () => {
    // relctl passes a 5m hold at minute 10; claiming it held at minute 9 must be caught.
    const promtool = promtoolAgrees([expectAlert(9, "Held5m", true)]);
    expect(promtool.ok).toBe(false);
    expect(promtool.output).toMatch(/alertname: Held5m, time: 9m/);
  });
});
