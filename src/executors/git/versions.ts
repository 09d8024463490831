// git.next_version and git.check_hotfix: read-only, so they also run during `relctl plan` and
// --dry-run, and the plan shows the real next version.
import { z } from "zod";
import { defineAction, StepFailure } from "../contract.js";
import { commitsBetween } from "../../release/git-history.js";
import { DEFAULT_HOTFIX_ALLOW, describeOffenders, findHotfixOffenders } from "../../release/hotfix.js";
import {
  computeNextVersion,
  nextVersionOutputs,
  releaseCommit,
  releaseTags,
} from "../../release/next-version.js";
import { analyseCommits } from "../../release/version.js";
import {
  guarded,
  openRepository,
  rcFormatField,
  refName,
  repoField,
  short,
  tagFormat,
  tagTemplateField,
  versionField,
} from "./common.js";

const allowField = z
  .array(
    z
      .string()
      .regex(/^[\w-]+(?:\([^()]*\))?$/, 'a rule is a type or type(scope), e.g. "fix" or "chore(security)"'),
  )
  .min(1)
  .default([...DEFAULT_HOTFIX_ALLOW])
  .describe("commit types a hotfix may contain");

export const nextVersion = defineAction({
  description: "Compute the next version from the commits since the last release tag (Conventional Commits)",
  input: z.object({
    repo: repoField,
    tag_format: tagTemplateField,
    rc: z.boolean().default(false).describe("compute the next release candidate (v1.3.0-rc.N)"),
    rc_format: rcFormatField,
    // An empty string counts as unset, so `force_version: "${{ vars.force_version }}"` works unset.
    force_version: z
      .union([z.literal(""), versionField])
      .optional()
      .describe("release exactly this version"),
    hotfix: z.boolean().default(false).describe("patch bump only; refuse commits other than allowed types"),
    hotfix_allow: allowField,
    initial_version: versionField.default("0.1.0").describe("the first release when there is no tag yet"),
    ref: refName("ref").default("HEAD").describe("the commit to release"),
    require_release: z.boolean().default(false).describe("fail when there is nothing to release"),
  }),
  outputs: {
    version: "the version to release (1.3.0, or 1.3.0-rc.2 for an RC)",
    base_version: "the version without RC suffix",
    previous_version: "the last release's version (empty when none)",
    previous_tag: "the last release's tag (empty when none)",
    bump: "major, minor, patch, none, initial or forced",
    reason: "why, in one sentence",
    tag: "the tag to create",
    ga_tag: "the GA tag of base_version",
    is_prerelease: "true for an RC",
    rc_number: "the RC number (null unless rc)",
    releasable: "false when no commit calls for a release",
    already_tagged: "HEAD already carries tag (a re-run)",
    commit: "the commit being released",
    commits:
      "commits since the last release: { sha, short_sha, subject, type, scope, breaking, bump, counted, reverted, merge }",
    warnings: "problems found that do not stop the computation",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `compute the next ${input.rc ? "release candidate" : input.hotfix ? "hotfix" : "version"} from the commits since the last ${input.tag_format} tag`,
    argv: ["git", "log", "<last release tag>..HEAD"],
    details: { ...(input.force_version ? { force_version: input.force_version } : {}) },
  }),
  run: (ctx, input) =>
    guarded("next_version", async () => {
      const git = await openRepository(ctx, input.repo);
      const result = await computeNextVersion(git, {
        format: tagFormat(input),
        rc: input.rc,
        hotfix: input.hotfix,
        hotfixAllow: input.hotfix_allow,
        initialVersion: input.initial_version,
        ref: input.ref,
        ...(input.force_version ? { forceVersion: input.force_version } : {}),
      });
      for (const warning of result.warnings) ctx.log.warn(warning);
      ctx.log.info(`${result.version} (${result.bump}): ${result.reason}`);
      if (input.require_release && !result.releasable) {
        throw new StepFailure(`nothing to release: ${result.reason}`, {
          hint: "land a feat/fix commit, or force a version (force_version)",
          outputs: nextVersionOutputs(result),
        });
      }
      return nextVersionOutputs(result);
    }),
});

export const checkHotfix = defineAction({
  description:
    "Fail when a commit since the release tag is not an allowed hotfix type (fix, chore(security)); lists them",
  input: z.object({
    repo: repoField,
    base: refName("base")
      .optional()
      .describe("the release tag the hotfix patches (default: the last release tag)"),
    tag_format: tagTemplateField,
    rc_format: rcFormatField,
    allow: allowField,
    ref: refName("ref").default("HEAD").describe("the last commit of the hotfix (default HEAD)"),
  }),
  outputs: {
    base: "the release tag checked against",
    commits: "how many commits the hotfix carries",
    offenders: "always empty on success (the step fails otherwise)",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `check that every commit since ${input.base ?? "the last release tag"} is ${input.allow.join(" or ")}`,
    argv: ["git", "log", `${input.base ?? "<last release tag>"}..${input.ref}`],
  }),
  run: (ctx, input) =>
    guarded("check_hotfix", async () => {
      const git = await openRepository(ctx, input.repo);
      const head = await releaseCommit(git, input.ref);
      const base = input.base ?? (await releaseTags(git, head, tagFormat(input))).releases[0]?.name;
      if (base === undefined) {
        throw new StepFailure(
          `no release tag in the format ${input.tag_format} is reachable from ${input.ref}`,
          {
            hint: "set base: to the release tag the hotfix patches",
          },
        );
      }
      const commits = analyseCommits(await commitsBetween(git, base, head));
      const offenders = findHotfixOffenders(commits, input.allow);
      if (offenders.length > 0) {
        throw new StepFailure(
          `${offenders.length} commit${offenders.length === 1 ? "" : "s"} since ${base} ${offenders.length === 1 ? "is" : "are"} not allowed in a hotfix (allowed: ${input.allow.join(", ")}):\n${describeOffenders(offenders)}`,
          {
            hint: "drop these commits from the hotfix branch, or release them normally",
            outputs: {
              base,
              commits: commits.length,
              offenders: offenders.map((o) => ({ ...o, short_sha: short(o.sha) })),
            },
          },
        );
      }
      ctx.log.info(`${commits.length} commit${commits.length === 1 ? "" : "s"} since ${base}, all allowed`);
      return { base, commits: commits.length, offenders: [] };
    }),
});
