// Read-only checks before a release touches anything: a clean tree, the right branch up to date
// with its remote, and the remote's tags fetched (never overwriting a local tag that differs).
import { z } from "zod";
import { defineAction, StepFailure } from "../contract.js";
import { gitFailure, GitCommandError, type GitClient } from "../../release/git-client.js";
import { currentBranch, headCommit, listTags } from "../../release/git-history.js";
import { guarded, openRepository, refName, remoteField, repoField, short } from "./common.js";
import { requireRemote } from "./remote.js";

/** Files with uncommitted changes (`git status --porcelain`), untracked ones included unless told. */
export async function dirtyFiles(git: GitClient, includeUntracked = true): Promise<string[]> {
  const output = await git.run([
    "status",
    "--porcelain=v1",
    `--untracked-files=${includeUntracked ? "normal" : "no"}`,
  ]);
  return output.split("\n").filter(Boolean);
}

export async function requireCleanTree(git: GitClient, includeUntracked = true): Promise<void> {
  const dirty = await dirtyFiles(git, includeUntracked);
  if (dirty.length === 0) return;
  const shown = dirty.slice(0, 20).map((line) => `  ${line}`);
  if (dirty.length > 20) shown.push(`  … and ${dirty.length - 20} more`);
  throw new StepFailure(`the working tree has uncommitted changes:\n${shown.join("\n")}`, {
    hint: "commit or stash them first; a release is cut from committed work only",
  });
}

export async function requireBranch(git: GitClient): Promise<string> {
  const branch = await currentBranch(git);
  if (branch === undefined) {
    const head = await headCommit(git);
    throw new StepFailure(`HEAD is detached at ${short(head)}, not on a branch`, {
      hint: "check out the release branch first (git switch main)",
    });
  }
  return branch;
}

export const ensureClean = defineAction({
  description: "Fail unless the working tree has no uncommitted changes; lists the files that do",
  input: z.object({
    repo: repoField,
    allow_untracked: z.boolean().default(false).describe("ignore files git does not track"),
  }),
  outputs: { commit: "the HEAD commit" },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `check that the working tree${input.repo ? ` in ${input.repo}` : ""} is clean`,
    argv: ["git", "status", "--porcelain=v1", `--untracked-files=${input.allow_untracked ? "no" : "normal"}`],
  }),
  run: (ctx, input) =>
    guarded("ensure_clean", async () => {
      const git = await openRepository(ctx, input.repo);
      await requireCleanTree(git, !input.allow_untracked);
      return { commit: await headCommit(git) };
    }),
});

export const ensureBranch = defineAction({
  description: "Fail unless HEAD is on the named branch and, after a fetch, level with the remote's branch",
  input: z.object({
    repo: repoField,
    name: refName("branch").default("main").describe("the branch HEAD must be on (default main)"),
    remote: remoteField,
    up_to_date: z
      .boolean()
      .default(true)
      .describe("also require the branch to match the remote after a fetch"),
    allow_ahead: z.boolean().default(false).describe("accept local commits the remote does not have yet"),
  }),
  outputs: {
    branch: "the checked-out branch",
    commit: "the HEAD commit",
    remote_commit: "the remote branch's commit (empty when not checked)",
    ahead: "commits on HEAD the remote does not have",
    behind: "commits on the remote HEAD does not have",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `check that HEAD is on ${input.name}${input.up_to_date ? ` and level with ${input.remote}/${input.name}` : ""}`,
    argv: input.up_to_date
      ? ["git", ...fetchBranchArgs(input.remote, input.name)]
      : ["git", "symbolic-ref", "--short", "HEAD"],
  }),
  run: (ctx, input) =>
    guarded("ensure_branch", async () => {
      const git = await openRepository(ctx, input.repo);
      const branch = await requireBranch(git);
      const commit = await headCommit(git);
      if (branch !== input.name) {
        throw new StepFailure(`HEAD is on branch ${branch}, not on ${input.name}`, {
          hint: `switch to it first (git switch ${input.name}), or set name: to the branch you release from`,
        });
      }
      if (!input.up_to_date) return { branch, commit, remote_commit: "", ahead: 0, behind: 0 };
      await requireRemote(git, input.remote);
      const tracking = `refs/remotes/${input.remote}/${input.name}`;
      try {
        await git.run(fetchBranchArgs(input.remote, input.name));
      } catch (error) {
        const missing = error instanceof GitCommandError && /couldn't find remote ref/i.test(error.stderr);
        throw missing
          ? new StepFailure(`${input.remote} has no branch ${input.name}`, {
              hint: `push it first (git push ${input.remote} ${input.name}), or set name: to an existing branch`,
            })
          : gitFailure(
              `could not fetch ${input.name} from ${input.remote}`,
              error,
              "check the remote URL, the network and the credentials",
            );
      }
      const remoteCommit = (await git.run(["rev-parse", "--verify", tracking])).trim();
      const counts = await git.run(["rev-list", "--left-right", "--count", `HEAD...${tracking}`]);
      const [ahead, behind] = counts.trim().split(/\s+/).map(Number) as [number, number];
      if (behind > 0) {
        throw new StepFailure(
          `${input.name} is ${behind} commit${behind === 1 ? "" : "s"} behind ${input.remote}/${input.name}${ahead > 0 ? ` and ${ahead} ahead (diverged)` : ""}`,
          { hint: `update it first: git pull --ff-only ${input.remote} ${input.name}` },
        );
      }
      if (ahead > 0 && !input.allow_ahead) {
        throw new StepFailure(
          `${input.name} has ${ahead} commit${ahead === 1 ? "" : "s"} that ${input.remote} does not have`,
          {
            hint: `push them first (git push ${input.remote} ${input.name}) so the release is cut from published commits, or set allow_ahead: true`,
          },
        );
      }
      return { branch, commit, remote_commit: remoteCommit, ahead, behind };
    }),
});

export const fetchTags = defineAction({
  description:
    "Fetch the remote's tags; a local tag that differs from the remote's is reported, never overwritten",
  input: z.object({ repo: repoField, remote: remoteField }),
  outputs: { fetched: "names of tags that were new locally", tags: "how many tags the repository has now" },
  // Only adds refs the remote already published; safe in a dry-run so plans see the real tags.
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `fetch tags from ${input.remote}`,
    argv: ["git", ...fetchTagsArgs(input.remote)],
  }),
  run: (ctx, input) =>
    guarded("fetch_tags", async () => {
      const git = await openRepository(ctx, input.repo);
      await requireRemote(git, input.remote);
      const before = new Set((await listTags(git)).map((tag) => tag.name));
      try {
        await git.run(fetchTagsArgs(input.remote));
      } catch (error) {
        if (error instanceof GitCommandError && /would clobber existing tag/i.test(error.stderr)) {
          const clashing = [...error.stderr.matchAll(/\[rejected\]\s+(\S+)\s+->/g)].map((match) => match[1]);
          throw gitFailure(
            `local tag${clashing.length === 1 ? "" : "s"} ${clashing.join(", ")} differ${clashing.length === 1 ? "s" : ""} from ${input.remote}'s; relctl does not overwrite tags`,
            error,
            "compare them (git show <tag>; git ls-remote --tags <remote>) and delete the wrong one yourself",
          );
        }
        throw gitFailure(
          `could not fetch tags from ${input.remote}`,
          error,
          "check the remote URL, the network and the credentials",
        );
      }
      const after = (await listTags(git)).map((tag) => tag.name);
      return { fetched: after.filter((name) => !before.has(name)), tags: after.length };
    }),
});

/** The fetch the plan shows and the run does: the branch into its remote-tracking ref. */
function fetchBranchArgs(remote: string, branch: string): string[] {
  return ["fetch", "--no-tags", "--", remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`];
}

/** The remote's tags, added but never overwriting a local one (no --force). */
function fetchTagsArgs(remote: string): string[] {
  return ["fetch", "--tags", "--no-recurse-submodules", "--", remote];
}
