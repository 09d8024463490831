// git.cherry_pick: all of the commits or none. Commits already on the branch (the same commit, or
// an equivalent patch) are skipped so a re-run does not pick twice; the rest go in one
// `git cherry-pick`, and on a conflict `git cherry-pick --abort` returns the branch to where it
// was, and the failure lists the conflicting files.
import { z } from "zod";
import { defineAction, StepFailure } from "../contract.js";
import { GitCommandError, gitFailure, type GitClient } from "../../release/git-client.js";
import { commitSubject, headCommit, resolveCommit } from "../../release/git-history.js";
import { requireBranch, requireCleanTree } from "./checks.js";
import { guarded, openRepository, refName, repoField, short } from "./common.js";

async function inProgress(git: GitClient): Promise<string | undefined> {
  for (const [ref, what] of [
    ["CHERRY_PICK_HEAD", "a cherry-pick"],
    ["MERGE_HEAD", "a merge"],
    ["REVERT_HEAD", "a revert"],
  ] as const) {
    if ((await resolveCommit(git, ref)) !== undefined) return what;
  }
  return undefined;
}

/** True when HEAD already has this commit or a commit with the same patch. */
async function alreadyApplied(git: GitClient, sha: string, isMerge: boolean): Promise<boolean> {
  if ((await git.tryRun(["merge-base", "--is-ancestor", sha, "HEAD"])) !== undefined) return true;
  if (isMerge) return false;
  const parent = await resolveCommit(git, `${sha}^`);
  if (!parent) return false;
  const output = await git.run(["cherry", "HEAD", sha, parent]);
  return output.split("\n").some((line) => line.startsWith("- "));
}

export const cherryPick = defineAction({
  description: "Cherry-pick commits onto the current branch, all or nothing; skips commits already applied",
  input: z.object({
    repo: repoField,
    commits: z.array(refName("commit")).min(1).describe("commits to apply, oldest first"),
    record_origin: z
      .boolean()
      .default(true)
      .describe('add "(cherry picked from commit …)" to each message (-x)'),
    mainline: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("parent number to diff merge commits against (-m)"),
  }),
  outputs: {
    picked: "list of { from, commit }: each source commit and the new commit made from it",
    skipped: "source commits already on the branch",
    head: "the branch's commit after the step",
  },
  mutates: true,
  plan: (input) => ({
    summary: `cherry-pick ${input.commits.length} commit${input.commits.length === 1 ? "" : "s"} onto the current branch`,
    argv: ["git", ...cherryPickArgs(input, input.commits)],
  }),
  run: (ctx, input) =>
    guarded("cherry_pick", async () => {
      const git = await openRepository(ctx, input.repo);
      const branch = await requireBranch(git);
      const busy = await inProgress(git);
      if (busy) {
        throw new StepFailure(`${busy} is already in progress on ${branch}`, {
          hint: "finish it or abort it (git cherry-pick --abort / git merge --abort) first",
        });
      }
      await requireCleanTree(git, false);
      const before = await headCommit(git);

      const pending: string[] = [];
      const skipped: string[] = [];
      for (const ref of input.commits) {
        const sha = await resolveCommit(git, ref);
        if (!sha) throw new StepFailure(`"${ref}" does not name a commit`, { hint: "fetch it first" });
        const parents =
          (await git.run(["rev-list", "--parents", "-n", "1", sha])).trim().split(" ").length - 1;
        if (await alreadyApplied(git, sha, parents > 1)) {
          skipped.push(sha);
          ctx.log.info(`${short(sha)} is already on ${branch}; skipping it`);
        } else {
          pending.push(sha);
        }
      }
      if (pending.length > 0) await applyAll(git, pending, input, before);

      const created = pending.length
        ? (await git.run(["rev-list", "--reverse", `${before}..HEAD`])).split("\n").filter(Boolean)
        : [];
      const picked = pending.map((from, index) => ({ from, commit: created[index] ?? "" }));
      return { picked, skipped, head: await headCommit(git) };
    }),
});

interface PickOptions {
  record_origin: boolean;
  mainline?: number | undefined;
}

/** git's arguments for one cherry-pick of every commit in `commits`. */
function cherryPickArgs(input: PickOptions, commits: readonly string[]): string[] {
  return [
    "cherry-pick",
    ...(input.record_origin ? ["-x"] : []),
    ...(input.mainline ? ["-m", String(input.mainline)] : []),
    ...commits,
  ];
}

async function applyAll(
  git: GitClient,
  pending: string[],
  input: PickOptions,
  before: string,
): Promise<void> {
  try {
    await git.run(cherryPickArgs(input, pending));
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    const conflicts =
      (await git.tryRun(["diff", "--name-only", "--diff-filter=U"]))?.split("\n").filter(Boolean) ?? [];
    const failing = /could not apply ([0-9a-f]{7,40})/.exec(error.stderr)?.[1];
    const undone = await abort(git, before);
    const which = failing ? `${short(failing)} (${await commitSubject(git, failing)})` : "the commits";
    const what = conflicts.length
      ? `cherry-picking ${which} conflicts in:\n${conflicts.map((file) => `  ${file}`).join("\n")}`
      : `cherry-picking ${which} failed`;
    throw gitFailure(
      undone
        ? `${what}\nnothing was applied: the cherry-pick was aborted and the branch is back at ${short(before)}`
        : `${what}\nthe cherry-pick could not be aborted cleanly; the repository needs a person (git status)`,
      error,
      conflicts.length
        ? "resolve the conflict on a branch by hand (or port the fix), then cherry-pick the result"
        : "read git's message above",
    );
  }
}

/**
 * Undoes a stopped cherry-pick sequence; true when HEAD is back where it started and clean.
 * The tree was clean before (checked), so resetting to `before` only drops what this step did.
 */
async function abort(git: GitClient, before: string): Promise<boolean> {
  await git.tryRun(["cherry-pick", "--abort"]);
  if ((await headCommit(git)) !== before) await git.tryRun(["reset", "--hard", "--quiet", before]);
  const status = await git.tryRun(["status", "--porcelain=v1", "--untracked-files=no"]);
  return (await headCommit(git)) === before && status?.trim() === "";
}
