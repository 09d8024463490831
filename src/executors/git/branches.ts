// git.create_branch and git.hotfix_branch: branches are created once and never moved; one that
// exists at the same commit is reused (a re-run), one that exists elsewhere is refused.
import semver from "semver";
import { z } from "zod";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import type { GitClient } from "../../release/git-client.js";
import { currentBranch, resolveCommit } from "../../release/git-history.js";
import { formatTag, normaliseVersion, parseTag } from "../../release/tag-format.js";
import { requireCleanTree } from "./checks.js";
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
import { requireCommit } from "./tagging.js";

interface BranchRequest {
  name: string;
  commit: string;
  checkout: boolean;
  push: boolean;
  remote: string;
}

/** The branch relctl creates (git's arguments): no upstream, never moved later. */
const branchArgs = (name: string, start: string): string[] => ["branch", "--no-track", "--", name, start];

async function createBranch(ctx: ActionContext, git: GitClient, request: BranchRequest) {
  if ((await git.tryRun(["check-ref-format", "--branch", request.name])) === undefined) {
    throw new StepFailure(`"${request.name}" is not a valid branch name`);
  }
  const existing = await resolveCommit(git, `refs/heads/${request.name}`);
  // A branch that already grew from the same start (a re-run after cherry-picks) is reused.
  const grewFromStart =
    existing !== undefined &&
    (existing === request.commit ||
      (await git.tryRun(["merge-base", "--is-ancestor", request.commit, existing])) !== undefined);
  if (existing !== undefined && !grewFromStart) {
    throw new StepFailure(
      `branch ${request.name} already exists at ${short(existing)}, which does not contain ${short(request.commit)}`,
      {
        hint: "relctl never moves branches: pick another name, or delete the old branch yourself if it is stale",
      },
    );
  }
  const created = existing === undefined;
  const head = existing ?? request.commit;
  if (created) {
    await git.run(branchArgs(request.name, request.commit));
    ctx.log.info(`created branch ${request.name} at ${short(request.commit)}`);
  } else {
    ctx.log.info(`branch ${request.name} already exists at ${short(head)}; reusing it`);
  }
  if (request.checkout && (await currentBranch(git)) !== request.name) {
    await requireCleanTree(git, false);
    await git.run(["switch", "--no-guess", request.name]);
  }
  let pushed = false;
  if (request.push) {
    await publishRef(git, request.remote, `refs/heads/${request.name}`, head);
    pushed = true;
  }
  return { branch: request.name, commit: head, created, pushed };
}

const BRANCH_OUTPUTS = {
  branch: "the branch name",
  commit: "the branch's commit (where it starts, or its tip when it already existed)",
  created: "true when this step created it (false when it already existed at the same commit)",
  pushed: "true when the remote has it after this step",
};

export const createBranchAction = defineAction({
  description: "Create a branch such as release/v1.2.0-rc.1 at a commit; optionally check it out and push it",
  input: z.object({
    repo: repoField,
    name: refName("branch").describe("the branch to create, like release/v1.2.0-rc.1"),
    from: refName("from").default("HEAD").describe("where the branch starts (default HEAD)"),
    checkout: z.boolean().default(false).describe("check the new branch out (default false)"),
    push: z.boolean().default(false).describe("push the new branch to the remote (default false)"),
    remote: remoteField,
  }),
  outputs: BRANCH_OUTPUTS,
  mutates: true,
  plan: (input) => ({
    summary: `create branch ${input.name} at ${input.from}${input.push ? ` and push it to ${input.remote}` : ""}`,
    argv: ["git", ...branchArgs(input.name, input.from)],
    ...(input.push
      ? { details: { then: ["git", ...pushArgs(input.remote, `refs/heads/${input.name}`)].join(" ") } }
      : {}),
  }),
  run: (ctx, input) =>
    guarded("create_branch", async () => {
      const git = await openRepository(ctx, input.repo);
      const commit = await requireCommit(git, input.from, "from");
      return createBranch(ctx, git, { ...input, commit });
    }),
});

export const hotfixBranch = defineAction({
  description:
    "Create (and by default check out) a hotfix branch from a release tag: hotfix/v1.2.1 from v1.2.0",
  input: z
    .object({
      repo: repoField,
      tag: refName("tag").optional().describe("the release tag to patch"),
      version: versionField.optional().describe("the release to patch, turned into a tag by tag_format"),
      name: refName("branch").optional().describe("branch name (default hotfix/<next patch tag>)"),
      tag_format: tagTemplateField,
      rc_format: rcFormatField,
      checkout: z.boolean().default(true).describe("check the hotfix branch out (default true)"),
      push: z.boolean().default(false).describe("push the hotfix branch to the remote (default false)"),
      remote: remoteField,
    })
    .refine((input) => input.tag !== undefined || input.version !== undefined, {
      message: "give tag or version",
    }),
  outputs: {
    ...BRANCH_OUTPUTS,
    base_tag: "the release tag the branch starts at",
    version: "the hotfix version (the next patch)",
    tag: "the hotfix's tag",
  },
  mutates: true,
  plan: (input) => {
    const base = input.tag ?? formatTag(input.tag_format, normaliseVersion(input.version!) ?? input.version!);
    return {
      summary: `create hotfix branch ${input.name ?? "hotfix/<next patch>"} from ${base}`,
      argv: ["git", ...branchArgs(input.name ?? "<hotfix branch>", `refs/tags/${base}`)],
    };
  },
  run: (ctx, input) =>
    guarded("hotfix_branch", async () => {
      const git = await openRepository(ctx, input.repo);
      const format = tagFormat(input);
      const baseTag = input.tag ?? formatTag(format.template, normaliseVersion(input.version!)!);
      const parsed = parseTag(baseTag, format);
      if (!parsed || parsed.prerelease !== undefined) {
        throw new StepFailure(`${baseTag} is not a release tag in the format ${format.template}`, {
          hint: "hotfixes start from a GA release tag; check tag_format",
        });
      }
      const commit = await requireCommit(git, `refs/tags/${baseTag}`, "release tag");
      const version = semver.inc(parsed.version, "patch")!;
      const tag = formatTag(format.template, version);
      const outcome = await createBranch(ctx, git, {
        name: input.name ?? `hotfix/${tag}`,
        commit,
        checkout: input.checkout,
        push: input.push,
        remote: input.remote,
      });
      return { ...outcome, base_tag: baseTag, version, tag };
    }),
});
