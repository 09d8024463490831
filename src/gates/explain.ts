// What people and reporters see of a gate: the live progress line ("error_rate 0.42% <= 1% ok,
// held 3m/5m"), measurements as JSON-safe records for the run's events, and the summary a
// gate step returns as its outputs.
import { formatLabels, formatSpan, formatTime, formatValue } from "./format.js";
import type { Measurement } from "./measurement.js";
import type { Round } from "./round.js";
import type { AbortRule, GateConfig, GateTiming, MetricRule } from "./rules.js";
import type { Decision, GateState } from "./timing.js";
import type { Verdict } from "./verdict.js";

const TAG: Record<Verdict, string> = {
  passed: "ok",
  failed: "FAILED",
  inconclusive: "inconclusive",
  error: "ERROR",
};

function part(m: Measurement): string {
  return `${m.name} ${m.reason} ${TAG[m.verdict]}${m.counted ? "" : " (not counted)"}`;
}

/** One line per evaluation: each metric against its bounds, then the hold and any pending abort. */
export function progressLine(round: Round, decision: Decision, timing: GateTiming, state: GateState): string {
  const parts: string[] = [];
  const pending = decision.done ? [] : decision.pendingAborts;
  for (const m of round.measurements) {
    if (m.role === "metric") parts.push(part(m));
    else if (m.role !== "abort") {
      if (m.verdict !== "passed") parts.push(part(m));
    } else if (m.verdict === "failed") {
      // A breaching rollback trigger: its value and how long it has been breaching.
      const since = pending.find((p) => p.name === m.name);
      const progress = since
        ? ` breaching ${formatSpan(round.at - since.sinceMs)}/${formatSpan(since.forMs)}`
        : "";
      parts.push(`abort ${m.name} ${m.reason}${progress}`);
    } else if (m.verdict !== "passed") {
      // Not measured: a breach already running stays as it was (it neither restarts nor trips).
      const since = pending.find((p) => p.name === m.name);
      const kept = since
        ? `, breach kept ${formatSpan(round.at - since.sinceMs)}/${formatSpan(since.forMs)}`
        : "";
      parts.push(`abort ${part(m)}${kept}`);
    }
  }
  if (decision.done) return `${parts.join(", ")} → ${decision.verdict}`;
  const hold = `${formatSpan(decision.heldMs)}/${formatSpan(timing.holdMs)}`;
  parts.push(decision.healthy ? `held ${hold}` : `hold reset (${hold})`);
  const counts = [
    state.failed > 0 ? `failed ${state.failed}` : "",
    state.inconclusive > 0 ? `inconclusive ${state.inconclusive}` : "",
    state.consecutiveErrors > 0 ? `errors in a row ${state.consecutiveErrors}` : "",
  ].filter(Boolean);
  if (counts.length > 0) parts.push(counts.join(", "));
  return parts.join(", ");
}

/** A number JSON can carry: NaN and ±Inf stay as Prometheus wrote them. */
function jsonValue(value: number, raw: string): number | string {
  return Number.isFinite(value) ? value : raw;
}

/** A measurement as a `gate.measurement` record: plain JSON, every fact a reviewer needs. */
export function measurementRecord(m: Measurement): Record<string, unknown> {
  return {
    metric: m.name,
    role: m.role,
    at: formatTime(m.at),
    query: m.query,
    verdict: m.verdict,
    counted: m.counted,
    reason: m.reason,
    values: m.series.map((s) => ({
      labels: s.labels,
      value: jsonValue(s.value, s.raw),
      raw: s.raw,
      verdict: s.verdict,
      text: s.text,
    })),
    ...(m.baseline
      ? {
          baseline: {
            query: m.baseline.query,
            ...(m.baseline.raw !== undefined
              ? { value: jsonValue(m.baseline.value!, m.baseline.raw), raw: m.baseline.raw }
              : {}),
          },
        }
      : {}),
    warnings: m.warnings,
  };
}

/** A round as a `gate.evaluation` record: its verdict and where the hold stands. */
export function evaluationRecord(
  round: Round,
  decision: Decision,
  timing: GateTiming,
): Record<string, unknown> {
  return {
    at: formatTime(round.at),
    verdict: round.verdict,
    counted: round.counted,
    reason: round.reason,
    held_ms: decision.heldMs,
    hold_ms: timing.holdMs,
    ...(decision.done ? { decided: decision.verdict } : {}),
  };
}

/** The gate step's `measurements` output: counts, and the last value of each metric. */
export function measurementSummary(state: GateState, last: Round | undefined): Record<string, unknown> {
  const latest: Record<string, unknown> = {};
  for (const m of last?.measurements ?? []) {
    latest[m.role === "metric" ? m.name : `${m.role === "abort" ? "abort:" : ""}${m.name}`] = {
      verdict: m.verdict,
      reason: m.reason,
      values: m.series.map((s) => ({ labels: formatLabels(s.labels), value: jsonValue(s.value, s.raw) })),
    };
  }
  return {
    evaluations: state.evaluations,
    passed: state.passed,
    failed: state.failed,
    inconclusive: state.inconclusive,
    errors: state.errors,
    longest_hold: formatSpan(state.longestHoldMs),
    last: latest,
  };
}

/** A success criterion as a person writes it: "error_rate <= 1%", "p95 <= 2x baseline". */
export function describeCriterion(rule: MetricRule): string {
  const v = (value: number) => formatValue(value, rule.unit);
  const parts: string[] = [];
  if (rule.min !== undefined && rule.max !== undefined) {
    parts.push(`within [${v(rule.min)}, ${v(rule.max)}]`);
  } else if (rule.max !== undefined) parts.push(`<= ${v(rule.max)}`);
  else if (rule.min !== undefined) parts.push(`>= ${v(rule.min)}`);
  if (rule.baseline?.maxRatio !== undefined) parts.push(`<= ${rule.baseline.maxRatio}x baseline`);
  if (rule.baseline?.maxDifference !== undefined) {
    parts.push(`<= baseline + ${v(rule.baseline.maxDifference)}`);
  }
  return `${rule.name} ${parts.join(" and ")}`;
}

/** An abort criterion as the breach it watches for: "error_rate > 2% for 5m". */
export function describeAbort(rule: AbortRule): string {
  const v = (value: number) => formatValue(value, rule.unit);
  const parts: string[] = [];
  if (rule.min !== undefined && rule.max !== undefined) {
    parts.push(`outside [${v(rule.min)}, ${v(rule.max)}]`);
  } else if (rule.max !== undefined) parts.push(`> ${v(rule.max)}`);
  else if (rule.min !== undefined) parts.push(`< ${v(rule.min)}`);
  if (rule.baseline?.maxRatio !== undefined) parts.push(`> ${rule.baseline.maxRatio}x baseline`);
  if (rule.baseline?.maxDifference !== undefined) {
    parts.push(`> baseline + ${v(rule.baseline.maxDifference)}`);
  }
  return `${rule.name} ${parts.join(" or ")} for ${formatSpan(rule.forMs)}`;
}

/** The gate in one line, for `relctl plan`. */
export function describeGate(config: GateConfig): string {
  const criteria = config.metrics.map(describeCriterion).join(" and ");
  const aborts = config.abort.map(describeAbort).join("; ");
  const { timing } = config;
  const when =
    config.lookbackMs !== undefined
      ? `no breach in the last ${formatSpan(config.lookbackMs)} (every ${formatSpan(timing.intervalMs)})`
      : `held ${formatSpan(timing.holdMs)}` +
        (timing.minDurationMs > 0 ? `, not before ${formatSpan(timing.minDurationMs)}` : "") +
        ` (every ${formatSpan(timing.intervalMs)}, timeout ${formatSpan(timing.timeoutMs)})`;
  return [criteria ? `${criteria}, ${when}` : when, aborts ? `abort if ${aborts}` : ""]
    .filter(Boolean)
    .join("; ");
}
