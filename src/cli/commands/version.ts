// `relctl version`: the next version and why, without a playbook. The first line of the text
// output is the version alone (so `relctl version | head -1` works); --json prints one object,
// the same as git.next_version's outputs.
import { resolve } from "node:path";
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import { StepFailure } from "../../executors/contract.js";
import { ReleaseRuleError } from "../../release/errors.js";
import { openGit } from "../../release/git-client.js";
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
  const result = await withReleaseErrors(() =>
    computeNextVersion(openGit({ dir: repoDir(command.repo, options), env: io.env }), {
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

/** Release rules and git failures become coded errors with their hints (exit 1). */
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
    throw error;
  }
}
