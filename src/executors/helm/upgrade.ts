// helm.upgrade: `helm upgrade --install` with the revision before and after recorded, so a
// rollback knows exactly where to return. v3 and v4 differ in two flags, chosen from the
// detected (or pinned) major: --atomic vs --rollback-on-failure, and --wait's strategy.
import { z } from "zod";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import { runTool } from "../shared/command.js";
import { goDurationField, optionValue } from "../shared/fields.js";
import {
  chartField,
  connectionArgs,
  connectionFields,
  helmError,
  helmFailure,
  recordRelease,
  releaseField,
  valuesArgs,
  valuesFields,
  where,
} from "./common.js";
import { deployedRevision, latest, readHistory, type HistoryEntry } from "./history.js";
import { helmVersionFor, type HelmMajor } from "./version.js";

export const helmMajorField = z
  .union([z.literal(3), z.literal(4)])
  .optional()
  .describe("helm major to build flags for (default: detected once per run with `helm version --short`)");

const WAIT_STRATEGIES = ["watcher", "hookOnly", "legacy"] as const;

const upgradeInput = z
  .object({
    release: releaseField,
    chart: chartField,
    ...connectionFields,
    version: optionValue("version").optional().describe("chart version (--version), for repository charts"),
    ...valuesFields,
    install: z.boolean().default(true).describe("install the release when it does not exist (--install)"),
    wait: z
      .union([z.boolean(), z.enum(WAIT_STRATEGIES)])
      .default(true)
      .describe("wait until the resources are ready (--wait); on helm v4 also a strategy"),
    wait_for_jobs: z.boolean().default(false).describe("also wait for Jobs to complete (--wait-for-jobs)"),
    timeout: goDurationField.optional().describe("how long helm waits (--timeout, helm's default 5m)"),
    atomic: z
      .boolean()
      .default(false)
      .describe("roll back by itself when the upgrade fails (v3 --atomic, v4 --rollback-on-failure)"),
    cleanup_on_fail: z.boolean().default(false).describe("delete new resources of a failed upgrade"),
    create_namespace: z.boolean().default(false).describe("create the namespace when missing"),
    reuse_values: z
      .boolean()
      .default(false)
      .describe("merge the step's values into the last release's values (--reuse-values)"),
    reset_values: z
      .boolean()
      .default(false)
      .describe(
        "start from the chart's default values (--reset-values); relctl does this anyway unless reuse_values, and passes the flag itself when the step gives no values",
      ),
    history_max: z.number().int().nonnegative().optional().describe("revisions kept (--history-max)"),
    description: optionValue("description").optional().describe("custom release description"),
    dependency_update: z.boolean().default(false).describe("update chart dependencies first"),
    helm_major: helmMajorField,
  })
  .refine((input) => !(input.reuse_values && input.reset_values), {
    message: "reuse_values and reset_values exclude each other",
  });
type UpgradeInput = z.output<typeof upgradeInput>;

function waitArgs(wait: UpgradeInput["wait"], major: HelmMajor): string[] {
  if (wait === false) return [];
  if (wait === true) return ["--wait"];
  if (major === 4) return [`--wait=${wait}`];
  // v3's --wait is a boolean: watcher and legacy both mean "wait"; hookOnly is v3's default.
  return wait === "hookOnly" ? [] : ["--wait"];
}

/**
 * Helm upgrades given no values at all reuse the last release's values (and only then), so a
 * step without values would silently keep an old override. relctl's rule is one rule: the chart's
 * defaults plus the step's values, unless reuse_values says to merge; so that case gets an
 * explicit --reset-values.
 */
function startsFromChartDefaults(input: UpgradeInput): boolean {
  const noValues =
    input.values.length === 0 &&
    Object.keys(input.set).length === 0 &&
    Object.keys(input.set_string).length === 0;
  return noValues && !input.reuse_values;
}

export function upgradeArgv(input: UpgradeInput, major: HelmMajor): string[] {
  return [
    "helm",
    "upgrade",
    ...(input.install ? ["--install"] : []),
    input.release,
    input.chart,
    ...connectionArgs(input),
    ...(input.version ? ["--version", input.version] : []),
    ...valuesArgs(input),
    ...waitArgs(input.wait, major),
    ...(input.wait_for_jobs ? ["--wait-for-jobs"] : []),
    ...(input.timeout ? ["--timeout", input.timeout] : []),
    ...(input.atomic ? [major === 4 ? "--rollback-on-failure" : "--atomic"] : []),
    ...(input.cleanup_on_fail ? ["--cleanup-on-fail"] : []),
    ...(input.create_namespace ? ["--create-namespace"] : []),
    ...(input.reuse_values ? ["--reuse-values"] : []),
    ...(input.reset_values || startsFromChartDefaults(input) ? ["--reset-values"] : []),
    ...(input.history_max === undefined ? [] : ["--history-max", String(input.history_max)]),
    ...(input.description ? ["--description", input.description] : []),
    ...(input.dependency_update ? ["--dependency-update"] : []),
  ];
}

function revisionFacts(entry: HistoryEntry | undefined) {
  return {
    revision: entry?.revision ?? 0,
    status: entry?.status ?? "",
    chart: entry?.chart ?? "",
    app_version: entry?.app_version ?? "",
  };
}

async function historyAfterFailure(ctx: ActionContext, input: UpgradeInput) {
  try {
    return await readHistory(ctx, input.release, input);
  } catch (error) {
    if (error instanceof StepFailure && error.kind === "cancelled") throw error;
    return undefined; // the upgrade's own error is the one to report
  }
}

export const upgrade = defineAction({
  description:
    "helm upgrade --install a release; records the revision before and after so a rollback knows where to return",
  input: upgradeInput,
  outputs: {
    release: "the release name",
    revision: "the release's revision after the upgrade",
    previous_revision:
      "the revision deployed before the upgrade (0 when there was none): where a rollback returns",
    status: "the new revision's status (deployed)",
    chart: "chart name-version of the new revision",
    app_version: "the chart's appVersion",
    installed: "true when the release did not exist before",
    helm_version: "the helm version that ran (v3.16.4+g…)",
    outcome: "on failure only: failed, rolled_back (atomic) or uninstalled (atomic first install)",
  },
  mutates: true,
  plan: (input) => ({
    summary: `helm upgrade${input.install ? " --install" : ""} ${input.release} from ${input.chart} in ${where(input)}`,
    argv: upgradeArgv(input, input.helm_major ?? 3),
    details: {
      ...(input.helm_major === undefined && (input.atomic || typeof input.wait === "string")
        ? { helm_v4: "on helm v4 --atomic is --rollback-on-failure and --wait takes a strategy" }
        : {}),
      records: "the revision before and after (outputs previous_revision, revision)",
    },
  }),
  run: async (ctx, input) => {
    const helm = await helmVersionFor(ctx, input.helm_major);
    const before = await readHistory(ctx, input.release, input);
    const previous = deployedRevision(before)?.revision ?? 0;
    const result = await runTool(ctx, upgradeArgv(input, helm.major));
    if (result.exitCode !== 0) {
      const after = await historyAfterFailure(ctx, input);
      const message = helmError(result);
      const outcome = /has been rolled back due to/.test(message)
        ? "rolled_back"
        : /has been uninstalled due to/.test(message)
          ? "uninstalled"
          : "failed";
      const facts = revisionFacts(latest(after));
      const outputs = { release: input.release, previous_revision: previous, ...facts, outcome };
      recordRelease(ctx, "upgrade", outputs, input);
      throw helmFailure(`helm upgrade ${input.release}`, result, input.release, input, outputs);
    }
    const after = await readHistory(ctx, input.release, input);
    const current = latest(after);
    if (!current) {
      throw new StepFailure(`helm upgrade ${input.release} succeeded but the release has no history`, {
        command: result.command,
      });
    }
    const outputs = {
      release: input.release,
      ...revisionFacts(current),
      previous_revision: previous,
      installed: before === undefined,
      helm_version: helm.version,
    };
    recordRelease(ctx, "upgrade", outputs, input);
    ctx.log.info(
      `${input.release}: revision ${previous || "none"} → ${current.revision} (${current.chart ?? input.chart}, ${current.status})`,
    );
    return outputs;
  },
});
