import { describe, expect, it } from "vitest";
import { describeGate, measurementRecord, progressLine } from "../../src/gates/explain.js";
import { formatSpan, formatValue } from "../../src/gates/format.js";
import { evaluateMetric } from "../../src/gates/measurement.js";
import { combineRound } from "../../src/gates/round.js";
import { advance, startGate } from "../../src/gates/timing.js";
import { abortRule, config, MIN, rule, T, vector } from "./builders.js";

describe("what the operator reads", () => {
  it("shows each evaluation as values against bounds with the hold progress", () => {
    const gate = config({ metrics: [rule({ max: 0.01 })] });
    let state = startGate(T - 3 * MIN);
    let line = "";
    for (let k = 0; k <= 3; k += 1) {
      const at = T - 3 * MIN + k * MIN;
      const round = combineRound(at, [evaluateMetric(gate.metrics[0]!, "metric", at, vector("0.0042"))]);
      const next = advance(gate, state, round);
      state = next.state;
      line = progressLine(round, next.decision, gate.timing, state);
    }
    expect(line).toBe("error_rate 0.42% <= 1% ok, held 3m/5m");
  });

  it("says the hold was reset and shows a breaching abort criterion and the counts", () => {
    const gate = config({
      metrics: [rule({ max: 0.01 }), rule({ name: "p95", unit: "seconds", max: 0.5, query: "p95" })],
      abort: [abortRule()],
      limits: { failureLimit: -1 },
    });
    const round = combineRound(T, [
      evaluateMetric(gate.metrics[0]!, "metric", T, vector("0.025")),
      evaluateMetric(gate.metrics[1]!, "metric", T, vector("0.225")),
      evaluateMetric(gate.abort[0]!, "abort", T, vector("0.025")),
    ]);
    const next = advance(gate, startGate(T), round);
    expect(progressLine(round, next.decision, gate.timing, next.state)).toBe(
      "error_rate 2.5% > 1% FAILED, p95 225ms <= 500ms ok, " +
        "abort error_rate_critical 2.5% > 2% breaching 0s/5m, hold reset (0s/5m), failed 1",
    );
  });

  it("describes the runbook's canary gate in one line for relctl plan", () => {
    const gate = config({
      metrics: [
        rule({ max: 0.01 }),
        rule({ name: "p95", unit: "seconds", max: 0.5 }),
        rule({ name: "vs_stable", baseline: { query: "s", maxRatio: 2, floor: 0 } }),
      ],
      abort: [abortRule()],
    });
    expect(describeGate(gate)).toBe(
      "error_rate <= 1% and p95 <= 500ms and vs_stable <= 2x baseline, held 5m (every 1m, timeout 15m); " +
        "abort if error_rate_critical > 2% for 5m",
    );
  });

  it("records NaN and infinite values as Prometheus wrote them, since JSON has no NaN", () => {
    const record = measurementRecord(evaluateMetric(rule({ max: 1 }), "metric", T, vector("NaN")));
    expect(record).toMatchObject({
      at: "2026-11-22T10:00:00Z",
      query: "error_ratio",
      verdict: "inconclusive",
    });
    expect(record.values).toEqual([
      { labels: {}, value: "NaN", raw: "NaN", verdict: "inconclusive", text: "NaN (on_nan: inconclusive)" },
    ]);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it.each([
    [0.0042, "ratio", "0.42%"],
    [0.01, "ratio", "1%"],
    [0.225, "seconds", "225ms"],
    [1.5, "seconds", "1.5s"],
    [1795341600, "number", "1.795e+9"],
    [0.00001, "number", "1e-5"],
    [Number.NaN, "ratio", "NaN"],
  ] as const)("shows %s as a %s as %s", (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it.each([
    [0, "0s"],
    [250, "250ms"],
    [45_000, "45s"],
    [3 * MIN, "3m"],
    [90_000, "1m30s"],
    [2 * 60 * MIN, "2h"],
    [65 * MIN, "1h05m"],
  ])("shows %sms as %s", (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});
