// Talking to the remote: does it exist, what does a ref point at there, push one ref. A push
// never forces: a tag or branch the remote already has at the same commit is success, one at
// another commit is refused, and a rejected push keeps git's own words.
import { StepFailure } from "../contract.js";
import { gitFailure, type GitClient } from "../../release/git-client.js";
import { short } from "./common.js";

/** The push relctl makes for a ref (git's arguments): never forced, the same name on both sides. */
export function pushArgs(remote: string, ref: string): string[] {
  return ["push", "--", remote, `${ref}:${ref}`];
}

export async function requireRemote(git: GitClient, remote: string): Promise<string> {
  const url = await git.tryRun(["remote", "get-url", "--", remote]);
  if (url === undefined) {
    const known = (await git.tryRun(["remote"]))?.split("\n").filter(Boolean) ?? [];
    throw new StepFailure(`the repository has no remote named "${remote}"`, {
      hint: known.length
        ? `known remotes: ${known.join(", ")}; set remote: to one of them`
        : `add it with: git remote add ${remote} <url>`,
    });
  }
  return url.trim();
}

/** The commit a ref points at on the remote (peeled for annotated tags), undefined when absent. */
export async function remoteRefCommit(
  git: GitClient,
  remote: string,
  ref: string,
): Promise<string | undefined> {
  let output: string;
  try {
    // Both patterns: an annotated tag's commit is only listed as its peeled `^{}` entry.
    output = await git.run(["ls-remote", remote, ref, `${ref}^{}`]);
  } catch (error) {
    throw gitFailure(
      `could not read ${ref} from remote "${remote}"`,
      error,
      "check the remote URL, the network and the credentials",
    );
  }
  let direct: string | undefined;
  let peeled: string | undefined;
  for (const line of output.split("\n")) {
    const [sha, name] = line.split("\t");
    if (name === ref) direct = sha;
    else if (name === `${ref}^{}`) peeled = sha;
  }
  return peeled ?? direct;
}

export interface PublishResult {
  /** This call pushed the ref. */
  pushed: boolean;
  /** The remote already had it at the same commit. */
  alreadyOnRemote: boolean;
}

/**
 * Pushes `refs/tags/<tag>` or `refs/heads/<branch>` unless the remote already has it. A branch
 * may move forward on the remote (a fast-forward); a tag never moves.
 */
export async function publishRef(
  git: GitClient,
  remote: string,
  ref: string,
  commit: string,
): Promise<PublishResult> {
  await requireRemote(git, remote);
  const remoteCommit = await remoteRefCommit(git, remote, ref);
  const name = ref.replace(/^refs\/(tags|heads)\//, "");
  if (remoteCommit === commit) return { pushed: false, alreadyOnRemote: true };
  const fastForward =
    remoteCommit !== undefined &&
    ref.startsWith("refs/heads/") &&
    (await git.tryRun(["merge-base", "--is-ancestor", remoteCommit, commit])) !== undefined;
  if (remoteCommit !== undefined && !fastForward) {
    throw new StepFailure(
      `${name} on ${remote} points at ${short(remoteCommit)}, not at ${short(commit)}; relctl never moves or replaces a published ref`,
      { hint: `inspect it with: git fetch ${remote} && git log -1 ${remoteCommit}` },
    );
  }
  try {
    await git.run(pushArgs(remote, ref));
  } catch (error) {
    throw gitFailure(
      `${remote} rejected the push of ${name}`,
      error,
      "read git's message above (a protected ref, a server hook, missing rights); fix it and re-run",
    );
  }
  return { pushed: true, alreadyOnRemote: false };
}
