// Which steps have finished before a given step starts, so it may read their outputs: the steps
// it waits for (transitively) in its own stage, every step of the stages its stage needs, and,
// for an on_failure stage, the steps of the stages it cleans up after.
import type { Playbook, StageDef, StepDef } from "../model.js";

export interface OrderProblem {
  message: string;
  hint?: string;
}

export class ReadOrder {
  private readonly steps = new Map<string, StepDef>();
  private readonly stages = new Map<string, StageDef>();
  /** Per stage, its steps by id (the first of a duplicated id, which structure rules report). */
  private readonly stageSteps = new Map<string, Map<string, StepDef>>();
  private readonly readableStages = new Map<string, Set<string>>();
  private readonly waitsFor = new Map<string, Set<string>>();

  /** `broken`: stages whose definition failed the schema; what they need is unknown. */
  constructor(
    playbook: Playbook,
    private readonly broken: ReadonlySet<string> = new Set(),
  ) {
    for (const stage of playbook.stages) {
      this.stages.set(stage.name, stage);
      const own = new Map<string, StepDef>();
      this.stageSteps.set(stage.name, own);
      for (const step of stage.steps) {
        if (!this.steps.has(step.id)) this.steps.set(step.id, step);
        if (!own.has(step.id)) own.set(step.id, step);
      }
    }
  }

  step(id: string): StepDef | undefined {
    return this.steps.get(id);
  }

  stepIds(): string[] {
    return [...this.steps.keys()];
  }

  /** Why `target` has not finished when `reader` starts, or undefined when it has. */
  whyNotBefore(target: StepDef, reader: StepDef): OrderProblem | undefined {
    if (target.stage === reader.stage) {
      if (target.id === reader.id) return { message: `step ${reader.id} cannot read its own outputs` };
      if (this.stepAncestors(reader).has(target.id)) return undefined;
      const runsAfter = this.stepAncestors(target).has(reader.id);
      return runsAfter
        ? {
            message: `step ${target.id} runs after ${reader.id}`,
            hint: `move ${target.id} before ${reader.id}`,
          }
        : {
            message: `step ${target.id} may still be running when ${reader.id} starts`,
            hint: `add ${target.id} to the needs of ${reader.id}`,
          };
    }
    const readable = this.stagesReadableFrom(reader.stage);
    if (readable.has(target.stage)) return undefined;
    // Needing a broken stage hides what else is needed: stay quiet until it is fixed.
    if ([...readable].some((stage) => this.broken.has(stage))) return undefined;
    return {
      message: `step ${target.id} is in stage ${target.stage}, which stage ${reader.stage} does not need, so it may not have run`,
      hint: `add needs: [${target.stage}] to stage ${reader.stage}`,
    };
  }

  /** Stages whose steps a step of `stage` may read. */
  stagesReadableFrom(stage: string): Set<string> {
    const known = this.readableStages.get(stage);
    if (known) return known;
    const result = new Set<string>();
    this.readableStages.set(stage, result); // placeholder breaks cycles (reported by structure rules)
    for (const need of this.stages.get(stage)?.needs ?? []) {
      result.add(need);
      if (this.broken.has(need)) continue;
      for (const further of this.stagesReadableFrom(need)) result.add(further);
    }
    for (const other of this.stages.values()) {
      if (other.onFailure === stage && other.name !== stage) {
        result.add(other.name);
        for (const further of this.stagesReadableFrom(other.name)) result.add(further);
      }
    }
    return result;
  }

  private stepAncestors(step: StepDef): Set<string> {
    const known = this.waitsFor.get(step.id);
    if (known) return known;
    const result = new Set<string>();
    this.waitsFor.set(step.id, result);
    const siblings = this.stageSteps.get(step.stage);
    for (const need of step.dependsOn) {
      const before = siblings?.get(need);
      if (!before) continue;
      result.add(need);
      for (const further of this.stepAncestors(before)) result.add(further);
    }
    return result;
  }
}
