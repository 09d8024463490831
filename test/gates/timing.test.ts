import { describe, expect, it } from "vitest";
import type { Measurement } from "../../src/gates/measurement.js";
import { combineRound } from "../../src/gates/round.js";
import type { GateConfig } from "../../src/gates/rules.js";
import { advance, exceeds, firstEvaluationAt, startGate, type Decision } from "../../src/gates/timing.js";
import { abortRule, config, measured, MIN, T } from "./builders.js";

const VERDICT = { P: "passed", F: "failed", I: "inconclusive", E: "error", R: "inconclusive" } as const;

/**
 * Feeds one evaluation per character, every interval from T: P passed, F failed,
 * I inconclusive, E error, R retry (inconclusive, not counted). `abort` marks evaluations where
 * the abort criterion is out of bounds with B. Stops at the first decision.
 */
function play(gate: GateConfig, metric: string, abort = "") {
  let state = startGate(T);
  const held: number[] = [];
  let last: Decision | undefined;
  for (let k = 0; k < metric.length; k += 1) {
    const at = T + k * gate.timing.intervalMs;
    const code = metric[k] as keyof typeof VERDICT;
    const measurements: Measurement[] = [
      measured(VERDICT[code], {
        at,
        counted: code !== "R",
        reason: code === "P" ? "0.42% <= 1%" : "1.3% > 1%",
      }),
    ];
    if (gate.abort[0]) {
      // B out of bounds, E a query error, N NaN (inconclusive), anything else within bounds.
      const mark = abort[k];
      const verdict =
        mark === "B" ? "failed" : mark === "E" ? "error" : mark === "N" ? "inconclusive" : "passed";
      const reason = { failed: "2.5% > 2%", error: "query error", inconclusive: "NaN", passed: "0.4% <= 2%" };
      measurements.push(
        measured(verdict, { at, name: gate.abort[0].name, role: "abort", reason: reason[verdict] }),
      );
    }
    const next = advance(gate, state, combineRound(at, measurements));
    state = next.state;
    last = next.decision;
    held.push(next.decision.heldMs / MIN);
    if (next.decision.done) return { ...next.decision, index: k, held, state };
  }
  return { ...last!, index: undefined, held, state };
}

describe("the hold (an alerting rule's for:)", () => {
  it("passes at the first evaluation where every metric has passed for the whole hold: six evaluations for 5m at 1m", () => {
    const result = play(config(), "PPPPPP");
    expect(result).toMatchObject({ done: true, verdict: "passed", index: 5 });
    expect(result.held).toEqual([0, 1, 2, 3, 4, 5]);
    expect("reason" in result && result.reason).toBe(
      "every metric passed at every evaluation for 5m (hold 5m: 6 evaluations from 2026-11-22T10:00:00Z to 2026-11-22T10:05:00Z)",
    );
  });

  it("does not pass before the hold is complete", () => {
    expect(play(config(), "PPPPP")).toMatchObject({ done: false, index: undefined });
  });

  it.each([
    ["a failed evaluation", "PPPFPPPPPP", 9],
    ["an inconclusive evaluation", "PPPIPPPPPP", 9],
    ["an errored evaluation", "PPPEPPPPPP", 9],
    ["a retried evaluation", "PPPRPPPPPP", 9],
  ])("starts the hold again after %s", (_case, sequence, passesAt) => {
    const off = config({ limits: { failureLimit: -1, inconclusiveLimit: -1, consecutiveErrorLimit: -1 } });
    const result = play(off, sequence);
    expect(result).toMatchObject({ verdict: "passed", index: passesAt });
    expect(result.held.slice(0, 5)).toEqual([0, 1, 2, 0, 0]);
  });

  it("passes at the first passing evaluation with hold 0", () => {
    expect(play(config({ timing: { holdMs: 0 } }), "P")).toMatchObject({ verdict: "passed", index: 0 });
  });
});

describe("limits (Argo Rollouts semantics: exceeded when count > limit)", () => {
  it.each([
    [
      "the first failure with failure_limit 0",
      {},
      "PF",
      1,
      "failed",
      "failed (1) > failure_limit (0); last: error_rate: 1.3% > 1%",
    ],
    [
      "the second failure with failure_limit 1",
      { failureLimit: 1 },
      "FPF",
      2,
      "failed",
      "failed (2) > failure_limit (1); last: error_rate: 1.3% > 1%",
    ],
    [
      "the first inconclusive with inconclusive_limit 0",
      {},
      "PI",
      1,
      "inconclusive",
      "inconclusive (1) > inconclusive_limit (0); last: error_rate: 1.3% > 1%",
    ],
    [
      "the fifth error in a row with consecutive_error_limit 4",
      {},
      "EEEEE",
      4,
      "failed",
      "consecutive errors (5) > consecutive_error_limit (4); last: error_rate: 1.3% > 1%",
    ],
    [
      "the second error in a row with consecutive_error_limit 1",
      { consecutiveErrorLimit: 1 },
      "EPEE",
      3,
      "failed",
      "consecutive errors (2) > consecutive_error_limit (1); last: error_rate: 1.3% > 1%",
    ],
  ])("ends the gate at %s", (_case, limits, sequence, index, verdict, reason) => {
    expect(play(config({ limits }), sequence)).toMatchObject({ done: true, index, verdict, reason });
  });

  it("resets the consecutive errors after any counted evaluation that is not an error", () => {
    const result = play(
      config({ timing: { timeoutMs: 60 * MIN }, limits: { failureLimit: -1 } }),
      "EEEEFEEEE",
    );
    expect(result).toMatchObject({ done: false });
    expect(result.state.consecutiveErrors).toBe(4);
    expect(result.state.errors).toBe(8);
  });

  it("does not count retried evaluations against any limit", () => {
    const result = play(config({ timing: { timeoutMs: 60 * MIN } }), "RRRRRRRRRR");
    expect(result).toMatchObject({ done: false });
    expect(result.state).toMatchObject({ evaluations: 10, inconclusive: 0, failed: 0 });
  });

  it.each([
    ["failures", { failureLimit: -1 }, "FFFFFFFFFFFFFFFF"],
    ["errors", { consecutiveErrorLimit: -1 }, "EEEEEEEEEEEEEEEE"],
    ["inconclusive evaluations", { inconclusiveLimit: -1 }, "IIIIIIIIIIIIIIII"],
  ])("turns the limit on %s off with -1, leaving the timeout to end the gate", (_case, limits, sequence) => {
    expect(play(config({ limits }), sequence)).toMatchObject({ verdict: "inconclusive", index: 15 });
  });

  it("reads -1 as off and any other limit as count > limit", () => {
    expect([exceeds(1, 0), exceeds(1, 1), exceeds(2, 1), exceeds(100, -1)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});

describe("abort criteria that cannot be measured (as Prometheus keeps a pending alert)", () => {
  const lenient = config({
    abort: [abortRule()],
    limits: { failureLimit: -1, inconclusiveLimit: -1, consecutiveErrorLimit: -1 },
    timing: { timeoutMs: 60 * MIN },
  });

  it.each([
    ["query errors", "BEBBEBB"],
    ["NaN", "BNBBNBB"],
  ])("keeps a breach going through %s and trips when for: has passed", (_case, abort) => {
    const result = play(lenient, "P".repeat(abort.length), abort);
    expect(result).toMatchObject({
      done: true,
      verdict: "failed",
      index: 5,
      reason:
        "abort criterion error_rate_critical held for 5m (for 5m, since 2026-11-22T10:00:00Z): 2.5% > 2%",
    });
  });

  it("does not trip on an evaluation that could not measure, but on the next breaching one", () => {
    const result = play(lenient, "PPPPPPPP", "BBBBBEEB");
    expect(result).toMatchObject({ verdict: "failed", index: 7 });
  });

  it("starts no breach from an error, and ends one with a value within bounds", () => {
    expect(play(lenient, "PPPPPPPP", "EEBB.BBB")).toMatchObject({ done: false });
    expect(play(lenient, "PPPPPPPP", "EEBB.BBB").state.breachSince).toEqual({
      error_rate_critical: T + 5 * MIN,
    });
  });
});

describe("abort criteria (rollback triggers)", () => {
  const gate = (forMs = 5 * MIN) =>
    config({ abort: [abortRule({ forMs })], limits: { failureLimit: -1 }, timing: { timeoutMs: 60 * MIN } });

  it("trips once out of bounds at every evaluation for its own duration", () => {
    expect(play(gate(), "FFFFFF", "BBBBBB")).toMatchObject({
      verdict: "failed",
      index: 5,
      reason:
        "abort criterion error_rate_critical held for 5m (for 5m, since 2026-11-22T10:00:00Z): 2.5% > 2%",
    });
  });

  it("starts its duration again after one evaluation within bounds", () => {
    expect(play(gate(), "FFFFFFFFFFF", "BBBB.BBBBBB")).toMatchObject({ verdict: "failed", index: 10 });
  });

  it("trips at the first breach when its duration is 0", () => {
    expect(play(gate(0), "F", "B")).toMatchObject({ verdict: "failed", index: 0 });
  });

  it("keeps the gate from passing while it is breaching, even before it trips", () => {
    const result = play(config({ abort: [abortRule()], timing: { holdMs: 0 } }), "PP", "B.");
    expect(result).toMatchObject({ verdict: "passed", index: 1 });
  });

  it("keeps the hold through a breach that has not tripped, but does not pass during it", () => {
    const result = play(config({ abort: [abortRule()], timing: { holdMs: 2 * MIN } }), "PPPPP", ".BB..");
    expect(result).toMatchObject({ verdict: "passed", index: 3 });
    expect(result.held).toEqual([0, 1, 2, 3]);
  });

  it("reports a breach in progress", () => {
    const result = play(gate(), "FFF", "BBB");
    expect(result).toMatchObject({
      done: false,
      pendingAborts: [{ name: "error_rate_critical", sinceMs: T, forMs: 5 * MIN }],
    });
  });
});

describe("minimum duration, initial delay and timeout", () => {
  it("does not pass before min_duration even when the hold is complete (a canary weight's minimum time)", () => {
    const result = play(config({ timing: { minDurationMs: 8 * MIN } }), "PPPPPPPPP");
    expect(result).toMatchObject({
      verdict: "passed",
      index: 8,
      reason:
        "every metric passed at every evaluation for 8m (hold 5m: 9 evaluations from 2026-11-22T10:00:00Z " +
        "to 2026-11-22T10:08:00Z), after the minimum 8m",
    });
  });

  it("evaluates first after the initial delay", () => {
    const gate = config({ timing: { initialDelayMs: 2 * MIN } });
    expect(firstEvaluationAt(gate, startGate(T))).toBe(T + 2 * MIN);
  });

  it("gives up as inconclusive when the next evaluation would fall after the timeout, saying how long it held", () => {
    const gate = config({ timing: { timeoutMs: 7 * MIN }, limits: { failureLimit: -1 } });
    expect(play(gate, "PPFPPPPPPP")).toMatchObject({
      verdict: "inconclusive",
      index: 7,
      reason:
        "timed out after 7m (timeout 7m) without holding 5m (longest hold 4m); last: every metric passes",
    });
  });

  it("still evaluates at the exact timeout", () => {
    expect(play(config({ timing: { timeoutMs: 5 * MIN } }), "PPPPPP")).toMatchObject({
      verdict: "passed",
      index: 5,
    });
  });
});
