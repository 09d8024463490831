// The plan as a versioned document (`relctl plan -o plan.json`), built from the same events a
// dry-run emits, so the file and the terminal can never disagree.
import type { ActionPlan } from "../executors/contract.js";
import type { EventSink, RunEvent } from "../run/events.js";

export const PLAN_FORMAT_VERSION = 1;

export interface PlannedStep {
  id: string;
  name: string;
  uses: string;
  mutates: boolean;
  runsInDryRun: boolean;
  condition: boolean | "runtime";
  dependsOn: string[];
  input: unknown;
  plan: ActionPlan | null;
  runtimeValues: string[];
  /** "planned" for steps that would run; the real status of read-only steps run during the plan. */
  status?: string;
  outputs?: Record<string, unknown>;
}

export interface PlannedStage {
  name: string;
  role: "requested" | "on_failure";
  steps: PlannedStep[];
}

export interface PlanDocument {
  planFormat: typeof PLAN_FORMAT_VERSION;
  relctlVersion: string;
  generatedAt: string;
  playbook: { name: string; file: string; digest: string };
  vars: Record<string, unknown>;
  /** Each var's type (declared, or taken from its default): how --var text is read. */
  varTypes?: Record<string, string>;
  stages: PlannedStage[];
  warnings: string[];
  /** true when every step could be planned; false lists why in `problems`. */
  valid: boolean;
  problems: string[];
}

export interface PlanCollector extends EventSink {
  document(): PlanDocument;
}

export function planCollector(meta: { relctlVersion: string; file: string; digest: string }): PlanCollector {
  const stages: PlannedStage[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  let name = "";
  let generatedAt = "";
  let vars: Record<string, unknown> = {};
  const stepsById = new Map<string, PlannedStep>();
  const handle = (event: RunEvent): void => {
    switch (event.type) {
      case "run.start":
        name = event.name;
        generatedAt = event.at;
        vars = event.vars;
        break;
      case "run.warning":
        warnings.push(event.message);
        break;
      case "stage.start":
        stages.push({ name: event.stage, role: event.role, steps: [] });
        break;
      case "step.plan": {
        const step: PlannedStep = {
          id: event.step,
          name: event.name,
          uses: event.uses,
          mutates: event.mutates,
          runsInDryRun: event.runsInDryRun,
          condition: event.condition,
          dependsOn: event.dependsOn,
          input: event.input,
          plan: event.plan,
          runtimeValues: event.runtimeValues,
        };
        stepsById.set(event.step, step);
        stages.at(-1)?.steps.push(step);
        break;
      }
      case "step.end": {
        const step = stepsById.get(event.step);
        if (step) {
          step.status = event.status;
          if (event.status !== "planned" && event.outputs) step.outputs = event.outputs;
        }
        if (event.status === "failed" || event.status === "timed_out") {
          problems.push(`step ${event.step}: ${event.error?.message ?? event.status}`);
        }
        break;
      }
      case "run.end":
        // The run's own message only when no step said what went wrong (an interrupt, say).
        if (event.exitCode !== 0 && event.message && problems.length === 0) problems.push(event.message);
        break;
      default:
        break;
    }
  };
  return {
    emit: handle,
    document: () => ({
      planFormat: PLAN_FORMAT_VERSION,
      relctlVersion: meta.relctlVersion,
      generatedAt,
      playbook: { name, file: meta.file, digest: meta.digest },
      vars,
      stages,
      warnings,
      valid: problems.length === 0,
      problems,
    }),
  };
}
