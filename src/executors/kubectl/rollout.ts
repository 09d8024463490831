// kubectl.rollout_status, kubectl.rollout_undo and kubectl.set_image: the break-glass actions
// for when helm or the pipeline is unavailable.
import { z } from "zod";
import { defineAction, type ActionContext } from "../contract.js";
import { runTool } from "../shared/command.js";
import { goDurationField, keyedRecord, keyMatching, positional } from "../shared/fields.js";
import {
  connectionArgs,
  connectionFields,
  kubectlError,
  kubectlFailure,
  readWorkload,
  type Connection,
  where,
  workloadField,
} from "./common.js";

/** Runs a change on a workload and reads it before and after, so the outputs say what changed. */
async function changeWorkload(
  ctx: ActionContext,
  input: Connection & { resource: string },
  argv: string[],
  what: string,
) {
  const before = await readWorkload(ctx, input.resource, input);
  const result = await runTool(ctx, argv);
  if (result.exitCode !== 0)
    throw kubectlFailure(`kubectl ${what} ${input.resource}`, result, input.resource, input);
  const after = await readWorkload(ctx, input.resource, input);
  return { before, after };
}

const statusInput = z.object({
  resource: workloadField,
  ...connectionFields,
  timeout: goDurationField.default("5m").describe("how long to wait for the rollout (--timeout)"),
});
type StatusInput = z.output<typeof statusInput>;

function statusArgv(input: StatusInput, watch: boolean): string[] {
  return [
    "kubectl",
    "rollout",
    "status",
    input.resource,
    ...connectionArgs(input),
    ...(watch ? ["--timeout", input.timeout] : ["--watch=false"]),
  ];
}

const lastLine = (text: string): string => text.trim().split("\n").pop() ?? "";

export const rolloutStatus = defineAction({
  description: "Wait until a workload's rollout has finished (kubectl rollout status)",
  input: statusInput,
  outputs: { resource: "the workload", message: "kubectl's last status line", ready: "true when rolled out" },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `wait for the rollout of ${where(input.resource, input)}`,
    argv: statusArgv(input, true),
  }),
  run: async (ctx, input) => {
    const result = await runTool(ctx, statusArgv(input, true));
    if (result.exitCode !== 0) {
      throw kubectlFailure(`kubectl rollout status ${input.resource}`, result, input.resource, input, {
        resource: input.resource,
        ready: false,
        message: kubectlError(result),
      });
    }
    return { resource: input.resource, message: lastLine(result.stdout), ready: true };
  },
  // A dry-run looks once (--watch=false) and says where the rollout stands, without waiting.
  preview: async (ctx, input) => {
    const result = await runTool(ctx, statusArgv(input, false));
    const message = result.exitCode === 0 ? lastLine(result.stdout) : kubectlError(result);
    return {
      resource: input.resource,
      message,
      ready: result.exitCode === 0 && /successfully rolled out/.test(message),
    };
  },
});

const undoInput = z.object({
  resource: workloadField,
  ...connectionFields,
  to_revision: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("the revision to return to (default: the previous one)"),
});

function undoArgv(input: z.output<typeof undoInput>): string[] {
  return [
    "kubectl",
    "rollout",
    "undo",
    input.resource,
    ...connectionArgs(input),
    ...(input.to_revision === undefined ? [] : [`--to-revision=${input.to_revision}`]),
  ];
}

export const rolloutUndo = defineAction({
  description: "Roll a workload back to its previous (or a given) revision (kubectl rollout undo)",
  input: undoInput,
  outputs: {
    resource: "the workload",
    previous_revision: "the revision before the undo",
    revision: "the revision after the undo (Kubernetes renumbers the restored one)",
    images: "container → image after the undo",
  },
  mutates: true,
  plan: (input) => ({
    summary: `roll back ${where(input.resource, input)}${input.to_revision === undefined ? "" : ` to revision ${input.to_revision}`}`,
    argv: undoArgv(input),
  }),
  run: async (ctx, input) => {
    const { before, after } = await changeWorkload(ctx, input, undoArgv(input), "rollout undo");
    const outputs = {
      resource: input.resource,
      previous_revision: before.revision,
      revision: after.revision,
      images: after.images,
    };
    ctx.record("kubectl.rollout", { action: "undo", ...outputs, namespace: input.namespace ?? "" });
    ctx.log.info(`${input.resource}: revision ${before.revision} → ${after.revision}`);
    return outputs;
  },
});

const containerName = keyMatching(
  /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/,
  "a container name (or * for every container)",
);

const setImageInput = z.object({
  resource: workloadField,
  ...connectionFields,
  images: keyedRecord(
    positional("image").refine((value) => !/\s/.test(value), "an image has no spaces"),
    containerName,
  )
    .refine((images) => Object.keys(images).length > 0, "give at least one container: image")
    .describe("container name → image (ghcr.io/acme/api@sha256:… or :tag)"),
});

function setImageArgv(input: z.output<typeof setImageInput>): string[] {
  return [
    "kubectl",
    "set",
    "image",
    input.resource,
    ...Object.entries(input.images).map(([container, image]) => `${container}=${image}`),
    ...connectionArgs(input),
  ];
}

export const setImage = defineAction({
  description: "Set container images on a workload, starting a rollout (kubectl set image)",
  input: setImageInput,
  outputs: {
    resource: "the workload",
    previous_revision: "the revision before",
    revision: "the revision after (unchanged when the images already matched)",
    images: "container → image after the change",
    changed: "whether the pod template changed",
  },
  mutates: true,
  plan: (input) => ({ summary: `set images on ${where(input.resource, input)}`, argv: setImageArgv(input) }),
  run: async (ctx, input) => {
    const { before, after } = await changeWorkload(ctx, input, setImageArgv(input), "set image");
    const outputs = {
      resource: input.resource,
      previous_revision: before.revision,
      revision: after.revision,
      images: after.images,
      changed: JSON.stringify(before.images) !== JSON.stringify(after.images),
    };
    ctx.record("kubectl.rollout", { action: "set_image", ...outputs, namespace: input.namespace ?? "" });
    return outputs;
  },
});
