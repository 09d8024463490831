// What `relctl lint` warns about in a gate that is valid but almost certainly not what its
// author meant. A warning never fails lint: the playbook runs as written.
import type { StepDef } from "../../playbook/model.js";

export interface GateWarning {
  message: string;
  hint: string;
}

export function gateWarnings(step: StepDef): GateWarning[] {
  if (step.uses !== "prometheus.gate") return [];
  const input = step.with;
  const warnings: GateWarning[] = [];
  const off = input.failure_limit === -1 || input.failure_limit === "-1";
  if (input.lookback !== undefined && off) {
    // Live, a gate with the limit off still has to hold; a look-back has no hold, so with the
    // limit off its metrics can breach at every step of the window and it still passes.
    warnings.push({
      message:
        "a look-back gate with failure_limit: -1 passes however many steps of its window breached its metrics",
      hint: "set failure_limit to the breached evaluations the window may have (0: none), or use abort criteria",
    });
  }
  return warnings;
}
