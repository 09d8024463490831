import { describe, expect, it } from "vitest";
import { evaluateLookback, lookbackTimes, sliceAt } from "../../src/gates/lookback.js";
import type { QueryOutcome } from "../../src/gates/prom-result.js";
import type { GateConfig } from "../../src/gates/rules.js";
import { abortRule, config, MIN, queryError, rule, T } from "./builders.js";

const START = T - 10 * MIN;

/** A range result with one value per minute from START; null leaves a step without data. */
function matrix(values: (string | null)[], labels: Record<string, string> = {}): QueryOutcome {
  return {
    ok: true,
    resultType: "matrix",
    warnings: [],
    samples: values.flatMap((raw, k) =>
      raw === null
        ? []
        : [{ labels, raw, value: raw === "NaN" ? Number.NaN : Number(raw), time: (START + k * MIN) / 1000 }],
    ),
  };
}

const ok = (n: number, value = "0.004") => Array.from({ length: n }, () => value);

function look(gate: GateConfig, ranges: Record<string, QueryOutcome>) {
  return evaluateLookback(gate, { start: START, end: T, stepMs: MIN, range: (query) => ranges[query] });
}

const lookback = (overrides: Parameters<typeof config>[0] = {}) =>
  config({ lookbackMs: 10 * MIN, ...overrides });

describe("look-back: judging a past window at once", () => {
  it("passes when no step of the window breaches", () => {
    const result = look(lookback(), { error_ratio: matrix(ok(11)) });
    expect(result).toMatchObject({
      verdict: "passed",
      reason:
        "no breach in the last 10m: 11 evaluations from 2026-11-22T09:50:00Z to 2026-11-22T10:00:00Z: failed 0, inconclusive 0, errors 0",
    });
    expect(result.rounds).toHaveLength(11);
  });

  it("fails at the first breach, saying when and by how much", () => {
    const values = ok(11);
    values[4] = "0.015";
    expect(look(lookback(), { error_ratio: matrix(values) })).toMatchObject({
      verdict: "failed",
      reason:
        "in the last 10m, at 2026-11-22T09:54:00Z: failed (1) > failure_limit (0); last: error_rate: 1.5% > 1%",
    });
  });

  it("tolerates breaches up to failure_limit and says so", () => {
    const values = ok(11);
    values[4] = "0.015";
    expect(look(lookback({ limits: { failureLimit: 1 } }), { error_ratio: matrix(values) })).toMatchObject({
      verdict: "passed",
      reason: expect.stringMatching(/^passed in the last 10m: failed \(1\) <= failure_limit \(1\)/),
    });
  });

  it("is inconclusive when part of the window has no data", () => {
    expect(look(lookback(), { error_ratio: matrix([null, null, ...ok(9)]) })).toMatchObject({
      verdict: "inconclusive",
      reason: expect.stringContaining("inconclusive (1) > inconclusive_limit (0); last: error_rate: no data"),
    });
  });

  it("is inconclusive when no step could be judged at all", () => {
    const retry = lookback({ metrics: [rule({ max: 0.01, onEmpty: "retry" })] });
    expect(look(retry, { error_ratio: matrix([]) })).toMatchObject({
      verdict: "inconclusive",
      reason: expect.stringMatching(/^no evaluation in the last 10m could be judged/),
    });
  });

  it("fails when an abort criterion breached for its duration inside the window", () => {
    const values = ok(11);
    for (const k of [2, 3, 4, 5]) values[k] = "0.03";
    const gate = lookback({ abort: [abortRule({ forMs: 3 * MIN })], limits: { failureLimit: -1 } });
    expect(look(gate, { error_ratio: matrix(values) })).toMatchObject({
      verdict: "failed",
      reason: expect.stringContaining(
        "abort criterion error_rate_critical held for 3m (for 3m, since 2026-11-22T09:52:00Z)",
      ),
    });
  });

  it("is inconclusive when an abort criterion is still breaching at the end of the window", () => {
    const values = ok(11);
    values[10] = "0.03";
    const gate = lookback({ abort: [abortRule()], limits: { failureLimit: -1 } });
    expect(look(gate, { error_ratio: matrix(values) })).toMatchObject({
      verdict: "inconclusive",
      reason: "abort criterion error_rate_critical is breaching at the end of the last 10m (for 0s of 5m)",
    });
  });

  it.each([
    ["error", "failed"],
    ["fail", "failed"],
    ["inconclusive", "inconclusive"],
    ["retry", "inconclusive"],
  ] as const)("decides a failed range query at once by on_error: %s → %s", (policy, verdict) => {
    const gate = lookback({ metrics: [rule({ max: 0.01, onError: policy })] });
    expect(look(gate, { error_ratio: queryError("HTTP 422: execution: boom") })).toMatchObject({
      verdict,
      reason: `error_rate: range query error: HTTP 422: execution: boom (on_error: ${policy})`,
    });
  });

  it("does not judge steps with too little traffic: they are inconclusive, not breaches", () => {
    const values = ok(11);
    values[3] = "0.5";
    const traffic = ok(11, "20");
    traffic[3] = "0.1";
    const gate = lookback({
      minTraffic: { query: "traffic", min: 1, unit: "number", onLow: "inconclusive", onError: "error" },
      limits: { inconclusiveLimit: 1 },
    });
    const result = look(gate, { error_ratio: matrix(values), traffic: matrix(traffic) });
    expect(result).toMatchObject({ verdict: "passed" });
    expect(result.state).toMatchObject({ failed: 0, inconclusive: 1 });
  });

  it("decides a failed min_traffic range query at once", () => {
    const gate = lookback({
      minTraffic: { query: "traffic", min: 1, unit: "number", onLow: "inconclusive", onError: "error" },
    });
    expect(look(gate, { error_ratio: matrix(ok(11)), traffic: queryError() })).toMatchObject({
      verdict: "failed",
      reason: "min_traffic: range query error: HTTP 503: timeout: query timed out (on_error: error)",
    });
  });

  it("compares with a baseline step by step", () => {
    const gate = lookback({ metrics: [rule({ baseline: { query: "stable", maxRatio: 2, floor: 0 } })] });
    const canary = ok(11, "0.005");
    canary[7] = "0.006";
    expect(look(gate, { error_ratio: matrix(canary), stable: matrix(ok(11, "0.0025")) })).toMatchObject({
      verdict: "failed",
      reason: expect.stringContaining("error_rate: 0.6%: 2.4x baseline 0.25% > 2x"),
    });
  });

  it("sees a breach already running when the window starts, from the warm-up before it", () => {
    // One value a minute from 5 minutes before START: 3% until 2 minutes into the window.
    const warm: QueryOutcome = {
      ok: true,
      resultType: "matrix",
      warnings: [],
      samples: Array.from({ length: 16 }, (_, k) => {
        const raw = k <= 7 ? "0.03" : "0.004";
        return { labels: {}, raw, value: Number(raw), time: (START + (k - 5) * MIN) / 1000 };
      }),
    };
    const gate = lookback({ metrics: [], abort: [abortRule()] });
    const inputs = { start: START, end: T, stepMs: MIN, range: () => warm };
    expect(evaluateLookback(gate, { ...inputs, warmupSteps: 5 })).toMatchObject({
      verdict: "failed",
      reason:
        "in the last 10m, at 2026-11-22T09:50:00Z: abort criterion error_rate_critical held for 5m " +
        "(for 5m, since 2026-11-22T09:45:00Z): 3% > 2%",
    });
    expect(evaluateLookback(gate, inputs).verdict).toBe("passed");
  });

  it("reads points a front-end aligned to the step: the newest in each step", () => {
    const aligned: QueryOutcome = {
      ok: true,
      resultType: "matrix",
      warnings: [],
      samples: [0, 1, 2].map((k) => ({
        labels: {},
        raw: `0.${k + 1}`,
        value: (k + 1) / 10,
        time: (START - 30_000 + k * MIN) / 1000,
      })),
    };
    expect(sliceAt(aligned, START + MIN, MIN)).toMatchObject({ samples: [{ raw: "0.2" }] });
    expect(sliceAt(aligned, START + MIN)).toMatchObject({ samples: [] });
  });

  it("takes the samples of one step from a range result", () => {
    const outcome = matrix(["0.1", "0.2", "0.3"]);
    const slice = sliceAt(outcome, START + MIN);
    expect(slice.ok && slice.samples.map((s) => s.raw)).toEqual(["0.2"]);
    expect(lookbackTimes(START, T, MIN)).toHaveLength(11);
  });
});
