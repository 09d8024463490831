// Reading a repository's history: tags with the commits they point at, the tags reachable from a
// commit, commits in a range, the current branch. Revisions come after `--end-of-options`, so a
// value can never be read as an option.
import { StepFailure } from "../executors/contract.js";
import { gitFailure, type GitClient } from "./git-client.js";
import type { RawCommit } from "./version.js";

export interface TagInfo {
  name: string;
  /** The commit the tag points at (peeled through an annotated tag). */
  commit: string;
  annotated: boolean;
}

// for-each-ref and log spell a NUL byte differently.
const REF_FIELD = "%00";
const LOG_FIELD = "%x00";
const LOG_RECORD = "%x1e";

export async function listTags(git: GitClient): Promise<TagInfo[]> {
  const format = ["%(refname:strip=2)", "%(objecttype)", "%(objectname)", "%(*objecttype)", "%(*objectname)"];
  const output = await git.run(["for-each-ref", `--format=${format.join(REF_FIELD)}`, "refs/tags"]);
  const tags: TagInfo[] = [];
  for (const line of output.split("\n")) {
    if (!line) continue;
    const [name, type, object, peeledType, peeled] = line.split("\0") as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (type === "commit") tags.push({ name, commit: object, annotated: false });
    else if (type === "tag" && peeledType === "commit") tags.push({ name, commit: peeled, annotated: true });
  }
  return tags;
}

/** Names of the tags whose commit is an ancestor of (or is) `ref`, through any parent. */
export async function tagsReachableFrom(git: GitClient, ref: string): Promise<Set<string>> {
  const output = await git.run(["tag", "--list", "--merged", ref]);
  return new Set(output.split("\n").filter(Boolean));
}

/** Commits reachable from `to` but not from `from` (all of `to`'s history without `from`), newest first. */
export async function commitsBetween(
  git: GitClient,
  from: string | undefined,
  to: string,
): Promise<RawCommit[]> {
  const range = from === undefined ? to : `${from}..${to}`;
  const output = await git.run([
    "log",
    `--format=%H${LOG_FIELD}%P${LOG_FIELD}%B${LOG_RECORD}`,
    "--end-of-options",
    range,
  ]);
  const commits: RawCommit[] = [];
  for (const record of output.split("\x1e")) {
    const trimmed = record.replace(/^\n/, "");
    if (!trimmed) continue;
    const [sha, parents, message] = trimmed.split("\0") as [string, string, string];
    commits.push({ sha, parents: parents ? parents.split(" ") : [], message: message ?? "" });
  }
  return commits;
}

/** The commit `ref` names, or undefined when it names none. */
export async function resolveCommit(git: GitClient, ref: string): Promise<string | undefined> {
  const output = await git.tryRun([
    "rev-parse",
    "--verify",
    "--quiet",
    "--end-of-options",
    `${ref}^{commit}`,
  ]);
  return output?.trim() || undefined;
}

/** HEAD's commit; fails clearly in a repository without commits or outside a repository. */
export async function headCommit(git: GitClient): Promise<string> {
  await ensureRepository(git);
  const head = await resolveCommit(git, "HEAD");
  if (!head) {
    throw new StepFailure(`the repository in ${git.dir} has no commits yet`, {
      hint: "commit something first; releases are cut from commits",
    });
  }
  return head;
}

/** The checked-out branch, or undefined when HEAD is detached. */
export async function currentBranch(git: GitClient): Promise<string | undefined> {
  const output = await git.tryRun(["symbolic-ref", "--quiet", "--short", "HEAD"]);
  return output?.trim() || undefined;
}

export async function ensureRepository(git: GitClient): Promise<void> {
  try {
    await git.run(["rev-parse", "--git-dir"]);
  } catch (error) {
    throw gitFailure(
      `${git.dir} is not a git repository`,
      error,
      "set `repo:` (or --repo) to a git checkout",
    );
  }
}

/** The first line of a commit's message, for messages a person reads. */
export async function commitSubject(git: GitClient, commit: string): Promise<string> {
  const output = await git.tryRun(["log", "-1", "--format=%s", "--end-of-options", commit]);
  return output?.trim() ?? "";
}
