// One evaluation of the whole gate: every measurement taken at the same time, reduced to the
// verdict that counts against the limits and decides the hold.
import type { Measurement } from "./measurement.js";
import { worst, type PolicyOutcome } from "./verdict.js";

export interface Round extends PolicyOutcome {
  /** Evaluation time, epoch milliseconds. */
  at: number;
  measurements: Measurement[];
  /** The deciding measurement, in words: "error_rate: 1.3% > 1%". */
  reason: string;
}

const isPrecondition = (m: Measurement) => m.role === "min_traffic" || m.role === "freshness";

/**
 * The worst measurement decides, with two rules:
 * - an unmet precondition decides alone: with too little traffic or stale data the metrics'
 *   own verdicts (an error ratio from two requests) are recorded but not counted;
 * - an abort criterion out of its bounds is not a failure of the evaluation: it trips only
 *   after holding for its own duration (the timing decides that). Its errors still count,
 *   since a rollback trigger that cannot be measured is not watching anything.
 */
export function combineRound(at: number, measurements: Measurement[]): Round {
  const unmet = measurements.filter((m) => isPrecondition(m) && m.verdict !== "passed");
  const candidates =
    unmet.length > 0
      ? unmet
      : measurements.filter((m) => !isPrecondition(m) && !(m.role === "abort" && m.verdict === "failed"));
  const deciding = worst(candidates);
  if (!deciding || deciding.verdict === "passed") {
    return { at, measurements, verdict: "passed", counted: true, reason: "every metric passes" };
  }
  return {
    at,
    measurements,
    verdict: deciding.verdict,
    counted: deciding.counted,
    reason: `${deciding.name}: ${deciding.reason}`,
  };
}
