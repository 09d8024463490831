// A changelog file on disk plus the repository it belongs to: fill [Unreleased] from the
// commits since the last release, cut a version, write the file only when it changed.
// Shared by the git executor (changelog_cut) and `relctl changelog`.
import { existsSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import semver from "semver";
import { readInputText, type FileProblem, type InputFileKind } from "../util/input-file.js";
import { cutRelease, type CutResult } from "./changelog/cut.js";
import { entriesFromCommits, fillUnreleased } from "./changelog/fill.js";
import { listVersions } from "./changelog/notes.js";
import { ReleaseRuleError } from "./errors.js";
import type { GitClient } from "./git-client.js";
import { commitsBetween, headCommit } from "./git-history.js";
import { releaseTags } from "./next-version.js";
import type { TagFormat } from "./tag-format.js";
import { analyseCommits, type AnalysedCommit } from "./version.js";

const NEW_CHANGELOG = "# Changelog\n";

/** Commits since the release before `version` (its own tag may already exist); all releases when undefined. */
export async function commitsSinceRelease(
  git: GitClient,
  version: string | undefined,
  format: TagFormat,
): Promise<AnalysedCommit[]> {
  const head = await headCommit(git);
  const { releases } = await releaseTags(git, head, format);
  const previous =
    version === undefined ? releases[0] : releases.find((tag) => semver.lt(tag.parsed.version, version));
  return analyseCommits(await commitsBetween(git, previous?.name, head));
}

/** A Keep a Changelog file: Markdown, big for a long-lived project, never endless. */
const CHANGELOG_FILE: InputFileKind = {
  what: "changelog",
  format: "UTF-8 Markdown",
  maxBytes: 32 * 1024 * 1024,
  check: "check the path of the changelog",
};

/** The changelog cannot be read as text (a FIFO, a device, binary data, too big). */
export class ChangelogFileError extends ReleaseRuleError {
  constructor(
    readonly problem: FileProblem,
    /** The path as shown in the message. */
    readonly display: string,
  ) {
    super(problem.message, problem.hint);
    this.name = "ChangelogFileError";
  }
}

/** The changelog's text, read safely: only a regular UTF-8 file of at most CHANGELOG_FILE.maxBytes. */
export async function readChangelogText(path: string, display: string): Promise<string> {
  const read = await readInputText(path, display, CHANGELOG_FILE);
  if ("problem" in read) throw new ChangelogFileError(read.problem, display);
  return read.text;
}

async function readChangelog(path: string, creatable: boolean, display = basename(path)): Promise<string> {
  if (existsSync(path)) return readChangelogText(path, display);
  if (creatable) return NEW_CHANGELOG;
  throw new ReleaseRuleError(
    `${display} does not exist`,
    "create it with an [Unreleased] section, or fill it from commits (--from-commits / from_commits: true)",
  );
}

export interface CutFileOptions {
  path: string;
  /** The path as shown in messages (default: the file name). */
  display?: string;
  /** Without `v`. */
  version: string;
  date: string;
  format: TagFormat;
  allowEmpty: boolean;
  /** Fill [Unreleased] from the commits since the last release first (needs `git`). */
  fromCommits?: { git: GitClient };
}

export interface CutFileResult extends CutResult {
  /** Entries added from commits. */
  added: number;
}

export async function cutChangelogFile(options: CutFileOptions): Promise<CutFileResult> {
  let content = await readChangelog(options.path, options.fromCommits !== undefined, options.display);
  let added = 0;
  if (options.fromCommits && !listVersions(content).includes(options.version)) {
    const commits = await commitsSinceRelease(options.fromCommits.git, options.version, options.format);
    const filled = fillUnreleased(content, entriesFromCommits(commits));
    content = filled.content;
    added = filled.added.length;
  }
  const result = cutRelease(content, {
    version: options.version,
    date: options.date,
    tagTemplate: options.format.template,
    allowEmpty: options.allowEmpty,
  });
  if (result.cut || added > 0) writeFileSync(options.path, result.content);
  return { ...result, added };
}

/** Adds entries for the commits since the last release to [Unreleased]; returns how many. */
export async function fillChangelogFile(
  path: string,
  git: GitClient,
  format: TagFormat,
  display?: string,
): Promise<number> {
  const content = await readChangelog(path, true, display);
  const filled = fillUnreleased(
    content,
    entriesFromCommits(await commitsSinceRelease(git, undefined, format)),
  );
  if (filled.added.length > 0 || !existsSync(path)) writeFileSync(path, filled.content);
  return filled.added.length;
}
