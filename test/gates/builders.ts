// Small builders for evaluator tests: Prometheus outcomes, rules with the schema's defaults,
// and a gate config. Samples are written the way Prometheus sends them (strings).
import type { Measurement } from "../../src/gates/measurement.js";
import { parseSampleValue, type Labels, type QueryOutcome } from "../../src/gates/prom-result.js";
import type { AbortRule, GateConfig, MetricRule } from "../../src/gates/rules.js";

export const T = Date.parse("2026-11-22T10:00:00Z");
export const MIN = 60_000;

export function vector(...series: (string | [Labels, string])[]): QueryOutcome {
  return {
    ok: true,
    resultType: "vector",
    samples: series.map((item) => {
      const [labels, raw] = typeof item === "string" ? [{}, item] : item;
      return { labels, raw, value: parseSampleValue(raw)!, time: T / 1000 };
    }),
    warnings: [],
  };
}

export const empty = (): QueryOutcome => vector();
export const queryError = (error = "HTTP 503: timeout: query timed out"): QueryOutcome => ({
  ok: false,
  error,
  warnings: [],
});

/** A rule with the schema's fail-closed defaults. */
export function rule(overrides: Partial<MetricRule> = {}): MetricRule {
  return {
    name: "error_rate",
    query: "error_ratio",
    unit: "ratio",
    onEmpty: "inconclusive",
    onNaN: "inconclusive",
    onError: "error",
    series: "all",
    ...overrides,
  };
}

export function abortRule(overrides: Partial<AbortRule> = {}): AbortRule {
  return { ...rule({ name: "error_rate_critical", max: 0.02 }), forMs: 5 * MIN, ...overrides };
}

export function config(
  overrides: Partial<Omit<GateConfig, "timing" | "limits">> & {
    timing?: Partial<GateConfig["timing"]>;
    limits?: Partial<GateConfig["limits"]>;
  } = {},
): GateConfig {
  const { timing, limits, onWarning = "inconclusive", ...rest } = overrides;
  return {
    metrics: [rule({ max: 0.01 })],
    abort: [],
    onWarning,
    ...rest,
    limits: { failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, ...limits },
    timing: {
      intervalMs: MIN,
      holdMs: 5 * MIN,
      initialDelayMs: 0,
      minDurationMs: 0,
      timeoutMs: 15 * MIN,
      ...timing,
    },
  };
}

/** A measurement with just the facts the round and the timing look at. */
export function measured(verdict: Measurement["verdict"], overrides: Partial<Measurement> = {}): Measurement {
  return {
    name: "error_rate",
    role: "metric",
    at: T,
    query: "error_ratio",
    series: [],
    verdict,
    counted: true,
    reason: verdict,
    warnings: [],
    ...overrides,
  };
}
