import { describe, expect, it } from "vitest";
import { evaluateFreshness, evaluateMinTraffic } from "../../src/gates/preconditions.js";
import type { FreshnessRule, MinTrafficRule } from "../../src/gates/rules.js";
import { empty, MIN, queryError, T, vector } from "./builders.js";

const traffic = (overrides: Partial<MinTrafficRule> = {}): MinTrafficRule => ({
  query: "sum(rate(http_requests_total[1m]))",
  min: 1,
  unit: "number",
  onLow: "inconclusive",
  onError: "error",
  ...overrides,
});

const fresh = (overrides: Partial<FreshnessRule> = {}): FreshnessRule => ({
  selector: "up",
  maxAgeMs: MIN,
  onStale: "inconclusive",
  onError: "error",
  ...overrides,
});

const seconds = (ms: number) => String(ms / 1000);

describe("the minimum-traffic precondition", () => {
  it.each([
    ["enough traffic", vector("16.67"), "passed", "traffic 16.67 >= min_traffic 1"],
    [
      "traffic summed over several series",
      vector([{ pod: "a" }, "0.6"], [{ pod: "b" }, "0.6"]),
      "passed",
      "traffic 1.2 (sum of 2 series) >= min_traffic 1",
    ],
    [
      "too little traffic",
      vector("0.0667"),
      "inconclusive",
      "traffic 0.0667 < min_traffic 1 (on_low: inconclusive)",
    ],
    [
      "no traffic data",
      empty(),
      "inconclusive",
      "no traffic data: the query returned nothing (on_low: inconclusive)",
    ],
    ["NaN traffic", vector("NaN"), "inconclusive", "traffic is NaN (on_low: inconclusive)"],
    [
      "a query error",
      queryError(),
      "error",
      "query error: HTTP 503: timeout: query timed out (on_error: error)",
    ],
  ])("judges %s", (_case, outcome, verdict, reason) => {
    expect(evaluateMinTraffic(traffic(), T, outcome)).toMatchObject({ role: "min_traffic", verdict, reason });
  });

  it.each([
    ["fail", "failed", true],
    ["retry", "inconclusive", false],
  ] as const)("makes low traffic %s when on_low says %s", (policy, verdict, counted) => {
    expect(evaluateMinTraffic(traffic({ onLow: policy }), T, vector("0"))).toMatchObject({
      verdict,
      counted,
    });
  });
});

describe("the freshness precondition", () => {
  it.each([
    [
      "a sample 15s old",
      vector(seconds(T - 15_000)),
      "passed",
      "newest sample 2026-11-22T09:59:45Z (15s old)",
    ],
    [
      "a sample 3m old against max_age 1m",
      vector(seconds(T - 3 * MIN)),
      "inconclusive",
      "newest sample is 3m old > max_age 1m (on_stale: inconclusive)",
    ],
    ["no recent sample at all", empty(), "inconclusive", "no recent sample of up (on_stale: inconclusive)"],
    [
      "a query error",
      queryError(),
      "error",
      "query error: HTTP 503: timeout: query timed out (on_error: error)",
    ],
  ])("judges %s", (_case, outcome, verdict, reason) => {
    expect(evaluateFreshness(fresh(), T, "max(timestamp(up))", outcome)).toMatchObject({ verdict, reason });
  });

  it("requires the newest sample to be newer than the deployment", () => {
    const rule = fresh({ maxAgeMs: undefined, newerThan: T - MIN });
    expect(evaluateFreshness(rule, T, "q", vector(seconds(T - 2 * MIN)))).toMatchObject({
      verdict: "inconclusive",
      reason:
        "newest sample 2026-11-22T09:58:00Z is not newer than 2026-11-22T09:59:00Z (on_stale: inconclusive)",
    });
    expect(evaluateFreshness(rule, T, "q", vector(seconds(T - 30_000))).verdict).toBe("passed");
  });

  it("fails a stale series when on_stale says fail", () => {
    expect(evaluateFreshness(fresh({ onStale: "fail" }), T, "q", vector(seconds(T - 3 * MIN))).verdict).toBe(
      "failed",
    );
  });
});
