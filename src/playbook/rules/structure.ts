// Structural rules over the assembled playbook: step ids unique, step and stage `needs` name
// things that exist and form no cycle, `on_failure` names a stage and never leads back.
import { closestMatch } from "../../util/suggest.js";
import type { Diagnostic } from "../diagnostics.js";
import type { Playbook, StepDef } from "../model.js";
import type { Locator } from "./locator.js";

export function checkStructure(
  playbook: Playbook,
  where: Locator,
  broken: ReadonlySet<string> = new Set(),
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const stage of playbook.stages) {
    for (const step of stage.steps) {
      const earlier = seen.get(step.id);
      if (earlier !== undefined) {
        diagnostics.push({
          code: "duplicate-step-id",
          message: `step id "${step.id}" is already used in stage ${earlier}`,
          location: where.at(step.origin, "id"),
          hint: "step ids are unique in the whole playbook, because later steps read steps.<id>",
          stepId: step.id,
        });
      } else {
        seen.set(step.id, stage.name);
      }
    }
    diagnostics.push(...checkStepNeeds(stage, where));
  }
  diagnostics.push(...checkStageLinks(playbook, where, broken));
  return diagnostics;
}

function checkStepNeeds(stage: Playbook["stages"][number], where: Locator): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const ids = stage.steps.map((step) => step.id);
  // A stage may hold hundreds of steps: look them up by id (the first one, when an id is
  // duplicated; that is reported above), not by walking the list.
  const byId = new Map<string, StepDef>();
  for (const step of stage.steps) if (!byId.has(step.id)) byId.set(step.id, step);
  for (const step of stage.steps) {
    // An implicit need (the previous step) always names a real step; it names this step's own id
    // only when two steps share an id, which the duplicate-id rule reports.
    if (!step.explicitNeeds) continue;
    step.dependsOn.forEach((need, index) => {
      if (byId.has(need) && need !== step.id) return;
      const suggestion = closestMatch(need, ids);
      diagnostics.push({
        code: "unknown-need",
        message:
          need === step.id
            ? `step ${step.id} needs itself`
            : `needs "${need}", which is not a step of stage ${stage.name}`,
        location: where.at(step.origin, "needs", index),
        hint:
          suggestion && suggestion !== need
            ? `did you mean ${suggestion}?`
            : `steps of ${stage.name}: ${ids.join(", ")}`,
        stepId: step.id,
      });
    });
  }
  const cycle = findCycle(
    ids,
    // A step that needs itself is reported above, not again as a cycle.
    (id) => byId.get(id)?.dependsOn.filter((need) => byId.has(need) && need !== id) ?? [],
  );
  if (cycle) {
    const step = byId.get(cycle[0]!)!;
    diagnostics.push({
      code: "needs-cycle",
      message: `steps of stage ${stage.name} wait for each other in a cycle: ${cycle.join(" → ")}`,
      location: where.at(step.origin, step.explicitNeeds ? "needs" : "id"),
      hint: "remove one of the needs so the steps can start",
      stepId: step.id,
    });
  }
  return diagnostics;
}

/** `broken`: stages whose definition failed the schema (already reported); not unknown here. */
function checkStageLinks(playbook: Playbook, where: Locator, broken: ReadonlySet<string>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const names = playbook.stages.map((stage) => stage.name);
  const unknown = (name: string, what: string) => {
    const suggestion = closestMatch(name, names);
    return {
      message: `${what} "${name}", which is not a stage of this playbook`,
      hint: suggestion ? `did you mean ${suggestion}?` : `stages: ${names.join(", ") || "(none)"}`,
    };
  };
  for (const stage of playbook.stages) {
    stage.needs.forEach((need, index) => {
      if ((names.includes(need) || broken.has(need)) && need !== stage.name) return;
      diagnostics.push({
        code: "unknown-stage",
        ...(need === stage.name ? { message: `stage ${stage.name} needs itself` } : unknown(need, "needs")),
        location: where.at(stage.origin, "needs", index),
      });
    });
    if (stage.onFailure !== undefined) {
      if (broken.has(stage.onFailure)) {
        // reported with its own definition
      } else if (!names.includes(stage.onFailure)) {
        diagnostics.push({
          code: "unknown-stage",
          ...unknown(stage.onFailure, "on_failure names"),
          location: where.at(stage.origin, "on_failure"),
        });
      } else if (stage.onFailure === stage.name) {
        diagnostics.push({
          code: "on-failure-self",
          message: `stage ${stage.name} cannot be its own on_failure stage`,
          location: where.at(stage.origin, "on_failure"),
          hint: "point on_failure at a rollback stage",
        });
      }
    }
  }
  diagnostics.push(...checkOnFailureChains(playbook, where));
  const cycle = findCycle(names, (name) =>
    (playbook.stages.find((stage) => stage.name === name)?.needs ?? []).filter((need) => need !== name),
  );
  if (cycle) {
    const stage = playbook.stages.find((candidate) => candidate.name === cycle[0])!;
    diagnostics.push({
      code: "needs-cycle",
      message: `stages need each other in a cycle: ${cycle.join(" → ")}`,
      location: where.at(stage.origin, "needs"),
      hint: "a stage can only need stages that come before it in the release",
    });
  }
  return diagnostics;
}

/**
 * The engine runs a failed stage's on_failure stage and stops there: a failing on_failure stage
 * ends the run (exit 5). A stage's on_failure runs only when that stage was asked for by name,
 * as in `relctl rollback`. So on_failure must not lead back to where it came from (build →
 * rollback → build would run build again after a failed rollback), and an on_failure stage's
 * own on_failure must not be a stage of the release itself (one that needs stages, is needed,
 * or is rolled back by an on_failure of its own).
 */
function checkOnFailureChains(playbook: Playbook, where: Locator): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map(playbook.stages.map((stage) => [stage.name, stage]));
  const next = (name: string): string[] => {
    const target = byName.get(name)?.onFailure;
    // Unknown names and a stage that is its own on_failure are reported above.
    return target !== undefined && target !== name && byName.has(target) ? [target] : [];
  };
  const inCycle = new Set<string>();
  for (let cycle = findCycle([...byName.keys()], next); cycle;) {
    // Reported on the link that closes the cycle: the last stage's on_failure, naming the first.
    const last = byName.get(cycle.at(-2)!)!;
    diagnostics.push({
      code: "on-failure-cycle",
      message: `on_failure stages lead back in a cycle: ${cycle.join(" → ")}; a failed ${last.name} would run ${cycle[0]} again`,
      location: where.at(last.origin, "on_failure"),
      hint: `remove on_failure from ${last.name}: a failed on_failure stage ends the run (exit 5) for a person to act`,
    });
    for (const name of cycle) inCycle.add(name);
    cycle = findCycle(
      [...byName.keys()].filter((name) => !inCycle.has(name)),
      (name) => next(name).filter((target) => !inCycle.has(target)),
    );
  }
  const handlers = new Map<string, string>();
  for (const stage of playbook.stages) {
    if (stage.onFailure !== undefined && !handlers.has(stage.onFailure))
      handlers.set(stage.onFailure, stage.name);
  }
  const needed = new Set(playbook.stages.flatMap((stage) => stage.needs));
  for (const [name, failedStage] of handlers) {
    const handler = byName.get(name);
    const [target] = next(name);
    if (!handler || target === undefined || inCycle.has(name)) continue;
    const stage = byName.get(target)!;
    const why =
      stage.needs.length > 0
        ? `it needs ${stage.needs.join(", ")}`
        : needed.has(target)
          ? "other stages need it"
          : stage.onFailure !== undefined
            ? `it has its own on_failure, ${stage.onFailure}`
            : undefined;
    if (why === undefined) continue;
    diagnostics.push({
      code: "on-failure-forward",
      message: `stage ${name} is the on_failure stage of ${failedStage}, so its own on_failure must not be ${target}, a stage of the release (${why}): a failed ${name} would run ${target}`,
      location: where.at(handler.origin, "on_failure"),
      hint: `point on_failure of ${name} at a stage that only alerts or cleans up, or remove it: a failed on_failure stage ends the run (exit 5)`,
    });
  }
  return diagnostics;
}

/** A cycle in a graph, as the list of nodes around it (first repeated at the end). */
export function findCycle(
  nodes: readonly string[],
  edges: (node: string) => readonly string[],
): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "visiting");
    stack.push(node);
    for (const next of edges(node)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
