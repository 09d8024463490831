// What a run's stages read before it starts: the secrets they need and the steps of other
// stages whose outputs they use. Lets the engine refuse, before anything runs, a run that
// would read outputs no step of the run produces.
import { parseTemplate, referencesIn, type Reference } from "../playbook/expr/index.js";
import { parseCondition } from "../playbook/expr/template.js";
import type { Playbook, StageDef } from "../playbook/model.js";
import { forEachString } from "../playbook/rules/expressions.js";
import type { Action } from "../executors/contract.js";
import { defaultSecretInputs } from "../playbook/secret-defaults.js";
import { secretInputs } from "../playbook/secret-inputs.js";

export interface RunReads {
  secrets: Set<string>;
  /** step id → the stage that reads it, for steps outside the run's stages. */
  outsideSteps: Map<string, { readBy: string; stage: string }>;
}

export function runReads(
  playbook: Playbook,
  stages: readonly StageDef[],
  actions: ReadonlyMap<string, Action> = new Map(),
): RunReads {
  const inRun = new Set(stages.flatMap((stage) => stage.steps.map((step) => step.id)));
  const stageOf = new Map(
    playbook.stages.flatMap((stage) => stage.steps.map((step) => [step.id, stage.name])),
  );
  const reads: RunReads = { secrets: new Set(), outsideSteps: new Map() };
  const releaseRefs = new Map<string, Reference[]>();
  const releaseReferences = (key: string, trail: Set<string>): Reference[] => {
    const known = releaseRefs.get(key);
    if (known) return known;
    const entry = playbook.release.get(key);
    if (!entry || trail.has(key)) return [];
    trail.add(key);
    const found: Reference[] = [];
    forEachString(entry.template, [], (text) => {
      if (text.includes("${{")) found.push(...expand(safeReferences(text, false), trail));
    });
    releaseRefs.set(key, found);
    return found;
  };
  const expand = (references: Reference[], trail: Set<string>): Reference[] =>
    references.flatMap((reference) =>
      reference.root === "release" && reference.path[0] !== undefined
        ? [reference, ...releaseReferences(reference.path[0], trail)]
        : [reference],
    );

  for (const stage of stages) {
    for (const step of stage.steps) {
      for (const input of secretInputs(step.with)) reads.secrets.add(input.name);
      // A left-out token_secret reads its default (github_token) all the same.
      for (const input of defaultSecretInputs(actions.get(step.id), step.with)) {
        reads.secrets.add(input.name);
      }
      const texts: [string, boolean][] = [];
      forEachString(step.with, [], (text) => texts.push([text, false]));
      if (step.if !== undefined) texts.push([step.if, true]);
      texts.push([step.name, false]);
      for (const [text, condition] of texts) {
        if (!condition && !text.includes("${{")) continue;
        for (const reference of expand(safeReferences(text, condition), new Set())) {
          const name = reference.path[0];
          if (name === undefined) continue;
          if (reference.root === "secrets") reads.secrets.add(name);
          if (reference.root === "steps" && !inRun.has(name) && stageOf.has(name)) {
            reads.outsideSteps.set(name, { readBy: step.id, stage: stageOf.get(name)! });
          }
        }
      }
    }
  }
  return reads;
}

/** References of a template; syntax errors were reported by validation, so none are expected. */
function safeReferences(text: string, condition: boolean): Reference[] {
  try {
    return referencesIn(condition ? parseCondition(text) : parseTemplate(text));
  } catch {
    return [];
  }
}
