// Creating and publishing one annotated tag safely, shared by git.tag and git.promote_rc:
// - a tag that already exists on the same commit is reused (a re-run), never re-created;
// - a tag that exists on another commit, locally or on the remote, is refused: never moved;
// - when the push fails after the tag was created, the failure says so ("created, not pushed")
//   and a re-run reuses the tag and only pushes it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StepFailure, type ActionContext, type Outputs } from "../contract.js";
import type { GitClient } from "../../release/git-client.js";
import { commitSubject, resolveCommit } from "../../release/git-history.js";
import { short } from "./common.js";
import { publishRef, remoteRefCommit, requireRemote } from "./remote.js";

export interface TagRequest {
  tag: string;
  commit: string;
  message: string;
  push: boolean;
  remote: string;
}

export interface TagOutcome extends Outputs {
  tag: string;
  commit: string;
  created: boolean;
  /** The remote has the tag at this commit after the step (false when push was not asked for). */
  pushed: boolean;
}

/**
 * The tag relctl creates (git's arguments): annotated, its message read from a file.
 * --cleanup=whitespace keeps "#" lines (git tag strips them by default): Markdown headings.
 */
export function tagArgs(tag: string, target: string, messageFile: string): string[] {
  return ["tag", "--annotate", "--cleanup=whitespace", "--file", messageFile, "--", tag, target];
}

export async function requireTagName(git: GitClient, tag: string): Promise<void> {
  if ((await git.tryRun(["check-ref-format", `refs/tags/${tag}`])) === undefined) {
    throw new StepFailure(`"${tag}" is not a valid tag name`, {
      hint: "tag names cannot contain spaces, ~ ^ : ? * [ \\ or '..'; check tag_format",
    });
  }
}

export async function requireCommit(git: GitClient, ref: string, what: string): Promise<string> {
  const commit = await resolveCommit(git, ref);
  if (!commit) {
    throw new StepFailure(`${what} "${ref}" does not name a commit`, {
      hint: "check the name; run git.fetch_tags first when it comes from the remote",
    });
  }
  return commit;
}

export async function createTag(
  ctx: ActionContext,
  git: GitClient,
  request: TagRequest,
): Promise<TagOutcome> {
  await requireTagName(git, request.tag);
  const local = await resolveCommit(git, `refs/tags/${request.tag}`);
  if (local !== undefined && local !== request.commit) throw await tagElsewhere(git, request, local, "");

  if (request.push) {
    // Look before creating anything: a tag the remote has elsewhere could never be pushed.
    await requireRemote(git, request.remote);
    const remote = await remoteRefCommit(git, request.remote, `refs/tags/${request.tag}`);
    if (remote !== undefined && remote !== request.commit) {
      throw await tagElsewhere(git, request, remote, ` on ${request.remote}`);
    }
    if (remote === request.commit && local === undefined) {
      await git.run([
        "fetch",
        "--no-tags",
        "--",
        request.remote,
        `refs/tags/${request.tag}:refs/tags/${request.tag}`,
      ]);
      ctx.log.info(`${request.tag} is already on ${request.remote} at ${short(request.commit)}; fetched it`);
      return { tag: request.tag, commit: request.commit, created: false, pushed: true };
    }
  }

  let created = false;
  if (local === undefined) {
    mkdirSync(ctx.tempDir, { recursive: true });
    // The message goes through a file: it may hold anything (highlights, leading dashes, #).
    const messageFile = join(ctx.tempDir, "tag-message.txt");
    writeFileSync(messageFile, request.message.endsWith("\n") ? request.message : `${request.message}\n`);
    await git.run(tagArgs(request.tag, request.commit, messageFile));
    created = true;
    ctx.log.info(`created tag ${request.tag} on ${short(request.commit)}`);
  } else {
    ctx.log.info(`tag ${request.tag} already exists on ${short(request.commit)}; not re-creating it`);
  }

  if (!request.push) {
    await reportUnpushed(ctx, git, request);
    return { tag: request.tag, commit: request.commit, created, pushed: false };
  }
  try {
    const result = await publishRef(git, request.remote, `refs/tags/${request.tag}`, request.commit);
    if (result.pushed) ctx.log.info(`pushed ${request.tag} to ${request.remote}`);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    const state = created ? "was created" : "exists";
    throw new StepFailure(
      `tag ${request.tag} ${state} on ${short(request.commit)} but is not pushed: ${error.message}`,
      {
        ...(error.command ? { command: error.command } : {}),
        ...(error.exitCode === undefined ? {} : { exitCode: error.exitCode }),
        ...(error.stderrTail === undefined ? {} : { stderrTail: error.stderrTail }),
        hint: `${error.hint ? `${error.hint}. ` : ""}A re-run reuses the local tag and only pushes it`,
        outputs: { tag: request.tag, commit: request.commit, created, pushed: false },
        cause: error,
      },
    );
  }
  return { tag: request.tag, commit: request.commit, created, pushed: true };
}

async function tagElsewhere(
  git: GitClient,
  request: TagRequest,
  other: string,
  where: string,
): Promise<StepFailure> {
  const subject = await commitSubject(git, other);
  return new StepFailure(
    `tag ${request.tag} already exists${where} on ${short(other)}${subject ? ` (${subject})` : ""}, not on ${short(request.commit)}`,
    {
      hint: "relctl never moves or deletes tags: release another version (force_version), or fix the tag by hand if it is wrong",
    },
  );
}

/** Says so when the tag exists locally but the remote does not have it; quiet when offline. */
async function reportUnpushed(ctx: ActionContext, git: GitClient, request: TagRequest): Promise<void> {
  if ((await git.tryRun(["remote", "get-url", "--", request.remote])) === undefined) return;
  try {
    const remote = await remoteRefCommit(git, request.remote, `refs/tags/${request.tag}`);
    if (remote === undefined)
      ctx.log.warn(`tag ${request.tag} is not on ${request.remote} yet; push it with git.push_tag`);
  } catch {
    ctx.log.debug(`could not reach ${request.remote} to check whether ${request.tag} is pushed`);
  }
}
