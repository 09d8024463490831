// Look-back mode: judge a past window at once ("no breach in the last 2h") from one range query
// per query. Each step of the range is replayed through the same rules and timing as a live
// gate (policies, abort `for:`, limits), so both modes mean the same thing; only the hold
// differs: the window itself is what must hold. Abort criteria also look at a warm-up before
// the window, as long as their longest `for:`, so a breach already running when the window
// starts is seen as the alert Prometheus would have had pending (or firing) then.
import { formatSpan, formatTime } from "./format.js";
import { evaluateMetric, type Measurement } from "./measurement.js";
import { evaluateFreshness, evaluateMinTraffic } from "./preconditions.js";
import type { QueryOutcome, Sample } from "./prom-result.js";
import { combineRound, type Round } from "./round.js";
import type { GateConfig } from "./rules.js";
import { advance, nextBreach, startGate, type GateState } from "./timing.js";
import type { ErrorPolicy, GateVerdict } from "./verdict.js";
import { applyWarningPolicy } from "./warnings.js";

export interface LookbackInputs {
  /** Epoch milliseconds; the steps are start, start + step, …, up to end. */
  start: number;
  end: number;
  stepMs: number;
  /** Steps before `start` the range also covers (lookbackWarmupSteps); abort criteria only. */
  warmupSteps?: number;
  /** The range-query outcome of a query (metrics, baselines, abort criteria, min_traffic). */
  range(query: string): QueryOutcome | undefined;
  /** The instant outcome of the freshness query at `end`, when the gate has one. */
  freshness?: { query: string; outcome: QueryOutcome };
}

export interface LookbackResult {
  verdict: GateVerdict;
  reason: string;
  rounds: Round[];
  state: GateState;
}

export function lookbackTimes(start: number, end: number, stepMs: number): number[] {
  const times: number[] = [];
  for (let t = start; t <= end; t += stepMs) times.push(t);
  return times;
}

/** Steps of warm-up a look-back reads before its window: the longest abort `for:`, rounded up. */
export function lookbackWarmupSteps(config: Pick<GateConfig, "abort">, stepMs: number): number {
  const longest = Math.max(0, ...config.abort.map((rule) => rule.forMs));
  return Math.ceil(longest / stepMs);
}

/**
 * The samples of a range result at one step: per series, the newest point in (at − step, at].
 * Prometheus puts points at start + k·step, but caching front-ends (Thanos, Mimir, Cortex)
 * align start and end to multiples of the step, so their points fall earlier in each step.
 */
export function sliceAt(outcome: QueryOutcome, at: number, stepMs = 1): QueryOutcome {
  if (!outcome.ok) return outcome;
  const newest = new Map<string, Sample>();
  for (const sample of outcome.samples) {
    const time = Math.round(sample.time * 1000);
    if (time > at || time <= at - stepMs) continue;
    const key = JSON.stringify(Object.entries(sample.labels).sort());
    const seen = newest.get(key);
    if (!seen || Math.round(seen.time * 1000) < time) newest.set(key, sample);
  }
  return { ...outcome, samples: [...newest.values()] };
}

interface RangeQuery {
  /** The rule it belongs to (a baseline shares its metric's name). */
  name: string;
  query: string;
  onError: ErrorPolicy;
}

/** The range queries a look-back reads: metrics, abort criteria, their baselines, min_traffic. */
function rangeQueries(config: GateConfig): RangeQuery[] {
  const queries: RangeQuery[] = [];
  for (const rule of [...config.metrics, ...config.abort]) {
    queries.push(rule);
    if (rule.baseline) queries.push({ ...rule, query: rule.baseline.query });
  }
  if (config.minTraffic) queries.push({ name: "min_traffic", ...config.minTraffic });
  return queries;
}

/** Every distinct range query a look-back needs, so each is fetched once. */
export function lookbackQueries(config: GateConfig): string[] {
  return [...new Set(rangeQueries(config).map((item) => item.query))];
}

export function evaluateLookback(config: GateConfig, inputs: LookbackInputs): LookbackResult {
  const window = `the last ${formatSpan(inputs.end - inputs.start)}`;
  let state = startGate(inputs.start);
  const rounds: Round[] = [];
  const finish = (verdict: GateVerdict, reason: string): LookbackResult => ({
    verdict,
    reason,
    rounds,
    state,
  });

  // A range query that failed cannot be replayed step by step: it decides once, by its policy.
  for (const { name, query, onError } of rangeQueries(config)) {
    const outcome = inputs.range(query);
    if (outcome?.ok) continue;
    const error = outcome ? outcome.error : "the range query was not run";
    const verdict: GateVerdict = onError === "error" || onError === "fail" ? "failed" : "inconclusive";
    return finish(verdict, `${name}: range query error: ${error} (on_error: ${onError})`);
  }

  // The window is what must hold; limits and abort criteria apply to its steps as they would live.
  const replay = {
    ...config,
    timing: { ...config.timing, holdMs: Infinity, timeoutMs: Infinity, initialDelayMs: 0, minDurationMs: 0 },
  };
  state.breachSince = warmUp(config, inputs);
  const times = lookbackTimes(inputs.start, inputs.end, inputs.stepMs);
  for (const at of times) {
    const measurements = measureStep(config, inputs, at);
    if (inputs.freshness && at === times[times.length - 1]) {
      measurements.push(
        evaluateFreshness(config.freshness!, at, inputs.freshness.query, inputs.freshness.outcome),
      );
    }
    const round = combineRound(
      at,
      measurements.map((measurement) => applyWarningPolicy(measurement, config.onWarning)),
    );
    rounds.push(round);
    const next = advance(replay, state, round);
    state = next.state;
    if (next.decision.done) {
      return finish(next.decision.verdict, `in ${window}, at ${formatTime(at)}: ${next.decision.reason}`);
    }
    if (at === times[times.length - 1] && next.decision.pendingAborts.length > 0) {
      const pending = next.decision.pendingAborts[0]!;
      return finish(
        "inconclusive",
        `abort criterion ${pending.name} is breaching at the end of ${window} ` +
          `(for ${formatSpan(at - pending.sinceMs)} of ${formatSpan(pending.forMs)})`,
      );
    }
  }
  const counts =
    `${state.evaluations} evaluations from ${formatTime(inputs.start)} to ${formatTime(inputs.end)}: ` +
    `failed ${state.failed}, inconclusive ${state.inconclusive}, errors ${state.errors}`;
  if (state.passed === 0)
    return finish("inconclusive", `no evaluation in ${window} could be judged (${counts})`);
  if (state.failed > 0) {
    const limit = config.limits.failureLimit;
    return finish(
      "passed",
      `passed in ${window}: failed (${state.failed}) <= failure_limit (${limit}); ${counts}`,
    );
  }
  return finish("passed", `no breach in ${window}: ${counts}`);
}

/** Where each abort criterion's breach stands when the window starts, from the warm-up steps. */
function warmUp(config: GateConfig, inputs: LookbackInputs): Record<string, number> {
  const breachSince: Record<string, number> = {};
  const steps = inputs.warmupSteps ?? 0;
  for (let k = steps; k >= 1; k -= 1) {
    const at = inputs.start - k * inputs.stepMs;
    const slice = (query: string) => sliceAt(inputs.range(query)!, at, inputs.stepMs);
    for (const rule of config.abort) {
      const measured = applyWarningPolicy(
        evaluateMetric(rule, "abort", at, slice(rule.query), rule.baseline && slice(rule.baseline.query)),
        config.onWarning,
      );
      const since = nextBreach(breachSince[rule.name], measured.verdict, at);
      if (since === undefined) delete breachSince[rule.name];
      else breachSince[rule.name] = since;
    }
  }
  return breachSince;
}

function measureStep(config: GateConfig, inputs: LookbackInputs, at: number): Measurement[] {
  const slice = (query: string) => sliceAt(inputs.range(query)!, at, inputs.stepMs);
  const measurements: Measurement[] = [];
  for (const rule of config.metrics) {
    measurements.push(
      evaluateMetric(rule, "metric", at, slice(rule.query), rule.baseline && slice(rule.baseline.query)),
    );
  }
  for (const rule of config.abort) {
    measurements.push(
      evaluateMetric(rule, "abort", at, slice(rule.query), rule.baseline && slice(rule.baseline.query)),
    );
  }
  if (config.minTraffic) {
    measurements.push(evaluateMinTraffic(config.minTraffic, at, slice(config.minTraffic.query)));
  }
  return measurements;
}
