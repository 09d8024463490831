// The `with:` of a prometheus.gate step, and its conversion to the evaluator's GateConfig.
// Defaults fail closed: no data, NaN and several series never pass unless the playbook says so.
import { z } from "zod";
import type { GateConfig, MetricRule } from "../../gates/rules.js";
import { ERROR_POLICIES, NO_DATA_POLICIES } from "../../gates/verdict.js";
import { WARNING_POLICIES } from "../../gates/warnings.js";
import { checkConnection, connectionFields } from "./connection.js";
import {
  durationField,
  ms,
  numeric,
  optionalMs,
  parseTimestamp,
  queryField,
  timestampField,
  unitField,
  waitField,
} from "./fields.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_:.-]*$/;
const noData = z.enum(NO_DATA_POLICIES);
const onError = z
  .enum(ERROR_POLICIES)
  .default("error")
  .describe(
    "what a query error means (never a pass): error (counts toward consecutive_error_limit), fail, inconclusive or retry",
  );
const notPass = z.enum(["fail", "inconclusive", "retry"]);
const limit = (fallback: number, what: string) =>
  numeric(z.number().int().min(-1))
    .default(fallback)
    .describe(`${what}; exceeded when the count is greater; -1 turns it off`);

const metricFields = {
  name: z
    .string()
    .regex(NAME, "must be a name like error_rate")
    .describe("the metric's name in output and evidence, like error_rate"),
  query: queryField,
  unit: unitField,
  min: numeric(z.number()).optional().describe("passes when value >= min"),
  max: numeric(z.number()).optional().describe("passes when value <= max"),
  baseline: z
    .strictObject({
      query: queryField.describe("the baseline (stable) value; must return one series"),
      max_ratio: numeric(z.number().positive()).optional().describe("value <= max_ratio × baseline"),
      max_difference: numeric(z.number()).optional().describe("value − baseline <= max_difference"),
      floor: numeric(z.number().nonnegative())
        .default(0)
        .describe("ratios are taken against max(baseline, floor); with 0, a zero baseline allows only zero"),
    })
    .refine(
      (b) => b.max_ratio !== undefined || b.max_difference !== undefined,
      "give max_ratio or max_difference",
    )
    .optional()
    .describe("compare with a baseline (the stable version): { query, max_ratio | max_difference, floor }"),
  on_empty: noData
    .default("inconclusive")
    .describe("what an empty result means: fail, inconclusive, pass or retry"),
  on_nan: noData
    .default("inconclusive")
    .describe("what NaN, +Inf or -Inf means: fail, inconclusive, pass or retry"),
  on_error: onError,
  series: z
    .enum(["all", "any", "single"])
    .default("all")
    .describe("several series: all must pass, any one must pass, or exactly one is expected"),
};

const hasCheck = (m: { min?: number; max?: number; baseline?: unknown }) =>
  m.min !== undefined || m.max !== undefined || m.baseline !== undefined;
const ordered = (m: { min?: number; max?: number }) =>
  m.min === undefined || m.max === undefined || m.min <= m.max;

const metric = z
  .strictObject(metricFields)
  .refine(hasCheck, "give min, max or baseline")
  .refine(ordered, "min must not be greater than max");

const abortCriterion = z
  .strictObject({
    ...metricFields,
    for: durationField
      .default("0s")
      .describe("trips when out of bounds at every evaluation for this long (like an alerting rule's for:)"),
  })
  .refine(hasCheck, "give min, max or baseline (the bounds the metric must stay within)")
  .refine(ordered, "min must not be greater than max");

export const gateInput = z
  .object({
    ...connectionFields,
    metrics: z
      .array(metric)
      .default([])
      .describe("success criteria: all must pass at every evaluation for `hold`"),
    abort: z
      .array(abortCriterion)
      .default([])
      .describe("rollback triggers: the gate fails when one breaches for its `for`"),
    min_traffic: z
      .strictObject({
        query: queryField,
        min: numeric(z.number().nonnegative()).describe("the least traffic an evaluation needs"),
        unit: unitField,
        on_low: notPass
          .default("inconclusive")
          .describe("what too little traffic means: fail, inconclusive (default) or retry"),
        on_error: onError,
      })
      .optional()
      .describe("below this traffic (summed over series) an evaluation cannot be judged"),
    freshness: z
      .strictObject({
        selector: queryField.describe("a plain series selector; relctl asks for max(timestamp(<selector>))"),
        max_age: durationField.optional().describe("the newest sample must be at most this old, like 2m"),
        newer_than: timestampField.optional().describe("e.g. the time the canary was deployed"),
        on_stale: notPass
          .default("inconclusive")
          .describe("what stale data means: fail, inconclusive (default) or retry"),
        on_error: onError,
      })
      .refine((f) => f.max_age !== undefined || f.newer_than !== undefined, "give max_age or newer_than")
      .optional()
      .describe("the data must be recent: { selector, max_age | newer_than }, checked before judging"),
    interval: waitField.default("1m").describe("time between evaluations (and the step of a lookback)"),
    hold: waitField
      .optional()
      .describe("how long every metric must keep passing (default 0: the first pass decides)"),
    initial_delay: waitField.optional().describe("wait before the first evaluation"),
    min_duration: waitField
      .optional()
      .describe("never pass earlier than this after the start, e.g. a canary weight's minimum 2h"),
    timeout: waitField
      .optional()
      .describe("give up as inconclusive (default: the earliest possible pass + 10 intervals)"),
    failure_limit: limit(0, "failed evaluations tolerated"),
    inconclusive_limit: limit(0, "inconclusive evaluations tolerated"),
    consecutive_error_limit: limit(4, "errored evaluations in a row tolerated"),
    on_warning: z
      .enum(WARNING_POLICIES)
      .default("inconclusive")
      .describe(
        "what a passing value means when Prometheus' answer carries warnings (partial data): inconclusive, fail, retry, or ignore (judge the value alone)",
      ),
    lookback: durationField
      .optional()
      .describe("judge the past window at once instead of waiting (no hold, no timeout)"),
    on_inconclusive: z
      .strictObject({
        action: z
          .enum(["fail", "pause"])
          .default("fail")
          .describe("fail the gate (default), or pause for a person to decide"),
        deadline: waitField.optional().describe("how long a pause waits for `relctl decide`"),
        default: z
          .enum(["abort", "continue"])
          .default("abort")
          .describe("what happens when nobody decides in time"),
      })
      .default({ action: "fail", default: "abort" })
      .describe("fail the gate (as failed), or pause for a person's decision"),
  })
  .superRefine((input, ctx) => {
    checkConnection(input, ctx);
    checkGate(input, ctx);
  });

export type GateInput = z.output<typeof gateInput>;

function checkGate(input: GateInput, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  if (input.metrics.length === 0 && input.abort.length === 0)
    issue(["metrics"], "give at least one metric or abort criterion");
  const seen = new Set<string>();
  for (const [list, rules] of [
    ["metrics", input.metrics],
    ["abort", input.abort],
  ] as const) {
    rules.forEach((rule, index) => {
      if (seen.has(rule.name)) issue([list, index, "name"], `the name ${rule.name} is used twice`);
      seen.add(rule.name);
    });
  }
  const interval = ms(input.interval);
  if (interval === 0) issue(["interval"], "must be longer than 0s");
  if (input.lookback !== undefined) {
    for (const key of ["hold", "initial_delay", "min_duration", "timeout"] as const) {
      if (input[key] !== undefined)
        issue([key], `does not apply with lookback, which decides at once from the past window`);
    }
    if (ms(input.lookback) === 0) issue(["lookback"], "must be longer than 0s");
    // The range also covers a warm-up of the longest abort `for:` before the window.
    const warmup = Math.max(0, ...input.abort.map((rule) => ms(rule.for)));
    if (interval > 0 && (ms(input.lookback) + warmup) / interval > 11_000) {
      issue(
        ["interval"],
        "(lookback + the longest abort for:) / interval exceeds the 11,000 points Prometheus returns per series; use a longer interval",
      );
    }
  }
  const timing = toTiming(input);
  if (input.timeout !== undefined && timing.timeoutMs < earliestPass(timing)) {
    issue(
      ["timeout"],
      "is shorter than initial_delay + hold (or min_duration), so the gate could never pass",
    );
  }
  if (input.on_inconclusive.action === "pause" && input.on_inconclusive.deadline === undefined) {
    issue(
      ["on_inconclusive", "deadline"],
      "a pause needs a deadline (and uses `default` when nobody decides)",
    );
  }
}

/** The first moment a gate could pass, counted from its start. */
function earliestPass(timing: Omit<GateConfig["timing"], "timeoutMs">): number {
  return Math.max(timing.initialDelayMs + timing.holdMs, timing.minDurationMs);
}

function toTiming(input: GateInput): GateConfig["timing"] {
  const intervalMs = ms(input.interval);
  const holdMs = optionalMs(input.hold) ?? 0;
  const initialDelayMs = optionalMs(input.initial_delay) ?? 0;
  const minDurationMs = optionalMs(input.min_duration) ?? 0;
  const earliest = earliestPass({ intervalMs, holdMs, initialDelayMs, minDurationMs });
  const timeoutMs = optionalMs(input.timeout) ?? earliest + 10 * intervalMs;
  return { intervalMs, holdMs, initialDelayMs, minDurationMs, timeoutMs };
}

function toRule(input: z.output<typeof metric>): MetricRule {
  return {
    name: input.name,
    query: input.query,
    unit: input.unit,
    ...(input.min !== undefined ? { min: input.min } : {}),
    ...(input.max !== undefined ? { max: input.max } : {}),
    ...(input.baseline
      ? {
          baseline: {
            query: input.baseline.query,
            floor: input.baseline.floor,
            ...(input.baseline.max_ratio !== undefined ? { maxRatio: input.baseline.max_ratio } : {}),
            ...(input.baseline.max_difference !== undefined
              ? { maxDifference: input.baseline.max_difference }
              : {}),
          },
        }
      : {}),
    onEmpty: input.on_empty,
    onNaN: input.on_nan,
    onError: input.on_error,
    series: input.series,
  };
}

export function toGateConfig(input: GateInput): GateConfig {
  const { min_traffic: traffic, freshness } = input;
  return {
    metrics: input.metrics.map(toRule),
    abort: input.abort.map((rule) => ({ ...toRule(rule), forMs: ms(rule.for) })),
    ...(traffic
      ? {
          minTraffic: {
            query: traffic.query,
            min: traffic.min,
            unit: traffic.unit,
            onLow: traffic.on_low,
            onError: traffic.on_error,
          },
        }
      : {}),
    ...(freshness
      ? {
          freshness: {
            selector: freshness.selector,
            onStale: freshness.on_stale,
            onError: freshness.on_error,
            ...(freshness.max_age !== undefined ? { maxAgeMs: ms(freshness.max_age) } : {}),
            ...(freshness.newer_than !== undefined
              ? { newerThan: parseTimestamp(freshness.newer_than)! }
              : {}),
          },
        }
      : {}),
    limits: {
      failureLimit: input.failure_limit,
      inconclusiveLimit: input.inconclusive_limit,
      consecutiveErrorLimit: input.consecutive_error_limit,
    },
    timing: toTiming(input),
    onWarning: input.on_warning,
    ...(input.lookback !== undefined ? { lookbackMs: ms(input.lookback) } : {}),
  };
}

/** The query that reads the newest sample time of a freshness selector. */
export function freshnessQuery(selector: string): string {
  return `max(timestamp(${selector}))`;
}
