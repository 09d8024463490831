// helm.rollback, helm.uninstall, helm.history and helm.status: the release-level actions.
import { z } from "zod";
import type { ProcessResult } from "../../run/process.js";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import { commandFailure, runTool } from "../shared/command.js";
import { goDurationField } from "../shared/fields.js";
import {
  connectionArgs,
  connectionFields,
  helmError,
  helmFailure,
  recordRelease,
  releaseField,
  where,
} from "./common.js";
import {
  deployedRevision,
  historyArgv,
  isNotFound,
  latest,
  previousSuccessful,
  queryHistory,
  queryStatus,
  readHistory,
  rolledBackTo,
  statusArgv,
} from "./history.js";

const rollbackInput = z.object({
  release: releaseField,
  ...connectionFields,
  revision: z
    .number()
    .int()
    .min(1, "revision must be 1 or more: 0 means the release had no deployed revision to return to")
    // null (a last-known-good record that is missing) means the same as not given.
    .nullish()
    .describe("the revision to return to (default: the newest earlier revision that deployed successfully)"),
  wait: z.boolean().default(true).describe("wait until the resources are ready (--wait)"),
  timeout: goDurationField.optional().describe("how long helm waits (--timeout)"),
  cleanup_on_fail: z.boolean().default(false).describe("delete new resources when the rollback fails"),
});
type RollbackInput = z.output<typeof rollbackInput>;

export function rollbackArgv(input: RollbackInput, revision: number | string): string[] {
  return [
    "helm",
    "rollback",
    input.release,
    String(revision),
    ...connectionArgs(input),
    ...(input.wait ? ["--wait"] : []),
    ...(input.timeout ? ["--timeout", input.timeout] : []),
    ...(input.cleanup_on_fail ? ["--cleanup-on-fail"] : []),
  ];
}

export const rollback = defineAction({
  description:
    "helm rollback to a given revision, or to the newest earlier revision that deployed successfully",
  input: rollbackInput,
  outputs: {
    release: "the release name",
    revision: "the new revision the rollback created",
    rolled_back_to: "the revision whose configuration is now deployed",
    previous_revision: "the revision that was current before the rollback",
    status: "the new revision's status (deployed)",
    app_version: "the chart's appVersion of the revision now deployed",
  },
  mutates: true,
  plan: (input) => ({
    summary: `helm rollback ${input.release} in ${where(input)} to ${input.revision == null ? "the previous successful revision" : `revision ${input.revision}`}`,
    argv: rollbackArgv(input, input.revision ?? "<previous successful revision>"),
  }),
  run: async (ctx, input) => {
    const history = await readHistory(ctx, input.release, input);
    if (!history) {
      throw new StepFailure(`there is no release ${input.release} in ${where(input)} to roll back`, {
        command: historyArgv(input.release, input),
        hint: "check release, namespace and kube_context",
      });
    }
    const current = latest(history)!;
    const target = input.revision ?? previousSuccessful(history)?.revision;
    if (target === undefined) {
      throw new StepFailure(
        `${input.release} has no earlier successful revision to roll back to (current: revision ${current.revision}, ${current.status})`,
        { hint: "uninstall the release instead (helm.uninstall), or give revision:" },
      );
    }
    const result = await runTool(ctx, rollbackArgv(input, target));
    if (result.exitCode !== 0) {
      throw helmFailure(`helm rollback ${input.release} to revision ${target}`, result, input.release, input);
    }
    const after = latest(await readHistory(ctx, input.release, input));
    const outputs = {
      release: input.release,
      revision: after?.revision ?? 0,
      rolled_back_to: rolledBackTo(after) ?? target,
      previous_revision: current.revision,
      status: after?.status ?? "",
      // What now runs, as Helm knows it: a rollback without relctl's records names it this way.
      app_version: after?.app_version ?? "",
    };
    recordRelease(ctx, "rollback", outputs, input);
    ctx.log.info(
      `${input.release}: rolled back to revision ${outputs.rolled_back_to} (now revision ${outputs.revision})`,
    );
    return outputs;
  },
});

const uninstallInput = z.object({
  release: releaseField,
  ...connectionFields,
  ignore_missing: z.boolean().default(false).describe("succeed when the release does not exist"),
  keep_history: z.boolean().default(false).describe("keep the release history (--keep-history)"),
  wait: z.boolean().default(false).describe("wait until the resources are deleted (--wait)"),
  timeout: goDurationField.optional().describe("how long helm waits (--timeout)"),
});

export const uninstall = defineAction({
  description: "helm uninstall a release (a canary, a failed install); optionally succeed when it is gone",
  input: uninstallInput,
  outputs: { release: "the release name", uninstalled: "true when this step removed the release" },
  mutates: true,
  plan: (input) => ({
    summary: `helm uninstall ${input.release} in ${where(input)}`,
    argv: uninstallArgv(input),
  }),
  run: async (ctx, input) => {
    const result = await runTool(ctx, uninstallArgv(input));
    if (result.exitCode === 0) {
      ctx.record("helm.release", {
        action: "uninstall",
        release: input.release,
        namespace: input.namespace ?? "",
      });
      return { release: input.release, uninstalled: true };
    }
    if (input.ignore_missing && isNotFound(helmError(result))) {
      ctx.log.info(`${input.release} is not installed in ${where(input)}; nothing to uninstall`);
      return { release: input.release, uninstalled: false };
    }
    throw helmFailure(`helm uninstall ${input.release}`, result, input.release, input);
  },
});

function uninstallArgv(input: z.output<typeof uninstallInput>): string[] {
  return [
    "helm",
    "uninstall",
    input.release,
    ...connectionArgs(input),
    ...(input.keep_history ? ["--keep-history"] : []),
    ...(input.wait ? ["--wait"] : []),
    ...(input.timeout ? ["--timeout", input.timeout] : []),
  ];
}

const readInput = z.object({
  release: releaseField,
  ...connectionFields,
  allow_missing: z
    .boolean()
    .default(false)
    .describe("report exists: false instead of failing when the release does not exist"),
});

export const history = defineAction({
  description: "Read a release's revision history (helm history -o json)",
  input: readInput,
  outputs: {
    exists: "whether the release exists",
    revisions: "every revision, oldest first: {revision, updated, status, chart, app_version, description}",
    revision: "the newest revision (0 when none)",
    status: "the newest revision's status",
    deployed_revision: "the revision serving now (0 when none)",
    previous_successful_revision: "where helm.rollback without revision would return (0 when nowhere)",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `read the history of ${input.release} in ${where(input)}`,
    argv: historyArgv(input.release, input),
  }),
  run: (ctx, input) => historyOf(ctx, input),
  // In a dry-run a release that does not exist yet (installed by a step the dry-run only planned)
  // is reported as exists: false instead of failing the plan.
  preview: (ctx, input) => historyOf(ctx, { ...input, allow_missing: true }),
});

async function historyOf(ctx: ActionContext, input: z.output<typeof readInput>) {
  const { value: entries, result } = await queryHistory(ctx, input.release, input);
  if (!entries && !input.allow_missing) throw missingRelease(result);
  const list = entries ?? [];
  return {
    exists: entries !== undefined,
    revisions: list,
    revision: latest(list)?.revision ?? 0,
    status: latest(list)?.status ?? "",
    deployed_revision: deployedRevision(list)?.revision ?? 0,
    previous_successful_revision: previousSuccessful(list)?.revision ?? 0,
  };
}

const statusInput = readInput.extend({
  revision: z.number().int().min(1).optional().describe("a revision other than the newest"),
});

export const status = defineAction({
  description: "Read a release's status (helm status -o json; its revision is the record's version)",
  input: statusInput,
  outputs: {
    exists: "whether the release exists",
    revision: "the revision (helm's `version`)",
    status: "deployed, failed, pending-upgrade, …",
    description: "helm's description of the revision",
    last_deployed: "when it was deployed (ISO-8601)",
    namespace: "the release's namespace",
    values: "the values the user supplied for this revision",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `read the status of ${input.release} in ${where(input)}`,
    argv: statusArgv(input.release, input, input.revision),
  }),
  run: (ctx, input) => statusOf(ctx, input),
  preview: (ctx, input) => statusOf(ctx, { ...input, allow_missing: true }),
});

async function statusOf(ctx: ActionContext, input: z.output<typeof statusInput>) {
  const { value: record, result } = await queryStatus(ctx, input.release, input, input.revision);
  if (!record) {
    if (!input.allow_missing) throw missingRelease(result);
    return {
      exists: false,
      revision: 0,
      status: "",
      description: "",
      last_deployed: "",
      namespace: "",
      values: {},
    };
  }
  return {
    exists: true,
    revision: record.version,
    status: record.info.status,
    description: record.info.description ?? "",
    last_deployed: record.info.last_deployed ?? "",
    namespace: record.namespace ?? input.namespace ?? "",
    values: record.config ?? {},
  };
}

/** helm's own "release: not found", with its command and exit code. */
function missingRelease(result: ProcessResult): StepFailure {
  return commandFailure(`${result.command.slice(0, 3).join(" ")} failed: ${helmError(result)}`, result, {
    hint: "check release, namespace and kube_context, or set allow_missing: true",
  });
}
