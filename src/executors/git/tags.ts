// git.tag, git.push_tag and git.promote_rc.
import { z } from "zod";
import { defineAction, StepFailure } from "../contract.js";
import { listTags, resolveCommit } from "../../release/git-history.js";
import type { GitClient } from "../../release/git-client.js";
import { formatTag, normaliseVersion, parseTag, type TagFormat } from "../../release/tag-format.js";
import {
  guarded,
  openRepository,
  rcFormatField,
  refName,
  remoteField,
  repoField,
  short,
  tagFormat,
  tagTemplateField,
  versionField,
} from "./common.js";
import { publishRef, pushArgs } from "./remote.js";
import { createTag, requireCommit, tagArgs } from "./tagging.js";

const TAG_OUTPUTS = {
  tag: "the tag name",
  commit: "the commit the tag points at",
  created: "true when this step created the tag (false when it already existed on the same commit)",
  pushed: "true when the remote has the tag after this step",
};

const tagArgv = (tag: string, ref: string): string[] => ["git", ...tagArgs(tag, ref, "<message>")];

const pushArgv = (remote: string, ref: string): string[] => ["git", ...pushArgs(remote, ref)];

export const tag = defineAction({
  description:
    "Create an annotated tag (reused if it exists on the same commit, refused if elsewhere); optionally push it",
  input: z.object({
    repo: repoField,
    tag: refName("tag").describe("the tag to create, like v1.2.0"),
    message: z.string().optional().describe("the tag message (default: Release <tag>); may hold highlights"),
    ref: refName("ref").default("HEAD").describe("what to tag (default HEAD)"),
    push: z.boolean().default(false).describe("push the tag to the remote as well"),
    remote: remoteField,
  }),
  outputs: TAG_OUTPUTS,
  mutates: true,
  plan: (input) => ({
    summary: `tag ${input.ref} as ${input.tag}${input.push ? ` and push it to ${input.remote}` : ""}`,
    argv: tagArgv(input.tag, input.ref),
    details: {
      message: input.message ?? `Release ${input.tag}`,
      // The argv line shows the tag; the push is a second command a reviewer must see too.
      ...(input.push ? { then: pushArgv(input.remote, `refs/tags/${input.tag}`).join(" ") } : {}),
    },
  }),
  run: (ctx, input) =>
    guarded("tag", async () => {
      const git = await openRepository(ctx, input.repo);
      const commit = await requireCommit(git, input.ref, "ref");
      return createTag(ctx, git, {
        tag: input.tag,
        commit,
        message: input.message ?? `Release ${input.tag}`,
        push: input.push,
        remote: input.remote,
      });
    }),
});

export const pushTag = defineAction({
  description: "Push an existing local tag; a tag already on the remote at the same commit is success",
  input: z.object({ repo: repoField, tag: refName("tag").describe("the tag to push"), remote: remoteField }),
  outputs: {
    tag: "the tag name",
    commit: "the commit the tag points at",
    pushed: "true when this step pushed it",
    already_on_remote: "true when the remote already had it at the same commit",
  },
  mutates: true,
  plan: (input) => ({
    summary: `push tag ${input.tag} to ${input.remote}`,
    argv: pushArgv(input.remote, `refs/tags/${input.tag}`),
  }),
  run: (ctx, input) =>
    guarded("push_tag", async () => {
      const git = await openRepository(ctx, input.repo);
      const commit = await resolveCommit(git, `refs/tags/${input.tag}`);
      if (!commit) {
        throw new StepFailure(`there is no local tag ${input.tag} to push`, {
          hint: "create it first with git.tag",
        });
      }
      const result = await publishRef(git, input.remote, `refs/tags/${input.tag}`, commit);
      ctx.log.info(
        result.pushed
          ? `pushed ${input.tag} to ${input.remote}`
          : `${input.tag} is already on ${input.remote}`,
      );
      return { tag: input.tag, commit, pushed: result.pushed, already_on_remote: result.alreadyOnRemote };
    }),
});

export const promoteRc = defineAction({
  description: "Tag GA on the exact commit of a release candidate; refuses when the commit differs",
  input: z
    .object({
      repo: repoField,
      rc_tag: refName("rc_tag")
        .optional()
        .describe("the RC tag to promote (default: the highest RC of version)"),
      version: versionField.optional().describe("the version whose highest RC is promoted"),
      commit: refName("commit")
        .optional()
        .describe("the commit that was validated; refuse if the RC is elsewhere"),
      message: z
        .string()
        .optional()
        .describe("the GA tag message (default: Release <tag>, promoted from <rc>)"),
      tag_format: tagTemplateField,
      rc_format: rcFormatField,
      push: z.boolean().default(false).describe("push the GA tag to the remote (default false)"),
      remote: remoteField,
    })
    .refine((input) => input.rc_tag !== undefined || input.version !== undefined, {
      message: "give rc_tag or version",
    }),
  outputs: { ...TAG_OUTPUTS, rc_tag: "the promoted RC tag", version: "the GA version" },
  mutates: true,
  plan: (input) => {
    const from = input.rc_tag ?? `the highest RC of ${input.version}`;
    // The GA tag follows from the RC tag (or the version) alone: show it as it will be written.
    const format = tagFormat(input);
    const base = input.rc_tag ? parseTag(input.rc_tag, format)?.base : normaliseVersion(input.version ?? "");
    const gaTag = base ? formatTag(format.template, base) : "<GA tag>";
    return {
      summary: `tag GA on the commit of ${from}${input.push ? ` and push it to ${input.remote}` : ""}`,
      argv: tagArgv(gaTag, `${input.rc_tag ?? "<rc tag>"}^{commit}`),
      details: {
        message: input.message ?? `Release ${gaTag}, promoted from ${from}`,
        ...(input.commit ? { expected_commit: input.commit } : {}),
        ...(input.push ? { then: pushArgv(input.remote, `refs/tags/${gaTag}`).join(" ") } : {}),
      },
    };
  },
  run: (ctx, input) =>
    guarded("promote_rc", async () => {
      const git = await openRepository(ctx, input.repo);
      const format = tagFormat(input);
      const rcTag = input.rc_tag ?? (await highestRc(git, normaliseVersion(input.version!)!, format));
      const parsed = parseTag(rcTag, format);
      if (parsed?.rc === undefined) {
        throw new StepFailure(
          `${rcTag} is not a release-candidate tag in the format ${format.template} + ${format.rcFormat}`,
          {
            hint: "set tag_format / rc_format to the format of your RC tags",
          },
        );
      }
      const rcCommit = await requireCommit(git, `refs/tags/${rcTag}`, "RC tag");
      if (input.commit !== undefined) {
        const expected = await requireCommit(git, input.commit, "commit");
        if (expected !== rcCommit) {
          throw new StepFailure(
            `${rcTag} is on ${short(rcCommit)}, not on the validated commit ${short(expected)}; refusing to promote`,
            { hint: "promote the RC that was validated, or validate this RC first" },
          );
        }
      }
      const gaTag = formatTag(format.template, parsed.base);
      const outcome = await createTag(ctx, git, {
        tag: gaTag,
        commit: rcCommit,
        message: input.message ?? `Release ${gaTag}, promoted from ${rcTag}`,
        push: input.push,
        remote: input.remote,
      });
      return { ...outcome, rc_tag: rcTag, version: parsed.base };
    }),
});

async function highestRc(git: GitClient, version: string, format: TagFormat): Promise<string> {
  const candidates = (await listTags(git))
    .map((info) => parseTag(info.name, format))
    .filter((parsed) => parsed?.rc !== undefined && parsed.base === version)
    .sort((a, b) => b!.rc! - a!.rc!);
  if (!candidates[0]) {
    throw new StepFailure(`there is no RC tag for ${version}`, {
      hint: "run git.fetch_tags first, or check tag_format / rc_format",
    });
  }
  return candidates[0].tag;
}
