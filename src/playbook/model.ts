// The normalised, validated playbook that planning and running work from. Every element
// remembers where it came from (file + YAML path) so later errors can still point at a line.
import type { ApprovalRequirement } from "../state/approvals.js";
import type { VarType } from "./var-types.js";

/** A path inside one YAML document: ["stages", "build", "steps", 0, "with"]. */
export type YamlPath = readonly (string | number)[];

export interface Origin {
  /** Absolute path of the file the element was written in (root playbook or an include). */
  file: string;
  path: YamlPath;
}

export interface VarDef {
  name: string;
  default?: unknown;
  description?: string;
  required: boolean;
  /** Declared with `type:`, else taken from a literal default (see var-types.ts). */
  type: VarType;
  /** Whether the type is known before the run (declared, or a literal default's). */
  typeKnown: boolean;
  /** Whether `type:` was written (a computed default is then checked against it). */
  typeDeclared: boolean;
  origin: Origin;
  /** Where the default sits below origin: [] for `name: value`, ["default"] for `name: { default: … }`. */
  defaultSub: YamlPath;
}

/** A secret is named in the playbook and read from a reference at run time; its value is redacted. */
export interface SecretDef {
  name: string;
  /** "env://NAME" or "file:///abs/path" / "file://relative/path". */
  from: string;
  required: boolean;
  origin: Origin;
}

export interface RetryPolicy {
  /** Total attempts including the first; 1 means no retry. */
  attempts: number;
  /** Delay before the second attempt. */
  backoffMs: number;
  /** Each further delay is multiplied by this. */
  factor: number;
  maxBackoffMs: number;
}

export interface StepDef {
  id: string;
  name: string;
  /** "executor.action" as written. */
  uses: string;
  executor: string;
  action: string;
  /** Raw inputs; strings may contain ${{ }} expressions, rendered just before the step runs. */
  with: Record<string, unknown>;
  /** Raw condition (with or without ${{ }}); undefined means always. */
  if?: string;
  /** Steps of the same stage this one waits for. Derived: an omitted `needs` means the previous step. */
  dependsOn: string[];
  /** True when the playbook wrote `needs:` itself (parallel-capable). */
  explicitNeeds: boolean;
  timeoutMs?: number;
  retry: RetryPolicy;
  continueOnError: boolean;
  /** Extra output names the step declares (for actions that accept declared outputs, like exec). */
  declaredOutputs: string[];
  stage: string;
  index: number;
  origin: Origin;
}

export interface StageDef {
  name: string;
  description?: string;
  needs: string[];
  onFailure?: string;
  /** The environment the stage changes (production, staging): what locks and freezes protect. */
  environment?: string;
  /** Approvals the stage needs before it runs. */
  approvals?: ApprovalRequirement;
  /** How many steps may run at once; the run's default when absent. */
  concurrency?: number;
  steps: StepDef[];
  origin: Origin;
}

export interface UserExecutorRef {
  name: string;
  /** Absolute path of the module, resolved against the file that declared it. */
  module: string;
  origin: Origin;
}

export interface Playbook {
  apiVersion: "relctl/v1";
  name: string;
  description?: string;
  /** Absolute path of the root file. */
  file: string;
  /** Every file that contributed, root first (for digests and error locations). */
  files: string[];
  vars: Map<string, VarDef>;
  secrets: Map<string, SecretDef>;
  /** release.<key> templates, e.g. version: "${{ vars.version }}". */
  release: Map<string, { template: unknown; origin: Origin }>;
  executors: Map<string, UserExecutorRef>;
  /** The freeze calendar file (absolute path), when the playbook names one. */
  freezeCalendar?: { file: string; origin: Origin };
  /** In train order: each included file's stages before those of the file that includes it. */
  stages: StageDef[];
}

/** The eight release phases; each is also a CLI command (`relctl promote`). */
export const PHASES = [
  "freeze",
  "build",
  "sign",
  "stage",
  "validate",
  "canary",
  "promote",
  "rollback",
] as const;
export type Phase = (typeof PHASES)[number];

export function findStage(playbook: Playbook, name: string): StageDef | undefined {
  return playbook.stages.find((stage) => stage.name === name);
}
