// Which stages a command runs, and in what order. A stage runs after the stages it needs when
// both are requested; otherwise the order is the one the user typed.
import { usageError } from "../errors.js";
import type { Playbook, StageDef } from "../playbook/model.js";
import { closestMatch } from "../util/suggest.js";

export function selectStages(playbook: Playbook, requested: readonly string[]): string[] {
  const known = new Map(playbook.stages.map((stage) => [stage.name, stage]));
  for (const name of requested) {
    if (!known.has(name)) {
      const suggestion = closestMatch(name, [...known.keys()]);
      throw usageError(
        `playbook ${playbook.name} has no stage "${name}"`,
        suggestion ? `did you mean ${suggestion}?` : `stages: ${[...known.keys()].join(", ") || "(none)"}`,
      );
    }
  }
  return orderByNeeds([...new Set(requested)].map((name) => known.get(name)!));
}

/** Every stage of the train: all stages except those that only serve as on_failure handlers. */
export function defaultPlanStages(playbook: Playbook): string[] {
  const handlers = new Set(playbook.stages.flatMap((stage) => (stage.onFailure ? [stage.onFailure] : [])));
  const requested = playbook.stages.filter((stage) => !handlers.has(stage.name)).map((stage) => stage.name);
  return requested.length > 0 ? requested : playbook.stages.map((stage) => stage.name);
}

function orderByNeeds(stages: StageDef[]): string[] {
  const chosen = new Set(stages.map((stage) => stage.name));
  const byName = new Map(stages.map((stage) => [stage.name, stage]));
  const ordered: string[] = [];
  const placed = new Set<string>();
  const place = (stage: StageDef, trail: Set<string>): void => {
    if (placed.has(stage.name) || trail.has(stage.name)) return; // cycles are rejected by validation
    trail.add(stage.name);
    for (const need of stage.needs) {
      const needed = byName.get(need);
      if (needed && chosen.has(need)) place(needed, trail);
    }
    placed.add(stage.name);
    ordered.push(stage.name);
  };
  for (const stage of stages) place(stage, new Set());
  return ordered;
}
