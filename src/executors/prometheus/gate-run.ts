// Running a gate against Prometheus: the live loop (evaluate every interval on ctx.clock until
// the timing decides) and the look-back (one range query per query, decided at once). Every
// measurement is recorded as it is taken; progress is logged in words an operator can check.
import { evaluationRecord, measurementRecord, progressLine } from "../../gates/explain.js";
import { formatSpan, formatTime } from "../../gates/format.js";
import {
  evaluateLookback,
  lookbackQueries,
  lookbackWarmupSteps,
  type LookbackInputs,
} from "../../gates/lookback.js";
import type { QueryOutcome } from "../../gates/prom-result.js";
import type { Round } from "../../gates/round.js";
import type { GateConfig } from "../../gates/rules.js";
import { advance, firstEvaluationAt, startGate, type GateState } from "../../gates/timing.js";
import type { GateVerdict } from "../../gates/verdict.js";
import type { ActionContext } from "../contract.js";
import type { PrometheusClient } from "./client.js";
import { freshnessQuery } from "./gate-schema.js";
import { measureRound } from "./measure.js";

export interface GateResult {
  verdict: GateVerdict;
  reason: string;
  state: GateState;
  last?: Round;
}

/** Where a live gate stands, kept up to date so a stopped gate can still say what it measured. */
export interface GateProgress {
  state?: GateState;
  last?: Round;
}

/** Records every measurement; each distinct warning of Prometheus is shown once per gate. */
export function recordRound(ctx: ActionContext, round: Round, warned = new Set<string>()): void {
  for (const measurement of round.measurements) {
    ctx.record("gate.measurement", measurementRecord(measurement));
    for (const warning of measurement.warnings) {
      const key = `${measurement.name}\0${warning}`;
      if (warned.has(key)) continue;
      warned.add(key);
      ctx.log.warn(`Prometheus warned about ${measurement.name}: ${warning}`);
    }
  }
}

export async function runLive(
  ctx: ActionContext,
  client: PrometheusClient,
  config: GateConfig,
  progress: GateProgress = {},
): Promise<GateResult> {
  let state = startGate(ctx.clock.now().getTime());
  progress.state = state;
  let at = firstEvaluationAt(config, state);
  const { timing } = config;
  const extras = [
    timing.minDurationMs > 0 ? `not passing before ${formatSpan(timing.minDurationMs)}` : "",
    timing.initialDelayMs > 0 ? `first evaluation at ${formatTime(at)}` : "",
  ].filter(Boolean);
  ctx.log.info(
    `gate: evaluating every ${formatSpan(timing.intervalMs)}, hold ${formatSpan(timing.holdMs)}, ` +
      `timeout ${formatSpan(timing.timeoutMs)}${extras.map((extra) => `, ${extra}`).join("")}`,
  );
  const warned = new Set<string>();
  for (;;) {
    at = await waitUntil(ctx, at, timing.intervalMs);
    const round = await measureRound(client, config, at);
    recordRound(ctx, round, warned);
    const next = advance(config, state, round);
    state = next.state;
    Object.assign(progress, { state, last: round });
    ctx.record("gate.evaluation", evaluationRecord(round, next.decision, timing));
    ctx.log.info(progressLine(round, next.decision, timing, state));
    if (next.decision.done) {
      return { verdict: next.decision.verdict, reason: next.decision.reason, state, last: round };
    }
    at = next.decision.nextAt;
  }
}

/**
 * Sleeps on ctx.clock until the scheduled evaluation. Evaluations stay on their grid (start +
 * k·interval) like a Prometheus rule group; when more than an interval late (a suspended
 * machine), the gate evaluates now instead of catching up, as Prometheus skips missed runs.
 */
async function waitUntil(ctx: ActionContext, at: number, intervalMs: number): Promise<number> {
  const now = ctx.clock.now().getTime();
  if (at > now) {
    await ctx.clock.sleep(at - now, ctx.signal);
    return at;
  }
  if (now - at < intervalMs) return at;
  ctx.log.warn(`evaluation is ${formatSpan(now - at)} late; evaluating now`);
  return now;
}

export async function runLookback(
  ctx: ActionContext,
  client: PrometheusClient,
  config: GateConfig,
): Promise<GateResult> {
  const stepMs = config.timing.intervalMs;
  const end = ctx.clock.now().getTime();
  const start = end - config.lookbackMs!;
  // A breach already running when the window starts counts, as a pending alert would.
  const warmupSteps = lookbackWarmupSteps(config, stepMs);
  const from = new Date(start - warmupSteps * stepMs);
  const outcomes = await fetchRanges(ctx, client, config, from, new Date(end), stepMs);
  let freshness: LookbackInputs["freshness"];
  if (config.freshness) {
    const query = freshnessQuery(config.freshness.selector);
    freshness = { query, outcome: await client.instant(query, new Date(end)) };
  }
  const result = evaluateLookback(config, {
    start,
    end,
    stepMs,
    warmupSteps,
    range: (query) => outcomes.get(query),
    ...(freshness ? { freshness } : {}),
  });
  const warned = new Set<string>();
  for (const round of result.rounds) recordRound(ctx, round, warned);
  ctx.record("gate.lookback", {
    start: formatTime(start),
    end: formatTime(end),
    step_ms: stepMs,
    ...(warmupSteps > 0 ? { warmup_start: formatTime(from.getTime()) } : {}),
    queries: [...outcomes.keys()],
    evaluations: result.rounds.length,
    verdict: result.verdict,
    reason: result.reason,
  });
  ctx.log.info(
    `looked back ${formatSpan(end - start)} (${formatTime(start)} to ${formatTime(end)}, every ${formatSpan(stepMs)}): ` +
      `${result.verdict}: ${result.reason}`,
  );
  return { verdict: result.verdict, reason: result.reason, state: result.state, ...lastRound(result.rounds) };
}

function lastRound(rounds: Round[]): { last?: Round } {
  const last = rounds[rounds.length - 1];
  return last ? { last } : {};
}

/**
 * A look-back has no next evaluation to wait for, so a failed range query is asked again, one
 * interval apart, up to consecutive_error_limit more times (4 when the limit is off).
 */
async function fetchRanges(
  ctx: ActionContext,
  client: PrometheusClient,
  config: GateConfig,
  start: Date,
  end: Date,
  stepMs: number,
): Promise<Map<string, QueryOutcome>> {
  const limit = config.limits.consecutiveErrorLimit;
  const retries = limit >= 0 ? limit : 4;
  const outcomes = new Map<string, QueryOutcome>();
  let pending = lookbackQueries(config);
  for (let attempt = 0; ; attempt += 1) {
    const answers = await Promise.all(pending.map((query) => client.range(query, start, end, stepMs)));
    pending.forEach((query, index) => outcomes.set(query, answers[index]!));
    pending = pending.filter((query) => !outcomes.get(query)!.ok);
    if (pending.length === 0 || attempt >= retries) return outcomes;
    const first = outcomes.get(pending[0]!)!;
    ctx.log.warn(
      `range query failed (${attempt + 1} of ${retries + 1}): ${first.ok ? "" : first.error}; asking again in ${formatSpan(stepMs)}`,
    );
    await ctx.clock.sleep(stepMs, ctx.signal);
  }
}
