// Counts the steps that would change something, before anything runs, to ask for confirmation.
import { actionMutates, type Action } from "../executors/contract.js";
import type { ExecutorRegistry } from "../executors/registry.js";
import type { Playbook } from "../playbook/model.js";

export async function mutatingSteps(
  playbook: Playbook,
  stages: readonly string[],
  registry: ExecutorRegistry,
): Promise<{ total: number; mutating: number }> {
  let total = 0;
  let mutating = 0;
  for (const stage of playbook.stages.filter((candidate) => stages.includes(candidate.name))) {
    for (const step of stage.steps) {
      total++;
      const action = (await registry.load(step.executor)).actions[step.action];
      if (!action || mutatesOnRawInputs(action, step.with)) mutating++;
    }
  }
  return { total, mutating };
}

/** An input-dependent answer is judged on the raw inputs; when they cannot decide, assume it mutates. */
function mutatesOnRawInputs(action: Action, input: unknown): boolean {
  try {
    return actionMutates(action, input);
  } catch {
    return true;
  }
}
