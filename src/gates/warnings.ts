// Prometheus' `warnings` on an answer mean it may be incomplete: a remote-read or store that
// did not answer (Thanos, Mimir with partial responses), series dropped by a limit. A value that
// would pass on partial data is not evidence of health, so by default it is inconclusive; the
// playbook may say otherwise (on_warning). A failed measurement stays failed: its data breached.
import type { Measurement } from "./measurement.js";
import { applyPolicy } from "./verdict.js";

export const WARNING_POLICIES = ["inconclusive", "fail", "retry", "ignore"] as const;
/** What a passing measurement whose answer carries warnings means; ignore judges the value alone. */
export type WarningPolicy = (typeof WARNING_POLICIES)[number];

export function applyWarningPolicy(measurement: Measurement, policy: WarningPolicy): Measurement {
  if (measurement.warnings.length === 0 || policy === "ignore" || measurement.verdict !== "passed") {
    return measurement;
  }
  return {
    ...measurement,
    ...applyPolicy(policy),
    reason: `${measurement.reason}, but Prometheus warned: ${measurement.warnings.join("; ")} (on_warning: ${policy})`,
  };
}
