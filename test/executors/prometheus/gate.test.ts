// prometheus.gate against a real Prometheus holding the fixture's deterministic data. The
// manual clock starts where the test says; a 5-minute hold runs in milliseconds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StepFailure } from "../../../src/executors/contract.js";
import { writeDecision } from "../../../src/state/decisions.js";
import { manualClock } from "../../helpers/action-context.js";
import { at, errorRatio, p95, startPrometheus, traffic, type TestPrometheus } from "./fixture.js";
import { context, failAction, messages, previewAction, recordsOf, runAction } from "./run-action.js";

let prom: TestPrometheus;
beforeAll(async () => {
  prom = await startPrometheus();
});
afterAll(async () => {
  await prom?.stop();
});

/** The runbook's canary gate: error rate <= 1% and P95 <= 500ms held 5m, within 2x of stable,
 *  rollback when the error rate stays above 2% for 5m, and only with real traffic. */
function canaryGate(service: string, overrides: Record<string, unknown> = {}) {
  return {
    url: prom.url,
    interval: "1m",
    hold: "5m",
    timeout: "30m",
    failure_limit: 2,
    metrics: [
      { name: "error_rate", query: errorRatio(service), unit: "ratio", max: 0.01 },
      { name: "p95_latency", query: p95(service), unit: "seconds", max: 0.5 },
      {
        name: "error_rate_vs_stable",
        query: errorRatio(service),
        unit: "ratio",
        baseline: { query: errorRatio(service, "stable"), max_ratio: 2 },
      },
    ],
    abort: [{ name: "error_rate_critical", query: errorRatio(service), unit: "ratio", max: 0.02, for: "5m" }],
    min_traffic: { query: traffic(service), min: 1 },
    ...overrides,
  };
}

const clockAt = (minutes: number) => manualClock(at(minutes));

describe("prometheus.gate on the runbook's canary criteria", () => {
  it("passes once error rate and P95 have held for 5 minutes, starting the hold again after a 1.5% minute", async () => {
    const ctx = await context({ clock: clockAt(0) });
    const { outputs } = await runAction("gate", canaryGate("checkout"), ctx);
    expect(outputs).toMatchObject({
      verdict: "passed",
      passed: true,
      reason:
        "every metric passed at every evaluation for 5m (hold 5m: 6 evaluations from 2026-11-22T10:03:00Z to 2026-11-22T10:08:00Z)",
      decision: null,
      measurements: { evaluations: 9, passed: 8, failed: 1, inconclusive: 0, errors: 0, longest_hold: "5m" },
    });
    expect(ctx.clock.now()).toEqual(at(8));
    const lines = messages(ctx, "info");
    expect(lines).toContain(
      "error_rate 1.5% > 1% FAILED, p95_latency 225ms <= 500ms ok, " +
        "error_rate_vs_stable 1.5%: 6x baseline 0.25% > 2x FAILED, hold reset (0s/5m), failed 1",
    );
    expect(lines).toContain(
      "error_rate 0.5% <= 1% ok, p95_latency 225ms <= 500ms ok, error_rate_vs_stable 0.5%: 2x baseline 0.25% <= 2x ok, held 3m/5m, failed 1",
    );
    expect(lines.at(-1)).toMatch(/^gate passed: every metric passed/);
  });

  it("records every measurement with its time, resolved query, raw value and verdict", async () => {
    const ctx = await context({ clock: clockAt(0) });
    await runAction("gate", canaryGate("checkout"), ctx);
    const measurements = recordsOf(ctx, "gate.measurement");
    // 9 evaluations × (3 metrics + 1 abort criterion + min_traffic)
    expect(measurements).toHaveLength(45);
    expect(measurements[0]).toEqual({
      metric: "error_rate",
      role: "metric",
      at: "2026-11-22T10:00:00Z",
      query: errorRatio("checkout"),
      verdict: "passed",
      counted: true,
      reason: "0.5% <= 1%",
      values: [{ labels: {}, value: 0.005, raw: "0.005", verdict: "passed", text: "0.5% <= 1%" }],
      warnings: [],
    });
    expect(measurements.find((m) => m.metric === "error_rate_vs_stable")).toMatchObject({
      baseline: { query: errorRatio("checkout", "stable"), value: 0.0025, raw: "0.0025" },
    });
    expect(recordsOf(ctx, "gate.evaluation").map((e) => e.held_ms)).toEqual([
      0, 60_000, 0, 0, 60_000, 120_000, 180_000, 240_000, 300_000,
    ]);
    expect(recordsOf(ctx, "gate.verdict")).toEqual([{ verdict: "passed", reason: expect.any(String) }]);
  });

  it("stops and asks for rollback when the error rate stays above 2% for 5 minutes", async () => {
    const ctx = await context({ clock: clockAt(20) });
    const { failure } = await failAction("gate", canaryGate("search", { failure_limit: -1 }), ctx);
    expect(failure.kind).toBe("gate-failed");
    expect(failure.message).toBe(
      "gate failed: abort criterion error_rate_critical held for 5m (for 5m, since 2026-11-22T10:23:00Z): 3% > 2%",
    );
    expect(ctx.clock.now()).toEqual(at(28));
    expect(failure.outputs).toMatchObject({ verdict: "failed", passed: false });
    expect(messages(ctx, "info")).toContain(
      "error_rate 3% > 1% FAILED, p95_latency 225ms <= 500ms ok, error_rate_vs_stable 3%: 12x baseline 0.25% > 2x FAILED, " +
        "abort error_rate_critical 3% > 2% breaching 2m/5m, hold reset (0s/5m), failed 3",
    );
  });

  it("fails at once on the first failed evaluation with the default failure_limit of 0", async () => {
    const gate = {
      url: prom.url,
      hold: "5m",
      metrics: [
        {
          name: "error_rate_vs_stable",
          query: errorRatio("search"),
          unit: "ratio",
          baseline: { query: errorRatio("search", "stable"), max_ratio: 2 },
        },
      ],
    };
    const { failure, ctx } = await failAction("gate", gate, await context({ clock: clockAt(22) }));
    expect(failure.message).toBe(
      "gate failed: failed (1) > failure_limit (0); last: error_rate_vs_stable: 3%: 12x baseline 0.25% > 2x",
    );
    expect(ctx.clock.now()).toEqual(at(23));
  });

  it("requires the SLO error budget to be above 10% before a cut", async () => {
    const budget = (service: string) => ({
      url: prom.url,
      metrics: [
        {
          name: "error_budget",
          query: `slo:error_budget_remaining{service="${service}"}`,
          unit: "ratio",
          min: 0.1,
          series: "single",
        },
      ],
    });
    const { outputs } = await runAction("gate", budget("api"), await context({ clock: clockAt(0) }));
    expect(outputs).toMatchObject({
      verdict: "passed",
      reason: "every metric passed (hold 0s: the first healthy evaluation decides)",
    });
    const { failure } = await failAction("gate", budget("web"), await context({ clock: clockAt(0) }));
    expect(failure.message).toBe("gate failed: failed (1) > failure_limit (0); last: error_budget: 5% < 10%");
  });

  it("holds a canary weight for its minimum time, watching the rollback trigger throughout", async () => {
    const ctx = await context({ clock: clockAt(0) });
    const { outputs } = await runAction("gate", canaryGate("checkout", { min_duration: "12m" }), ctx);
    expect(outputs.reason).toBe(
      "every metric passed at every evaluation for 9m (hold 5m: 10 evaluations from 2026-11-22T10:03:00Z " +
        "to 2026-11-22T10:12:00Z), after the minimum 12m",
    );
    expect(ctx.clock.now()).toEqual(at(12));
  });

  it("waits the initial delay before the first evaluation", async () => {
    const clock = clockAt(0);
    const ctx = await context({ clock });
    await runAction("gate", canaryGate("checkout", { initial_delay: "3m" }), ctx);
    expect(clock.sleeps[0]).toBe(3 * 60_000);
    expect(recordsOf(ctx, "gate.evaluation")[0]).toMatchObject({ at: "2026-11-22T10:03:00Z" });
    expect(ctx.clock.now()).toEqual(at(8));
  });
});

describe("prometheus.gate never takes no traffic or no data for health", () => {
  it("is inconclusive when the canary has too little traffic, whatever its error ratio", async () => {
    const { failure } = await failAction("gate", canaryGate("idle"), await context({ clock: clockAt(0) }));
    expect(failure.kind).toBe("gate-failed");
    expect(failure.message).toBe(
      "gate inconclusive: inconclusive (1) > inconclusive_limit (0); " +
        "last: min_traffic: traffic 0.06667 < min_traffic 1 (on_low: inconclusive)",
    );
  });

  it("is inconclusive on the NaN of a canary nobody calls (0/0)", async () => {
    const gate = {
      url: prom.url,
      metrics: [{ name: "error_rate", query: errorRatio("zero"), unit: "ratio", max: 0.01 }],
    };
    const { failure } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    expect(failure.message).toBe(
      "gate inconclusive: inconclusive (1) > inconclusive_limit (0); last: error_rate: NaN (on_nan: inconclusive)",
    );
  });

  it("is inconclusive on stale data even before the metric goes empty", async () => {
    const gate = {
      url: prom.url,
      metrics: [{ name: "error_rate", query: errorRatio("stale"), unit: "ratio", max: 0.01 }],
      freshness: { selector: 'http_requests_total{service="stale"}', max_age: "1m" },
    };
    const { failure } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    expect(failure.message).toBe(
      "gate inconclusive: inconclusive (1) > inconclusive_limit (0); " +
        "last: freshness: newest sample is 3m old > max_age 1m (on_stale: inconclusive)",
    );
  });

  it("keeps measuring without counting when the playbook says retry, until the timeout", async () => {
    const gate = {
      url: prom.url,
      timeout: "3m",
      metrics: [{ name: "error_rate", query: errorRatio("zero"), unit: "ratio", max: 0.01, on_nan: "retry" }],
    };
    const { failure, ctx } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    expect(failure.message).toMatch(
      /^gate inconclusive: timed out after 3m \(timeout 3m\) without holding 0s/,
    );
    expect(recordsOf(ctx, "gate.evaluation")).toHaveLength(4);
  });

  it("names the series that breaches when several come back", async () => {
    const gate = (series: string) => ({
      url: prom.url,
      metrics: [
        { name: "ratio", query: 'relctl_test_ratio{case="multi"}', unit: "ratio", max: 0.01, series },
      ],
    });
    const { failure } = await failAction("gate", gate("all"), await context({ clock: clockAt(0) }));
    expect(failure.message).toBe(
      'gate failed: failed (1) > failure_limit (0); last: ratio: {case="multi", pod="b"} 2% > 1%; 1 of 3 series did not pass',
    );
    const { outputs } = await runAction("gate", gate("any"), await context({ clock: clockAt(0) }));
    expect(outputs.passed).toBe(true);
  });
});

describe("prometheus.gate in look-back mode", () => {
  const lookback = (service: string) => ({
    url: prom.url,
    lookback: "2h",
    interval: "1m",
    metrics: [{ name: "error_rate", query: errorRatio(service), unit: "ratio", max: 0.01 }],
  });

  it("decides at once that there was no breach in the last 2 hours", async () => {
    const ctx = await context({ clock: clockAt(0) });
    const { outputs } = await runAction("gate", lookback("checkout"), ctx);
    expect(outputs.reason).toBe(
      "no breach in the last 2h: 121 evaluations from 2026-11-22T08:00:00Z to 2026-11-22T10:00:00Z: " +
        "failed 0, inconclusive 0, errors 0",
    );
    expect(ctx.clock.now()).toEqual(at(0));
    expect(recordsOf(ctx, "gate.lookback")).toEqual([
      expect.objectContaining({
        start: "2026-11-22T08:00:00Z",
        end: "2026-11-22T10:00:00Z",
        evaluations: 121,
      }),
    ]);
  });

  it("fails on a single breached minute 90 minutes ago, saying when", async () => {
    const { failure } = await failAction("gate", lookback("search"), await context({ clock: clockAt(0) }));
    expect(failure.message).toBe(
      "gate failed: in the last 2h, at 2026-11-22T08:30:00Z: failed (1) > failure_limit (0); last: error_rate: 1.5% > 1%",
    );
  });
});

describe("prometheus.gate in a dry-run", () => {
  it("evaluates once and says it would pass now, without waiting for the hold", async () => {
    const ctx = await context({ clock: clockAt(0) });
    const { outputs } = await previewAction("gate", canaryGate("checkout"), ctx);
    expect(outputs).toMatchObject({
      verdict: "passed",
      passed: true,
      reason: "would pass now: every metric passes; a real run must hold it for 5m",
    });
    expect(ctx.clock.now()).toEqual(at(0));
    expect(recordsOf(ctx, "gate.measurement")).toHaveLength(5);
  });

  it("says why it would not pass now, without failing the step", async () => {
    const { outputs } = await previewAction(
      "gate",
      canaryGate("checkout"),
      await context({ clock: clockAt(2) }),
    );
    expect(outputs).toMatchObject({
      verdict: "failed",
      passed: false,
      reason: "would not pass now: error_rate: 1.5% > 1%",
    });
  });
});

describe("prometheus.gate pausing an inconclusive result for a person", () => {
  const paused = (deadline = "10m") => ({
    ...canaryGate("idle"),
    on_inconclusive: { action: "pause", deadline, default: "abort" },
  });

  it("continues when a person decides to continue while it waits", async () => {
    const clock = clockAt(0);
    let sleeps = 0;
    const ctx = await context({
      clock: {
        now: () => clock.now(),
        // The on-call engineer decides while the gate is waiting (on its third poll).
        sleep: async (ms, signal) => {
          sleeps += 1;
          if (sleeps === 3) {
            await writeDecision(ctx.run.stateDir, ctx.run.id, ctx.step.id, {
              decision: "continue",
              by: "alice",
              reason: "weekend traffic is low; error ratio is fine",
            });
          }
          return clock.sleep(ms, signal);
        },
      },
    });
    const { outputs } = await runAction("gate", paused(), ctx);
    expect(outputs).toMatchObject({
      verdict: "inconclusive",
      passed: false,
      decision: {
        decision: "continue",
        by: "alice",
        reason: "weekend traffic is low; error ratio is fine",
        defaulted: false,
      },
    });
    expect(messages(ctx, "warn")[0]).toMatch(
      /^gate inconclusive \(inconclusive \(1\) > inconclusive_limit \(0\); .*\); waiting until 2026-11-22T10:10:00Z for a decision: relctl decide test-run test-step continue\|abort/,
    );
    expect(recordsOf(ctx, "gate.decision")).toEqual([
      expect.objectContaining({ decision: "continue", by: "alice" }),
    ]);
  });

  it("takes the default (abort) when nobody decides before the deadline", async () => {
    const ctx = await context({ clock: clockAt(0) });
    const { failure } = await failAction("gate", paused("10m"), ctx);
    expect(failure.kind).toBe("gate-failed");
    expect(failure.message).toBe(
      "gate inconclusive and aborted by relctl: nobody decided within 10m (on_inconclusive.default: abort)",
    );
    expect(ctx.clock.now()).toEqual(at(10));
  });

  it("is a gate that could not decide when the step's timeout fires during the pause", async () => {
    const clock = clockAt(0);
    let sleeps = 0;
    const ctx = await context({
      clock: {
        now: () => clock.now(),
        // The step's timeout fires on the pause's second look at the decision file.
        sleep: async (ms, signal) => {
          sleeps += 1;
          if (sleeps === 2) ctx.abort(new StepFailure("timed out after 3.0s", { kind: "timed-out" }));
          return clock.sleep(ms, signal);
        },
      },
    });
    const { failure } = await failAction("gate", paused(), ctx);
    expect(failure.kind).toBe("gate-failed");
    expect(failure.message).toMatch(
      /^gate could not decide: the step timed out after 3\.0s while the gate was paused for a decision, after 1 evaluation \(held 0s\); last: error_rate 0% <= 1%, .*min_traffic traffic 0\.06667 < min_traffic 1 \(on_low: inconclusive\)$/,
    );
  });

  it("aborts when a person decides to abort", async () => {
    const ctx = await context({ clock: clockAt(0) });
    await writeDecision(ctx.run.stateDir, ctx.run.id, ctx.step.id, {
      decision: "abort",
      by: "bob",
      reason: "not worth it",
    });
    const { failure } = await failAction("gate", paused(), ctx);
    expect(failure.message).toBe("gate inconclusive and aborted by bob: not worth it");
  });
});

describe("prometheus.gate connection settings", () => {
  it("finds Prometheus through RELCTL_PROMETHEUS_URL when the step gives no url", async () => {
    const gate = {
      metrics: [{ name: "budget", query: 'slo:error_budget_remaining{service="api"}', min: 0.1 }],
    };
    const ctx = await context({ clock: clockAt(0), env: { RELCTL_PROMETHEUS_URL: `${prom.url}/` } });
    expect((await runAction("gate", gate, ctx)).outputs.passed).toBe(true);
  });

  it("refuses to start without any Prometheus address", async () => {
    const gate = { metrics: [{ name: "budget", query: "x", min: 0.1 }] };
    const { failure } = await failAction("gate", gate, await context({ clock: clockAt(0), env: {} }));
    expect(failure.message).toBe("no Prometheus address");
    expect(failure.hint).toMatch(/RELCTL_PROMETHEUS_URL/);
  });
});
