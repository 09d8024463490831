// `relctl version`: the next version and why, without a playbook. The first line of the text
// output is the version alone (so `relctl version | head -1` works); --json prints one object,
// the same as git.next_version's outputs.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import { StepFailure } from "../../executors/contract.js";
import { ReleaseRuleError } from "../../release/errors.js";
import { GitCommandError, gitFailure, openGit, type GitClient } from "../../release/git-client.js";
import { resolveCommit } from "../../release/git-history.js";
import { fsProblem, isPathProblem } from "../../state/fs-errors.js";
import { computeNextVersion, nextVersionOutputs, type NextVersion } from "../../release/next-version.js";
import {
  DEFAULT_RC_FORMAT,
  DEFAULT_TAG_TEMPLATE,
  normaliseVersion,
  rcFormatProblem,
  tagTemplateProblem,
  type TagFormat,
} from "../../release/tag-format.js";
import { cwdOf, type GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";

export interface VersionCommandOptions {
  rc?: boolean;
  rcFormat?: string;
  forceVersion?: string;
  tagFormat?: string;
  hotfix?: boolean;
  initialVersion?: string;
  repo?: string;
}

export async function versionCommand(
  command: VersionCommandOptions,
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  const format = tagFormatFrom(command);
  for (const [flag, value] of [
    ["--force-version", command.forceVersion],
    ["--initial-version", command.initialVersion],
  ] as const) {
    if (value !== undefined && normaliseVersion(value) === undefined) {
      throw usageError(`${flag} "${value}" is not a semantic version`, "use MAJOR.MINOR.PATCH, e.g. 2.0.0");
    }
  }
  const dir = repoDir(command.repo, options);
  const result = await withReleaseErrors(async () =>
    computeNextVersion(await openRepository(dir, io.env), {
      format,
      rc: command.rc === true,
      hotfix: command.hotfix === true,
      initialVersion: command.initialVersion ?? "0.1.0",
      ...(command.forceVersion === undefined ? {} : { forceVersion: command.forceVersion }),
    }),
  );
  if (options.json) {
    io.out(`${JSON.stringify(nextVersionOutputs(result))}\n`);
  } else {
    io.out(describe(result, io));
  }
  for (const warning of result.warnings) io.err(`${io.color.yellow("warning")}: ${warning}\n`);
  return ExitCode.ok;
}

function describe(result: NextVersion, io: Io): string {
  const { color } = io;
  const lines = [result.version];
  const previous = result.previousTag ? `${result.previousTag} (${result.previousVersion})` : "none";
  lines.push(`  previous release: ${previous}`);
  lines.push(`  bump: ${color.bold(result.bump)}: ${result.reason}`);
  lines.push(`  tag: ${result.tag}${result.alreadyTagged ? " (already on this commit)" : ""}`);
  if (!result.releasable) lines.push(`  ${color.yellow("nothing to release")}`);
  const since = result.previousTag ? `since ${result.previousTag}` : "in the history";
  lines.push(`  commits ${since}: ${result.commits.length}`);
  const counted = new Set(result.causes.map((commit) => commit.sha));
  for (const entry of result.commits) {
    const mark = counted.has(entry.sha) ? color.green("*") : " ";
    const note = entry.cancelledBy ? color.dim(" (reverted)") : "";
    lines.push(`  ${mark} ${color.dim(entry.sha.slice(0, 7))} ${entry.commit.header}${note}`);
  }
  if (result.causes.length > 0) lines.push(color.dim(`  (* decided the bump)`));
  return `${lines.join("\n")}\n`;
}

export function tagFormatFrom(command: { tagFormat?: string; rcFormat?: string }): TagFormat {
  const format = {
    template: command.tagFormat ?? DEFAULT_TAG_TEMPLATE,
    rcFormat: command.rcFormat ?? DEFAULT_RC_FORMAT,
  };
  const problem = tagTemplateProblem(format.template) ?? rcFormatProblem(format.rcFormat);
  if (problem) throw usageError(problem, "e.g. --tag-format 'v{version}' --rc-format '-rc.{n}'");
  return format;
}

export function repoDir(repo: string | undefined, options: GlobalOptions): string {
  return resolve(cwdOf(options), repo ?? ".");
}

/**
 * The git repository a release is computed from. A directory that does not exist, is not a git
 * repository or has no commits yet is a usage error (exit 2) that says so, without git's own
 * `fatal:` line.
 */
export async function openRepository(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<GitClient> {
  const hint = "run relctl in a git checkout, or pass --repo DIR";
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw usageError(`cannot use ${dir} as the repository: ${fsProblem(error)}`, hint);
  }
  if (!isDirectory) throw usageError(`${dir} is a file, not a git repository`, hint);
  const git = openGit({ dir, env });
  try {
    await git.run(["rev-parse", "--git-dir"]);
  } catch (error) {
    // git exits 128 outside a repository; anything else (git missing) keeps its own words.
    if (error instanceof GitCommandError && error.exitCode === 128) {
      throw new RelctlError("E_NOT_A_REPOSITORY", ExitCode.invalid, `${dir} is not a git repository`, {
        hint,
      });
    }
    throw gitFailure(`cannot run git in ${dir}`, error, "install git, or check that it is on PATH");
  }
  if ((await resolveCommit(git, "HEAD")) === undefined) {
    throw new RelctlError("E_NO_COMMITS", ExitCode.invalid, `the repository in ${dir} has no commits yet`, {
      hint: "commit something first; releases are cut from commits",
    });
  }
  return git;
}

/**
 * Release rules and git failures become coded errors with their hints (exit 1); a file the
 * command cannot read or write (a directory given as --file, no permission) is exit 2.
 */
export async function withReleaseErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ReleaseRuleError || error instanceof StepFailure) {
      const detail = error instanceof StepFailure && error.stderrTail ? `\n${error.stderrTail}` : "";
      throw new RelctlError("E_RELEASE", ExitCode.stepFailed, `${error.message}${detail}`, {
        ...(error.hint ? { hint: error.hint } : {}),
        cause: error,
      });
    }
    const path = (error as NodeJS.ErrnoException | undefined)?.path;
    if (isPathProblem(error) && typeof path === "string") {
      throw usageError(`cannot use ${path}: ${fsProblem(error)}`);
    }
    throw error;
  }
}
