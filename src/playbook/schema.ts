// The playbook file format, relctl/v1, as zod schemas: the one source of truth for validation,
// the TypeScript types of raw files and the JSON Schema editors use (`relctl schema`).
import { z } from "zod";
import { approvalRequirementSchema } from "../state/approvals.js";
import { MAX_WAIT, MAX_WAIT_MS, parseDuration, waitProblem } from "../util/duration.js";
import { VAR_TYPES } from "./var-types.js";

export const STEP_ID = /^[a-z0-9][a-z0-9_-]*$/;
export const STAGE_NAME = /^[a-z][a-z0-9_-]*$/;
// Names that are also JavaScript object internals could never be read back, so they are refused.
export const NAME = /^(?!(?:__proto__|constructor|prototype)$)[A-Za-z_][A-Za-z0-9_-]*$/;
/** What NAME allows, in words (for error messages). */
const NAME_RULE = "names are letters, digits, - and _, starting with a letter or _";
export const USES = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_]*$/;
/** Top-level keys the playbook keeps for itself (docker-compose's `x-`), dropped before checking. */
export const OWN_KEY = /^x-/;

/**
 * A duration relctl waits on: at most MAX_WAIT, and longer than 0 where `positive` (a timeout).
 * Every problem is one message from one check; the number's bounds are repeated as metadata
 * only, so the JSON Schema tells editors the range too.
 */
const duration = (options: { positive?: boolean } = {}) =>
  z
    .union([
      z.string(),
      z.number().meta({
        ...(options.positive ? { exclusiveMinimum: 0 } : { minimum: 0 }),
        maximum: MAX_WAIT_MS / 1000,
      }),
    ])
    .superRefine((value, ctx) => {
      const ms = parseDuration(value);
      const problem: { message: string; hint?: string } | undefined =
        ms === undefined
          ? {
              message:
                typeof value === "number" && value < 0
                  ? "a duration cannot be negative"
                  : "not a duration: write it like 500ms, 30s, 5m, 1h30m or 2d",
            }
          : waitProblem(ms, { ...options, written: value });
      if (problem) ctx.addIssue({ code: "custom", message: problem.message, params: { hint: problem.hint } });
    })
    .describe(`a duration: 500ms, 30s, 5m, 1h30m, 2d, or a number of seconds; at most ${MAX_WAIT}`)
    .meta({ examples: ["30s", "5m", "1h30m"] });

const stepId = z
  .string()
  .regex(STEP_ID, "step ids are lower-case letters, digits, - and _ (like build-image)");
const stageName = z.string().regex(STAGE_NAME, "stage names are lower-case letters, digits, - and _");

export const retryObjectSchema = z.strictObject({
  attempts: z.number().int().min(1).max(100).describe("total attempts including the first"),
  backoff: duration().optional().describe("wait before the second attempt (default 1s)"),
  factor: z
    .number()
    .min(1)
    .max(10)
    .optional()
    .describe("each next wait is this many times longer (default 2)"),
  max_backoff: duration().optional().describe("longest wait between attempts (default 1m)"),
});

const retry = z
  .union([
    z.number().int().min(1).max(100).describe("total attempts, with the default backoff"),
    retryObjectSchema,
  ])
  .describe("attempts when the step fails: a number, or { attempts, backoff, factor, max_backoff }");

export const stepSchema = z
  .strictObject({
    id: stepId.describe("unique in the whole playbook; later steps read its outputs as steps.<id>"),
    name: z.string().optional().describe("shown in output (defaults to id)"),
    uses: z
      .string()
      .regex(USES, "uses is <executor>.<action>, like exec.run")
      .describe("<executor>.<action>"),
    with: z.record(z.string(), z.unknown()).optional().describe("the action's inputs"),
    if: z
      .union([z.string(), z.boolean()])
      .optional()
      .describe("run only when this expression is true")
      .meta({ examples: ["${{ vars.environment == 'production' }}"] }),
    needs: z
      .array(stepId)
      .optional()
      .describe("steps of this stage to wait for (default: the previous step)"),
    timeout: duration({ positive: true }).optional().describe("per attempt (longer than 0s)"),
    retry: retry.optional(),
    continue_on_error: z.boolean().optional().describe("record a failure and go on with the stage"),
    outputs: z
      .array(z.string().regex(NAME, "output names are letters, digits, - and _"))
      .optional()
      .describe("extra outputs the step writes (exec: to $RELCTL_OUTPUT)"),
  })
  .describe("one step: an executor action with its inputs");

export const stageSchema = z
  .strictObject({
    description: z.string().optional().describe("what the stage does (shown in relctl --help)"),
    needs: z.array(stageName).optional().describe("stages that must have passed before this one"),
    on_failure: stageName.optional().describe("stage to run when a step here fails (normally rollback)"),
    environment: z.string().optional().describe("the environment this stage changes (production, staging)"),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe("how many of this stage's steps may run at once when their needs allow (default 4)"),
    approvals: approvalRequirementSchema
      .optional()
      .describe(
        "approvals the stage needs before it runs: { count: 2, roles: [release-captain, oncall-sre] }",
      ),
    canary: z
      .strictObject({
        weights: z
          .array(z.number().int().min(1).max(100))
          .min(1)
          .refine(
            (weights) => weights.every((weight, index) => index === 0 || weight > weights[index - 1]!),
            {
              message: "weights must increase, like [10, 50, 100]",
            },
          )
          .describe("traffic percentages in order, like [10, 50, 100]"),
        hold: z
          .union([duration(), z.string().regex(/\$\{\{/)])
          .optional()
          .describe("minimum time at each weight (a wait beside the steps); may be an expression"),
        steps: z
          .array(stepSchema)
          .min(1)
          .describe(
            "run at every weight, in order; ${{ canary.weight }} is the weight, steps.<id> this weight's step",
          ),
      })
      .optional()
      .describe("step through traffic weights; expanded into steps <id>-<weight> and hold-<weight>"),
    steps: z.array(stepSchema).optional().describe("the ordered steps (after the canary weights, if any)"),
  })
  .describe("one stage: its steps, a canary, or both");

export const varDefinitionSchema = z.strictObject({
  type: z
    .enum(VAR_TYPES)
    .optional()
    .describe(
      "string, boolean, number, integer, list or map; --var and env text is parsed to it (default: the type of a literal default; untyped without one)",
    ),
  default: z.unknown().optional().describe("the value when neither --var nor --vars-file sets it"),
  required: z.boolean().optional().describe("must be set with --var or --vars-file"),
  description: z.string().optional().describe("what the var is for"),
});

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown())]);

export const secretRef = z
  .string()
  .regex(/^(env|file):\/\/.+/, "a secret reference is env://NAME or file://path")
  .describe("env://NAME or file://path");

export const secretObjectSchema = z.strictObject({
  from: secretRef,
  required: z
    .boolean()
    .optional()
    .describe("a run stops before anything runs when it is missing (default true)"),
});

const secretDefinition = z.union([secretRef, secretObjectSchema]);

export const playbookFileSchema = z
  .strictObject({
    apiVersion: z.literal("relctl/v1").describe("format version; relctl/v1"),
    name: z.string().min(1).optional().describe("playbook name (required in the file you run)"),
    description: z.string().optional().describe("what the playbook is for"),
    include: z.array(z.string().min(1)).optional().describe("other playbook files, relative to this one"),
    executors: z
      .record(z.string().regex(NAME, NAME_RULE), z.string().min(1))
      .optional()
      .describe("user executors: name → module path relative to this file"),
    vars: z
      .record(
        z.string().regex(NAME, "var names are letters, digits, - and _"),
        z.union([varDefinitionSchema, scalar]),
      )
      .optional()
      .describe("inputs read as ${{ vars.<name> }}: a default value, or { default, required, description }"),
    secrets: z
      .record(z.string().regex(NAME, NAME_RULE), secretDefinition)
      .optional()
      .describe("secrets read as ${{ secrets.<name> }}, redacted everywhere: env://NAME or file://path"),
    release: z
      .record(z.string().regex(NAME, NAME_RULE), z.unknown())
      .optional()
      .describe("values read as ${{ release.<key> }}, like version and tag"),
    stages: z.record(stageName, stageSchema).optional().describe("stages by name, in train order"),
    freeze_calendar: z
      .string()
      .min(1)
      .optional()
      .describe("freeze calendar file (windows, holidays, incident checks), relative to this file"),
  })
  .describe("a relctl playbook (relctl/v1)");

export type PlaybookFile = z.output<typeof playbookFileSchema>;
export type StepFile = z.output<typeof stepSchema>;
export type StageFile = z.output<typeof stageSchema>;

export function isVarDefinition(value: unknown): value is z.output<typeof varDefinitionSchema> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
