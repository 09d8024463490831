// Preconditions that keep "no traffic" from looking healthy: enough requests to judge by, and
// data newer than the change being judged. When one is not met, the evaluation cannot be judged
// (its policy says how that counts); the metrics are still measured and recorded.
import { formatSpan, formatTime, formatValue } from "./format.js";
import type { Measurement } from "./measurement.js";
import type { QueryOutcome } from "./prom-result.js";
import type { FreshnessRule, MinTrafficRule } from "./rules.js";
import { applyPolicy, type ErrorPolicy, type NoDataPolicy, type PolicyOutcome } from "./verdict.js";

const PASSED: PolicyOutcome = { verdict: "passed", counted: true };

/** A precondition not met, without series: `policy` (the rule's `key`) decides, and the reason says so. */
function byPolicy<Base>(base: Base, key: string, policy: NoDataPolicy | ErrorPolicy, reason: string) {
  return { ...base, series: [], ...applyPolicy(policy), reason: `${reason} (${key}: ${policy})` };
}

/** Traffic is additive: several series (pods, routes) are summed. */
export function evaluateMinTraffic(rule: MinTrafficRule, at: number, outcome: QueryOutcome): Measurement {
  const base = {
    name: "min_traffic",
    role: "min_traffic" as const,
    at,
    query: rule.query,
    warnings: outcome.warnings,
  };
  const low = (reason: string) => byPolicy(base, "on_low", rule.onLow, reason);
  if (!outcome.ok) return byPolicy(base, "on_error", rule.onError, `query error: ${outcome.error}`);
  const series = outcome.samples.map((sample) => ({ ...sample, ...PASSED, text: sample.raw }));
  if (outcome.samples.length === 0) return low("no traffic data: the query returned nothing");
  const total = outcome.samples.reduce((sum, sample) => sum + sample.value, 0);
  const summed = outcome.samples.length > 1 ? ` (sum of ${outcome.samples.length} series)` : "";
  if (!Number.isFinite(total)) return { ...low(`traffic is ${formatValue(total, rule.unit)}`), series };
  const shown = `traffic ${formatValue(total, rule.unit)}${summed}`;
  if (total < rule.min) {
    return { ...low(`${shown} < min_traffic ${formatValue(rule.min, rule.unit)}`), series };
  }
  return {
    ...base,
    series,
    ...PASSED,
    reason: `${shown} >= min_traffic ${formatValue(rule.min, rule.unit)}`,
  };
}

/**
 * `outcome` is the answer to `max(timestamp(<selector>))`: the newest sample's time in seconds.
 * Prometheus drops series older than its look-back delta (5m by default), so an empty answer is stale too.
 */
export function evaluateFreshness(
  rule: FreshnessRule,
  at: number,
  query: string,
  outcome: QueryOutcome,
): Measurement {
  const base = { name: "freshness", role: "freshness" as const, at, query, warnings: outcome.warnings };
  const stale = (reason: string) => byPolicy(base, "on_stale", rule.onStale, reason);
  if (!outcome.ok) return byPolicy(base, "on_error", rule.onError, `query error: ${outcome.error}`);
  const newest = outcome.samples.reduce(
    (max, sample) => Math.max(max, sample.value),
    Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(newest)) return stale(`no recent sample of ${rule.selector}`);
  const newestMs = newest * 1000;
  const series = outcome.samples.map((sample) => ({
    ...sample,
    ...PASSED,
    text: formatTime(sample.value * 1000),
  }));
  const age = at - newestMs;
  if (rule.maxAgeMs !== undefined && age > rule.maxAgeMs) {
    return {
      ...stale(`newest sample is ${formatSpan(age)} old > max_age ${formatSpan(rule.maxAgeMs)}`),
      series,
    };
  }
  if (rule.newerThan !== undefined && newestMs <= rule.newerThan) {
    return {
      ...stale(`newest sample ${formatTime(newestMs)} is not newer than ${formatTime(rule.newerThan)}`),
      series,
    };
  }
  return {
    ...base,
    series,
    ...PASSED,
    reason: `newest sample ${formatTime(newestMs)} (${formatSpan(Math.max(age, 0))} old)`,
  };
}
