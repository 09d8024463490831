// Verdicts and the policies that produce them. A measurement is passed, failed, inconclusive
// or error; a gate ends passed, failed or inconclusive. Policies say what a case the bounds
// cannot judge (no data, NaN, a query error) means, and none of them can make an error pass.

export type Verdict = "passed" | "failed" | "inconclusive" | "error";
export type GateVerdict = "passed" | "failed" | "inconclusive";

/** What an empty result, a NaN/±Inf value or a failed precondition means. */
export type NoDataPolicy = "fail" | "inconclusive" | "pass" | "retry";
/** What a query error means. There is no "pass": an unreachable Prometheus never lets a gate pass. */
export type ErrorPolicy = "error" | "fail" | "inconclusive" | "retry";

export const NO_DATA_POLICIES = ["fail", "inconclusive", "pass", "retry"] as const;
export const ERROR_POLICIES = ["error", "fail", "inconclusive", "retry"] as const;

/** A verdict and whether it counts against the gate's limits ("retry" measures again without counting). */
export interface PolicyOutcome {
  verdict: Verdict;
  counted: boolean;
}

export function applyPolicy(policy: NoDataPolicy | ErrorPolicy): PolicyOutcome {
  switch (policy) {
    case "pass":
      return { verdict: "passed", counted: true };
    case "fail":
      return { verdict: "failed", counted: true };
    case "inconclusive":
      return { verdict: "inconclusive", counted: true };
    case "error":
      return { verdict: "error", counted: true };
    case "retry":
      // Not a pass (the hold restarts) and not a count against any limit.
      return { verdict: "inconclusive", counted: false };
  }
}

// Argo Rollouts' order: a failure outranks an error, an error outranks "could not tell".
const SEVERITY: Record<Verdict, number> = { passed: 0, inconclusive: 1, error: 2, failed: 3 };

export function severity(verdict: Verdict): number {
  return SEVERITY[verdict];
}

/** The item with the worst verdict; among equals, a counted one (so a retry never hides a count). */
export function worst<T extends PolicyOutcome>(items: readonly T[]): T | undefined {
  return pick(items, 1);
}

/** The item with the best verdict (for series: any), preferring counted ones among equals. */
export function best<T extends PolicyOutcome>(items: readonly T[]): T | undefined {
  return pick(items, -1);
}

/** The most severe item (direction 1) or the least severe (-1); a counted one wins a tie. */
function pick<T extends PolicyOutcome>(items: readonly T[], direction: 1 | -1): T | undefined {
  let found: T | undefined;
  for (const item of items) {
    const order = found === undefined ? 1 : direction * (severity(item.verdict) - severity(found.verdict));
    if (order > 0 || (order === 0 && item.counted && !found?.counted)) found = item;
  }
  return found;
}
