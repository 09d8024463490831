// One metric at one evaluation time: the query's outcome judged against the rule, with every
// case the bounds cannot judge (error, no data, NaN, several series) decided by the rule's
// declared policy. The measurement keeps the resolved query, the raw values with their labels
// and the reason in words, so a verdict can always be checked by a person.
import { checkBaseline, checkBounds, type Check } from "./bounds.js";
import { formatLabels, formatValue } from "./format.js";
import type { QueryOutcome, Sample } from "./prom-result.js";
import type { MetricRule } from "./rules.js";
import { applyPolicy, best, worst, type PolicyOutcome } from "./verdict.js";

export type MeasurementRole = "metric" | "abort" | "min_traffic" | "freshness";

export interface SeriesResult extends Sample, PolicyOutcome {
  /** "0.42% <= 1%", "NaN (on_nan: inconclusive)". */
  text: string;
}

export interface Measurement extends PolicyOutcome {
  name: string;
  role: MeasurementRole;
  /** Evaluation time, epoch milliseconds. */
  at: number;
  /** The query exactly as sent. */
  query: string;
  series: SeriesResult[];
  baseline?: { query: string; raw?: string; value?: number };
  /** Why, in words: "1.3% > 1%", "no data (on_empty: inconclusive)". */
  reason: string;
  warnings: string[];
}

/** Judges a metric (or an abort criterion) from its query outcome and its baseline's. */
export function evaluateMetric(
  rule: MetricRule,
  role: "metric" | "abort",
  at: number,
  outcome: QueryOutcome,
  baselineOutcome?: QueryOutcome,
): Measurement {
  const warnings = [...outcome.warnings, ...(baselineOutcome?.warnings ?? [])];
  const base = { name: rule.name, role, at, query: rule.query, warnings, series: [] as SeriesResult[] };
  const decided = (policy: PolicyOutcome, reason: string, extra: Partial<Measurement> = {}): Measurement => ({
    ...base,
    ...policy,
    reason,
    ...extra,
  });

  if (!outcome.ok)
    return decided(applyPolicy(rule.onError), `query error: ${outcome.error} (on_error: ${rule.onError})`);

  let baselineValue: number | undefined;
  let baselineInfo: Measurement["baseline"];
  if (rule.baseline) {
    const judged = judgeBaseline(rule, baselineOutcome);
    baselineInfo = judged.info;
    if ("verdict" in judged) return decided(judged, judged.reason, { baseline: baselineInfo });
    baselineValue = judged.value;
  }
  const extra = baselineInfo ? { baseline: baselineInfo } : {};

  if (outcome.samples.length === 0) {
    return decided(
      applyPolicy(rule.onEmpty),
      `no data: the query returned nothing (on_empty: ${rule.onEmpty})`,
      extra,
    );
  }
  const series = outcome.samples.map((sample) => judgeSample(rule, sample, baselineValue));
  if (rule.series === "single" && series.length > 1) {
    return decided(
      { verdict: "error", counted: true },
      `expected one series (series: single), got ${series.length}: ${listSeries(series, false)}`,
      { ...extra, series },
    );
  }
  const chosen = (rule.series === "any" ? best(series) : worst(series))!;
  return decided(chosen, seriesReason(rule, series, chosen), { ...extra, series });
}

function judgeSample(rule: MetricRule, sample: Sample, baseline: number | undefined): SeriesResult {
  if (!Number.isFinite(sample.value)) {
    // +Inf above a max (or -Inf below a min) is out of bounds, as the comparison in an alerting
    // rule says: histogram_quantile returns +Inf when latency is beyond the top bucket.
    const breach = Number.isNaN(sample.value) ? [] : checkBounds(rule, sample.value).filter((c) => !c.ok);
    if (breach.length > 0) {
      return { ...sample, verdict: "failed", counted: true, text: breach.map((c) => c.text).join(", ") };
    }
    return { ...sample, ...applyPolicy(rule.onNaN), text: `${sample.raw} (on_nan: ${rule.onNaN})` };
  }
  const checks: Check[] = checkBounds(rule, sample.value);
  if (rule.baseline && baseline !== undefined) {
    checks.push(...checkBaseline(rule.baseline, rule.unit, sample.value, baseline));
  }
  const ok = checks.every((check) => check.ok);
  let text = checks.map((check) => check.text).join(", ");
  // Bounds put the value first ("0.42% <= 1%"); a baseline-only rule still shows the value.
  if (rule.min === undefined && rule.max === undefined)
    text = `${formatValue(sample.value, rule.unit)}: ${text}`;
  return { ...sample, verdict: ok ? "passed" : "failed", counted: true, text };
}

type BaselineJudgement =
  | { info: Measurement["baseline"]; value: number }
  | ({ info: Measurement["baseline"]; reason: string } & PolicyOutcome);

function judgeBaseline(rule: MetricRule, outcome: QueryOutcome | undefined): BaselineJudgement {
  const query = rule.baseline!.query;
  const info: Measurement["baseline"] = { query };
  if (!outcome) return { info, verdict: "error", counted: true, reason: "baseline query was not run" };
  if (!outcome.ok) {
    return {
      info,
      ...applyPolicy(rule.onError),
      reason: `baseline query error: ${outcome.error} (on_error: ${rule.onError})`,
    };
  }
  const [first, ...rest] = outcome.samples;
  if (!first) {
    return {
      info,
      ...applyPolicy(rule.onEmpty),
      reason: `no data: the baseline query returned nothing (on_empty: ${rule.onEmpty})`,
    };
  }
  if (rest.length > 0) {
    return {
      info,
      verdict: "error",
      counted: true,
      reason: `the baseline query returned ${outcome.samples.length} series; aggregate it to one (sum, max, …)`,
    };
  }
  const withValue = { query, raw: first.raw, value: first.value };
  if (!Number.isFinite(first.value)) {
    return {
      info: withValue,
      ...applyPolicy(rule.onNaN),
      reason: `baseline is ${first.raw} (on_nan: ${rule.onNaN})`,
    };
  }
  return { info: withValue, value: first.value };
}

function seriesReason(rule: MetricRule, series: SeriesResult[], chosen: SeriesResult): string {
  if (series.length === 1) return chosen.text;
  const failing = series.filter((item) => item.verdict !== "passed");
  if (rule.series === "any") {
    if (chosen.verdict === "passed") {
      const passing = series.length - failing.length;
      return `${describe(chosen)}; ${passing} of ${series.length} series pass (series: any)`;
    }
    return `no series passes (series: any): ${listSeries(series, true)}`;
  }
  if (chosen.verdict === "passed") return `all ${series.length} series pass: ${listSeries(series, true)}`;
  return `${describe(chosen)}; ${failing.length} of ${series.length} series did not pass`;
}

function describe(item: SeriesResult): string {
  const labels = formatLabels(item.labels);
  return labels ? `${labels} ${item.text}` : item.text;
}

const LISTED = 5;

function listSeries(series: SeriesResult[], withText: boolean): string {
  const shown = series
    .slice(0, LISTED)
    .map((item) => (withText ? describe(item) : formatLabels(item.labels) || "{}"));
  return series.length > LISTED
    ? `${shown.join(", ")}, … (${series.length - LISTED} more)`
    : shown.join(", ");
}
