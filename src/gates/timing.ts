// The gate's clock-driven state machine, pure: feed it one round at a time and it says whether
// the gate is decided and when to evaluate next. The hold means what a Prometheus alerting
// rule's `for:` means: the condition is true at every evaluation from t0 until now − t0 ≥ hold,
// and one evaluation that is not (failed, inconclusive, error, NaN) starts it again. An abort
// criterion's `for:` is the breach alert's: a judged in-bounds value ends the breach, and an
// evaluation that could not judge a value (error, NaN, no data) leaves it pending as it was.
import { formatSpan, formatTime } from "./format.js";
import type { GateConfig } from "./rules.js";
import type { Round } from "./round.js";
import type { GateVerdict } from "./verdict.js";

export interface GateState {
  startedAt: number;
  evaluations: number;
  /** Counted evaluations by verdict (retries are not counted). */
  passed: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  /** First evaluation of the current unbroken run of healthy evaluations. */
  heldSince?: number;
  heldEvaluations: number;
  longestHoldMs: number;
  /** Abort criterion name → first evaluation of its current unbroken breach. */
  breachSince: Record<string, number>;
}

export interface PendingAbort {
  name: string;
  sinceMs: number;
  forMs: number;
}

export type Decision =
  | { done: false; nextAt: number; healthy: boolean; heldMs: number; pendingAborts: PendingAbort[] }
  | { done: true; verdict: GateVerdict; reason: string; heldMs: number };

type TimingConfig = Pick<GateConfig, "abort" | "limits" | "timing">;

export function startGate(startedAt: number): GateState {
  return {
    startedAt,
    evaluations: 0,
    passed: 0,
    failed: 0,
    inconclusive: 0,
    errors: 0,
    consecutiveErrors: 0,
    heldEvaluations: 0,
    longestHoldMs: 0,
    breachSince: {},
  };
}

export function firstEvaluationAt(config: TimingConfig, state: GateState): number {
  return state.startedAt + config.timing.initialDelayMs;
}

/** Argo Rollouts' rule: a limit is exceeded when count > limit; -1 turns it off. */
export function exceeds(count: number, limit: number): boolean {
  return limit >= 0 && count > limit;
}

export function advance(
  config: TimingConfig,
  previous: GateState,
  round: Round,
): { state: GateState; decision: Decision } {
  const state = count(previous, round);
  const at = round.at;
  const last = `last: ${round.reason}`;
  const done = (verdict: GateVerdict, reason: string) => ({
    state,
    decision: { done: true as const, verdict, reason, heldMs: heldFor(state, at) },
  });

  // Abort criteria: each one is its own `for:` over "out of bounds".
  const breachSince: Record<string, number> = {};
  const pendingAborts: PendingAbort[] = [];
  for (const rule of config.abort) {
    const measured = round.measurements.find((m) => m.role === "abort" && m.name === rule.name);
    const kept = state.breachSince[rule.name];
    const since = nextBreach(kept, measured?.verdict, at);
    if (since === undefined) continue;
    breachSince[rule.name] = since;
    if (measured?.verdict !== "failed") {
      // Not measured (a query error, NaN, no data, a warning): Prometheus leaves a pending alert
      // as it is when its rule cannot be evaluated, so the breach neither restarts nor trips.
      pendingAborts.push({ name: rule.name, sinceMs: since, forMs: rule.forMs });
      continue;
    }
    if (at - since >= rule.forMs) {
      state.breachSince = breachSince;
      return done(
        "failed",
        `abort criterion ${rule.name} held for ${formatSpan(at - since)} (for ${formatSpan(rule.forMs)}, ` +
          `since ${formatTime(since)}): ${measured.reason}`,
      );
    }
    pendingAborts.push({ name: rule.name, sinceMs: since, forMs: rule.forMs });
  }
  state.breachSince = breachSince;

  const { failureLimit, inconclusiveLimit, consecutiveErrorLimit } = config.limits;
  if (exceeds(state.failed, failureLimit)) {
    return done("failed", `failed (${state.failed}) > failure_limit (${failureLimit}); ${last}`);
  }
  if (exceeds(state.consecutiveErrors, consecutiveErrorLimit)) {
    return done(
      "failed",
      `consecutive errors (${state.consecutiveErrors}) > consecutive_error_limit (${consecutiveErrorLimit}); ${last}`,
    );
  }
  if (exceeds(state.inconclusive, inconclusiveLimit)) {
    return done(
      "inconclusive",
      `inconclusive (${state.inconclusive}) > inconclusive_limit (${inconclusiveLimit}); ${last}`,
    );
  }

  // The hold is the success condition's own `for:`; a rollback trigger that is breaching but
  // has not tripped yet does not reset it, it only keeps the gate from passing meanwhile.
  const healthy = round.verdict === "passed";
  if (healthy) {
    state.heldSince ??= at;
    state.heldEvaluations += 1;
  } else {
    state.heldSince = undefined;
    state.heldEvaluations = 0;
  }
  const heldMs = heldFor(state, at);
  state.longestHoldMs = Math.max(state.longestHoldMs, heldMs);
  const { holdMs, intervalMs, timeoutMs, minDurationMs } = config.timing;
  const oldEnough = at - state.startedAt >= minDurationMs;
  if (healthy && heldMs >= holdMs && oldEnough && pendingAborts.length === 0) {
    const reason =
      holdMs === 0
        ? "every metric passed (hold 0s: the first healthy evaluation decides)"
        : `every metric passed at every evaluation for ${formatSpan(heldMs)} (hold ${formatSpan(holdMs)}: ` +
          `${state.heldEvaluations} evaluations from ${formatTime(state.heldSince!)} to ${formatTime(at)})`;
    const minimum = minDurationMs > 0 ? `, after the minimum ${formatSpan(minDurationMs)}` : "";
    return done("passed", `${reason}${minimum}`);
  }

  const nextAt = at + intervalMs;
  if (nextAt > state.startedAt + timeoutMs) {
    const why =
      healthy && heldMs >= holdMs && pendingAborts[0]
        ? `abort criterion ${pendingAborts[0].name} was breaching`
        : `without holding ${formatSpan(holdMs)} (longest hold ${formatSpan(state.longestHoldMs)})`;
    return done(
      "inconclusive",
      `timed out after ${formatSpan(at - state.startedAt)} (timeout ${formatSpan(timeoutMs)}) ${why}; ${last}`,
    );
  }
  return { state, decision: { done: false, nextAt, healthy, heldMs, pendingAborts } };
}

function count(previous: GateState, round: Round): GateState {
  const state: GateState = {
    ...previous,
    breachSince: { ...previous.breachSince },
    evaluations: previous.evaluations + 1,
  };
  if (!round.counted) return state;
  switch (round.verdict) {
    case "passed":
      state.passed += 1;
      state.consecutiveErrors = 0;
      break;
    case "failed":
      state.failed += 1;
      state.consecutiveErrors = 0;
      break;
    case "inconclusive":
      state.inconclusive += 1;
      state.consecutiveErrors = 0;
      break;
    case "error":
      state.errors += 1;
      state.consecutiveErrors += 1;
      break;
  }
  return state;
}

/**
 * Where an abort criterion's breach stands after one evaluation: a value out of bounds starts
 * it (or keeps its start), a value in bounds ends it, and an evaluation that judged no value
 * (error, NaN, no data: verdict inconclusive or error) leaves it as it was.
 */
export function nextBreach(
  since: number | undefined,
  verdict: Round["verdict"] | undefined,
  at: number,
): number | undefined {
  if (verdict === "failed") return since ?? at;
  if (verdict === "passed") return undefined;
  return since;
}

function heldFor(state: GateState, at: number): number {
  return state.heldSince === undefined ? 0 : at - state.heldSince;
}
