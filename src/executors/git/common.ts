// Pieces every git action shares: input fields, opening the repository from the action context,
// and turning release-rule and git errors into StepFailures.
import { resolve } from "node:path";
import { z } from "zod";
import { ReleaseRuleError } from "../../release/errors.js";
import { GitCommandError, gitFailure, openGit, type GitClient } from "../../release/git-client.js";
import { ensureRepository } from "../../release/git-history.js";
import {
  DEFAULT_RC_FORMAT,
  DEFAULT_TAG_TEMPLATE,
  rcFormatProblem,
  tagTemplateProblem,
  type TagFormat,
} from "../../release/tag-format.js";
import { StepFailure, type ActionContext } from "../contract.js";

export const repoField = z
  .string()
  .min(1)
  .optional()
  .describe("repository directory, relative to the run's directory (default: the run's directory)");

/** A ref, tag, branch or remote name: never something git could read as an option. */
export const refName = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((value) => !value.startsWith("-"), `${what} must not start with "-"`)
    .refine((value) => !/[\s\0]/.test(value), `${what} must not contain spaces or control characters`);

export const remoteField = refName("remote").default("origin").describe("the remote to talk to");

export const tagTemplateField = z
  .string()
  .default(DEFAULT_TAG_TEMPLATE)
  .superRefine((value, ctx) => {
    const problem = tagTemplateProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .describe("how versions become tags; {version} is replaced (default v{version})");

export const rcFormatField = z
  .string()
  .default(DEFAULT_RC_FORMAT)
  .superRefine((value, ctx) => {
    const problem = rcFormatProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .describe(
    "release-candidate suffix; {n} is the RC number (-rc.{n} gives v1.2.3-rc.1, -rc{n} gives v3.7.0-rc1)",
  );

export const versionField = z
  .string()
  .regex(
    /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/,
    "must be a semantic version like 1.2.3",
  );

export function tagFormat(input: { tag_format: string; rc_format: string }): TagFormat {
  return { template: input.tag_format, rcFormat: input.rc_format };
}

export function repoDirectory(ctx: ActionContext, repo: string | undefined): string {
  return resolve(ctx.cwd, repo ?? ".");
}

/** Opens the repository for an action and checks it is one. */
export async function openRepository(ctx: ActionContext, repo: string | undefined): Promise<GitClient> {
  const git = openGit({ dir: repoDirectory(ctx, repo), env: ctx.env, signal: ctx.signal });
  await ensureRepository(git);
  return git;
}

/** Runs an action body so that every failure leaves as a StepFailure with its hint and command. */
export async function guarded<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    if (error instanceof ReleaseRuleError) {
      throw new StepFailure(error.message, { ...(error.hint ? { hint: error.hint } : {}), cause: error });
    }
    if (error instanceof GitCommandError) {
      const first = (error.stderr || error.stdout).trim().split("\n").pop() ?? "";
      throw gitFailure(
        `${what}: git ${error.args[0] ?? ""} failed${first ? `: ${first}` : ""}`,
        error,
        identityHint(error),
      );
    }
    throw error;
  }
}

function identityHint(error: GitCommandError): string | undefined {
  if (/Please tell me who you are|empty ident/i.test(error.stderr)) {
    return "git needs an identity to write tags and commits: set user.name and user.email (git config) or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL and GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL";
  }
  return undefined;
}

export const short = (sha: string): string => sha.slice(0, 7);
