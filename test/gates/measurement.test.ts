import { describe, expect, it } from "vitest";
import { evaluateMetric } from "../../src/gates/measurement.js";
import type { QueryOutcome } from "../../src/gates/prom-result.js";
import type { MetricRule } from "../../src/gates/rules.js";
import { empty, queryError, rule, T, vector } from "./builders.js";

const judge = (r: MetricRule, outcome: QueryOutcome, baseline?: QueryOutcome) =>
  evaluateMetric(r, "metric", T, outcome, baseline);

describe("judging one metric", () => {
  it.each([
    ["a value under max", { max: 0.01 }, "0.0042", "passed", "0.42% <= 1%"],
    ["a value equal to max (bounds are inclusive)", { max: 0.01 }, "0.01", "passed", "1% <= 1%"],
    ["a value over max", { max: 0.01 }, "0.013", "failed", "1.3% > 1%"],
    ["a value equal to min", { min: 0.1 }, "0.1", "passed", "10% >= 10%"],
    ["a value under min", { min: 0.1 }, "0.05", "failed", "5% < 10%"],
    ["a value inside [min, max]", { min: 0.001, max: 0.01 }, "0.005", "passed", "0.5% within [0.1%, 1%]"],
    ["a value below [min, max]", { min: 0.001, max: 0.01 }, "0.0005", "failed", "0.05% < 0.1%"],
    [
      "latency in seconds under 500ms",
      { max: 0.5, unit: "seconds" as const },
      "0.225",
      "passed",
      "225ms <= 500ms",
    ],
    ["latency in seconds over 1s", { max: 1, unit: "seconds" as const }, "1.5", "failed", "1.5s > 1s"],
    ["a plain number", { min: 1, unit: "number" as const }, "16.67", "passed", "16.67 >= 1"],
  ])("judges %s", (_case, bounds, raw, verdict, reason) => {
    const m = judge(rule(bounds), vector(raw));
    expect(m).toMatchObject({ verdict, counted: true, reason });
    expect(m.series).toEqual([expect.objectContaining({ raw, verdict })]);
  });

  describe("declared policies for what the bounds cannot judge", () => {
    const policies = [
      ["fail", "failed", true],
      ["inconclusive", "inconclusive", true],
      ["pass", "passed", true],
      ["retry", "inconclusive", false],
    ] as const;

    it.each(policies)("on_empty: %s makes an empty result %s", (policy, verdict, counted) => {
      const m = judge(rule({ max: 0.01, onEmpty: policy }), empty());
      expect(m).toMatchObject({
        verdict,
        counted,
        reason: `no data: the query returned nothing (on_empty: ${policy})`,
      });
    });

    it.each(policies)("on_nan: %s makes NaN %s", (policy, verdict, counted) => {
      expect(judge(rule({ max: 0.01, onNaN: policy }), vector("NaN"))).toMatchObject({
        verdict,
        counted,
        reason: `NaN (on_nan: ${policy})`,
      });
    });

    it.each([
      ["+Inf", { min: 0.1 }],
      ["-Inf", { max: 0.01 }],
    ] as const)("treats %s like NaN, not as a number that happens to pass a bound", (raw, bounds) => {
      expect(judge(rule(bounds), vector(raw))).toMatchObject({
        verdict: "inconclusive",
        reason: `${raw} (on_nan: inconclusive)`,
      });
    });

    it.each([
      ["+Inf", { max: 1 }, "+Inf > 100%"],
      ["-Inf", { min: 0.1 }, "-Inf < 10%"],
      ["+Inf", { min: 0, max: 1 }, "+Inf > 100%"],
    ] as const)(
      "takes %s beyond a bound for the breach it is, whatever on_nan says",
      (raw, bounds, reason) => {
        expect(judge(rule({ ...bounds, onNaN: "pass" }), vector(raw))).toMatchObject({
          verdict: "failed",
          counted: true,
          reason,
        });
      },
    );

    it.each([
      ["error", "error", true],
      ["fail", "failed", true],
      ["inconclusive", "inconclusive", true],
      ["retry", "inconclusive", false],
    ] as const)("on_error: %s makes a query error %s", (policy, verdict, counted) => {
      const m = judge(rule({ max: 0.01, onError: policy }), queryError());
      expect(m).toMatchObject({ verdict, counted });
      expect(m.reason).toBe(`query error: HTTP 503: timeout: query timed out (on_error: ${policy})`);
    });

    it.each([
      ["an empty result", empty()],
      ["NaN", vector("NaN")],
      ["+Inf", vector("+Inf")],
      ["a query error", queryError()],
      ["several series under series: single", vector([{ pod: "a" }, "0.001"], [{ pod: "b" }, "0.001"])],
    ])("never passes %s with the default policies", (_case, outcome) => {
      const defaults = rule({ max: 0.01, series: _case.includes("single") ? "single" : "all" });
      expect(judge(defaults, outcome).verdict).not.toBe("passed");
    });
  });

  describe("several series", () => {
    const pods = vector([{ pod: "a" }, "0.004"], [{ pod: "b" }, "0.02"], [{ pod: "c" }, "0.001"]);

    it("fails series: all when one series is out of bounds, naming it by its labels", () => {
      const m = judge(rule({ max: 0.01 }), pods);
      expect(m).toMatchObject({ verdict: "failed", reason: '{pod="b"} 2% > 1%; 1 of 3 series did not pass' });
      expect(m.series.map((s) => [s.labels.pod, s.verdict])).toEqual([
        ["a", "passed"],
        ["b", "failed"],
        ["c", "passed"],
      ]);
    });

    it("lists every value when all series pass", () => {
      const m = judge(rule({ max: 0.05 }), pods);
      expect(m).toMatchObject({
        verdict: "passed",
        reason: 'all 3 series pass: {pod="a"} 0.4% <= 5%, {pod="b"} 2% <= 5%, {pod="c"} 0.1% <= 5%',
      });
    });

    it("passes series: any when one series passes", () => {
      expect(judge(rule({ max: 0.002, series: "any" }), pods)).toMatchObject({
        verdict: "passed",
        reason: '{pod="c"} 0.1% <= 0.2%; 1 of 3 series pass (series: any)',
      });
    });

    it("fails series: any when no series passes", () => {
      expect(judge(rule({ max: 0.0005, series: "any" }), pods)).toMatchObject({
        verdict: "failed",
        reason: expect.stringMatching(/^no series passes \(series: any\): \{pod="a"\} 0.4% > 0.05%/),
      });
    });

    it("makes several series an error under series: single, listing their labels", () => {
      expect(judge(rule({ max: 0.05, series: "single" }), pods)).toMatchObject({
        verdict: "error",
        reason: 'expected one series (series: single), got 3: {pod="a"}, {pod="b"}, {pod="c"}',
      });
    });

    it("lets a NaN series make series: all inconclusive even when the others pass", () => {
      const m = judge(rule({ max: 0.01 }), vector([{ pod: "a" }, "0.001"], [{ pod: "b" }, "NaN"]));
      expect(m).toMatchObject({
        verdict: "inconclusive",
        reason: '{pod="b"} NaN (on_nan: inconclusive); 1 of 2 series did not pass',
      });
    });

    it("does not let a retried series hide a counted inconclusive one", () => {
      const m = judge(
        rule({ max: 0.01, onNaN: "retry", onEmpty: "inconclusive" }),
        vector([{ pod: "a" }, "NaN"], [{ pod: "b" }, "0.001"]),
      );
      expect(m).toMatchObject({ verdict: "inconclusive", counted: false });
    });
  });

  describe("comparison with a baseline", () => {
    const ratio2x = rule({ baseline: { query: "stable_error_ratio", maxRatio: 2, floor: 0 } });

    it.each([
      ["within 2x of the baseline", "0.005", "0.0025", "passed", "0.5%: 2x baseline 0.25% <= 2x"],
      ["over 2x of the baseline", "0.006", "0.0025", "failed", "0.6%: 2.4x baseline 0.25% > 2x"],
      ["zero against a zero baseline (0/0 counts as equal)", "0", "0", "passed", "0%: 1x baseline 0% <= 2x"],
      ["any errors against a zero baseline", "0.0001", "0", "failed", "0.01%: +Inf x baseline 0% > 2x"],
    ])("judges a canary %s", (_case, canary, stable, verdict, reason) => {
      const m = judge(ratio2x, vector(canary), vector(stable));
      expect(m).toMatchObject({ verdict, reason });
      expect(m.baseline).toEqual({ query: "stable_error_ratio", raw: stable, value: Number(stable) });
    });

    it("takes ratios against the floor when the baseline is below it", () => {
      const floored = rule({ baseline: { query: "stable", maxRatio: 2, floor: 0.001 } });
      expect(judge(floored, vector("0.0015"), vector("0"))).toMatchObject({
        verdict: "passed",
        reason: "0.15%: 1.5x baseline 0% <= 2x",
      });
    });

    it("judges a difference from the baseline", () => {
      const diff = rule({ unit: "seconds", baseline: { query: "stable_p95", maxDifference: 0.1, floor: 0 } });
      expect(judge(diff, vector("0.35"), vector("0.2"))).toMatchObject({
        verdict: "failed",
        reason: "350ms: +150ms over baseline 200ms > +100ms",
      });
    });

    it("checks bounds and baseline together", () => {
      const both = rule({ max: 0.01, baseline: { query: "stable", maxRatio: 2, floor: 0 } });
      expect(judge(both, vector("0.008"), vector("0.002"))).toMatchObject({
        verdict: "failed",
        reason: "0.8% <= 1%, 4x baseline 0.2% > 2x",
      });
    });

    it.each([
      [
        "an empty baseline",
        empty(),
        "inconclusive",
        "no data: the baseline query returned nothing (on_empty: inconclusive)",
      ],
      ["a NaN baseline", vector("NaN"), "inconclusive", "baseline is NaN (on_nan: inconclusive)"],
      [
        "a baseline query error",
        queryError("HTTP 500: boom"),
        "error",
        "baseline query error: HTTP 500: boom (on_error: error)",
      ],
      [
        "a baseline with several series",
        vector([{ pod: "a" }, "0.1"], [{ pod: "b" }, "0.2"]),
        "error",
        "the baseline query returned 2 series; aggregate it to one (sum, max, …)",
      ],
    ])("does not pass against %s", (_case, baseline, verdict, reason) => {
      expect(judge(ratio2x, vector("0.001"), baseline)).toMatchObject({ verdict, reason });
    });
  });

  it("keeps the query and Prometheus' warnings with the measurement", () => {
    const outcome: QueryOutcome = { ...vector("0.001"), warnings: ["results truncated"] };
    expect(judge(rule({ max: 0.01 }), outcome)).toMatchObject({
      query: "error_ratio",
      at: T,
      warnings: ["results truncated"],
    });
  });
});
