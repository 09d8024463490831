// The gate as the evaluator sees it: every duration in milliseconds, every default applied.
// The executor's zod schema (src/executors/prometheus/gate-schema.ts) produces this shape.
import type { ErrorPolicy, NoDataPolicy } from "./verdict.js";
import type { WarningPolicy } from "./warnings.js";

/** How values are shown: a 0–1 ratio as a percentage, seconds as 412ms / 1.5s, or as a plain number. */
export type Unit = "ratio" | "seconds" | "number";

/** What several series in one result must do: every one pass, at least one pass, or be exactly one. */
export type SeriesPolicy = "all" | "any" | "single";

export interface BaselineRule {
  query: string;
  /** Canary ≤ maxRatio × baseline. */
  maxRatio?: number;
  /** Canary − baseline ≤ maxDifference. */
  maxDifference?: number;
  /**
   * Ratios are taken against max(baseline, floor). With floor 0 and a baseline of 0, a canary of
   * 0 has ratio 1 and any canary above 0 an infinite ratio (fails): never a division by zero.
   */
  floor: number;
}

export interface MetricRule {
  name: string;
  query: string;
  unit: Unit;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  baseline?: BaselineRule;
  onEmpty: NoDataPolicy;
  /** NaN, +Inf and -Inf (divisions by zero, mostly). */
  onNaN: NoDataPolicy;
  onError: ErrorPolicy;
  series: SeriesPolicy;
}

/** A rollback trigger: trips when the metric is out of its bounds at every evaluation for `forMs`. */
export interface AbortRule extends MetricRule {
  forMs: number;
}

/** "No traffic" is not "healthy": below `min` the evaluation cannot be judged. */
export interface MinTrafficRule {
  query: string;
  min: number;
  unit: Unit;
  onLow: NoDataPolicy;
  onError: ErrorPolicy;
}

/** The newest sample of `selector` must be recent: younger than maxAgeMs and/or newer than newerThan. */
export interface FreshnessRule {
  selector: string;
  maxAgeMs?: number;
  /** Epoch milliseconds (the stage's start, say). */
  newerThan?: number;
  onStale: NoDataPolicy;
  onError: ErrorPolicy;
}

export interface GateLimits {
  /** The gate fails when failed evaluations > failureLimit; -1 turns the limit off. */
  failureLimit: number;
  /** The gate is inconclusive when inconclusive evaluations > inconclusiveLimit; -1 off. */
  inconclusiveLimit: number;
  /** The gate fails when consecutive errored evaluations > consecutiveErrorLimit; -1 off. */
  consecutiveErrorLimit: number;
}

export interface GateTiming {
  intervalMs: number;
  /** Every success metric passes at every evaluation for this long (Prometheus `for:`). */
  holdMs: number;
  initialDelayMs: number;
  /** The gate passes no earlier than this after its start (a canary weight's minimum time). */
  minDurationMs: number;
  /** From the gate's start (initial delay included) to giving up as inconclusive. */
  timeoutMs: number;
}

export interface GateConfig {
  metrics: MetricRule[];
  abort: AbortRule[];
  minTraffic?: MinTrafficRule;
  freshness?: FreshnessRule;
  limits: GateLimits;
  timing: GateTiming;
  /** What a passing measurement means when Prometheus' answer carries warnings (partial data). */
  onWarning: WarningPolicy;
  /** Look-back mode: judge the past window [now − lookbackMs, now] at once, at `intervalMs` steps. */
  lookbackMs?: number;
}
