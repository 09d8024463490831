// The next version of a repository: find the last release tag reachable from HEAD (through any
// parent, so a tag on a merged release branch counts), analyse the commits since, decide.
//
// Re-runs are safe: when HEAD already carries the release tag this would compute (a run that
// tagged and then failed), the answer is that tag again rather than the version after it, so the
// rest of the release can finish. The same holds for an RC tag already on HEAD.
import semver from "semver";
import { ReleaseRuleError } from "./errors.js";
import type { GitClient } from "./git-client.js";
import {
  commitsBetween,
  headCommit,
  listTags,
  resolveCommit,
  tagsReachableFrom,
  type TagInfo,
} from "./git-history.js";
import { DEFAULT_HOTFIX_ALLOW, describeOffenders, findHotfixOffenders } from "./hotfix.js";
import {
  formatRcVersion,
  formatTag,
  nextRcNumber,
  normaliseVersion,
  parseTag,
  type ParsedTag,
  type TagFormat,
} from "./tag-format.js";
import { analyseCommits, decideVersion, type AnalysedCommit, type Bump } from "./version.js";
import { StepFailure } from "../executors/contract.js";

export interface NextVersionOptions {
  format: TagFormat;
  rc: boolean;
  forceVersion?: string;
  hotfix: boolean;
  hotfixAllow?: readonly string[];
  initialVersion: string;
  /** The commit to release (default HEAD). */
  ref?: string;
}

export interface NextVersion {
  /** The version to release now: 1.3.0, or 1.3.0-rc.2 for an RC. */
  version: string;
  /** The version without RC suffix: 1.3.0. */
  baseVersion: string;
  previousVersion?: string;
  previousTag?: string;
  bump: Bump;
  reason: string;
  /** Every commit since the previous release, newest first. */
  commits: AnalysedCommit[];
  /** The commits that decided the bump. */
  causes: AnalysedCommit[];
  tag: string;
  /** The GA tag of the base version (the same as `tag` unless this is an RC). */
  gaTag: string;
  isPrerelease: boolean;
  rcNumber?: number;
  releasable: boolean;
  /** HEAD already carries `tag`. */
  alreadyTagged: boolean;
  /** The commit being released. */
  commit: string;
  warnings: string[];
}

export interface ReleaseTag extends TagInfo {
  parsed: ParsedTag;
}

/** Tags in the format, and the GA releases reachable from `head`, highest version first. */
export async function releaseTags(
  git: GitClient,
  head: string,
  format: TagFormat,
): Promise<{ tags: ReleaseTag[]; releases: ReleaseTag[] }> {
  const tags = (await listTags(git)).flatMap((info): ReleaseTag[] => {
    const parsed = parseTag(info.name, format);
    return parsed ? [{ ...info, parsed }] : [];
  });
  const reachable = await tagsReachableFrom(git, head);
  const releases = tags
    .filter((tag) => tag.parsed.prerelease === undefined && reachable.has(tag.name))
    .sort((a, b) => semver.rcompare(a.parsed.version, b.parsed.version));
  return { tags, releases };
}

export async function computeNextVersion(git: GitClient, options: NextVersionOptions): Promise<NextVersion> {
  const head = await releaseCommit(git, options.ref);
  const { tags, releases } = await releaseTags(git, head, options.format);

  const forced = options.forceVersion === undefined ? undefined : normaliseVersion(options.forceVersion);
  const onHead = releases.find((tag) => tag.commit === head);
  if (!options.rc && onHead && (options.forceVersion === undefined || forced === onHead.parsed.version)) {
    return alreadyReleased(git, head, onHead, releases, options);
  }

  const previous = releases[0];
  const commits = analyseCommits(await commitsBetween(git, previous?.name, head));
  if (options.hotfix) checkHotfix(commits, previous, options.hotfixAllow);
  const decision = decideVersion({
    ...(previous ? { previous: previous.parsed.version } : {}),
    commits,
    ...(options.forceVersion === undefined ? {} : { forceVersion: options.forceVersion }),
    initialVersion: options.initialVersion,
    hotfix: options.hotfix,
  });

  const base = decision.version;
  const result: NextVersion = {
    version: base,
    baseVersion: base,
    ...(previous ? { previousVersion: previous.parsed.version, previousTag: previous.name } : {}),
    bump: decision.bump,
    reason: decision.reason,
    commits,
    causes: decision.causes,
    tag: formatTag(options.format.template, base),
    gaTag: formatTag(options.format.template, base),
    isPrerelease: false,
    releasable: decision.releasable,
    alreadyTagged: false,
    commit: head,
    warnings: [],
  };
  if (!decision.releasable) {
    if (previous) result.tag = result.gaTag = previous.name;
    return result;
  }
  if (options.rc) applyRc(result, tags, head, options.format);
  const clash = tags.find((tag) => tag.name === result.tag);
  if (clash && clash.commit !== head) {
    result.warnings.push(
      `tag ${result.tag} already exists on ${clash.commit.slice(0, 7)}, not on ${head.slice(0, 7)}: tagging it would be refused`,
    );
  } else if (clash) {
    result.alreadyTagged = true;
  }
  return result;
}

/** The commit `ref` names (HEAD by default), failing clearly when there is none. */
export async function releaseCommit(git: GitClient, ref: string | undefined): Promise<string> {
  if (ref === undefined || ref === "HEAD") return headCommit(git);
  await headCommit(git);
  const commit = await resolveCommit(git, ref);
  if (!commit) throw new StepFailure(`"${ref}" does not name a commit in ${git.dir}`);
  return commit;
}

function applyRc(result: NextVersion, tags: readonly ReleaseTag[], head: string, format: TagFormat): void {
  const onHead = tags
    .filter(
      (tag) => tag.commit === head && tag.parsed.base === result.baseVersion && tag.parsed.rc !== undefined,
    )
    .sort((a, b) => b.parsed.rc! - a.parsed.rc!)[0];
  const n =
    onHead?.parsed.rc ??
    nextRcNumber(
      tags.map((tag) => tag.name),
      result.baseVersion,
      format,
    );
  result.rcNumber = n;
  // An RC already on HEAD keeps its own name, even when written in the other RC style.
  result.version = onHead?.parsed.version ?? formatRcVersion(result.baseVersion, format.rcFormat, n);
  result.tag = onHead?.name ?? formatTag(format.template, result.version);
  result.isPrerelease = true;
  if (onHead) result.reason = `HEAD is already tagged ${onHead.name}; re-using it (${result.reason})`;
}

async function alreadyReleased(
  git: GitClient,
  head: string,
  onHead: ReleaseTag,
  releases: readonly ReleaseTag[],
  options: NextVersionOptions,
): Promise<NextVersion> {
  const previous = releases.find((tag) => semver.lt(tag.parsed.version, onHead.parsed.version));
  const commits = analyseCommits(await commitsBetween(git, previous?.name, head));
  let bump: Bump = "forced";
  let causes: AnalysedCommit[] = [];
  try {
    const decision = decideVersion({
      ...(previous ? { previous: previous.parsed.version } : {}),
      commits,
      initialVersion: options.initialVersion,
      hotfix: options.hotfix,
    });
    if (decision.version === onHead.parsed.version) ({ bump, causes } = decision);
  } catch (error) {
    if (!(error instanceof ReleaseRuleError)) throw error;
  }
  return {
    version: onHead.parsed.version,
    baseVersion: onHead.parsed.version,
    ...(previous ? { previousVersion: previous.parsed.version, previousTag: previous.name } : {}),
    bump,
    reason: `HEAD is already tagged ${onHead.name}; re-using it so an interrupted release can finish`,
    commits,
    causes,
    tag: onHead.name,
    gaTag: onHead.name,
    isPrerelease: false,
    releasable: true,
    alreadyTagged: true,
    commit: head,
    warnings: [],
  };
}

function checkHotfix(
  commits: readonly AnalysedCommit[],
  previous: ReleaseTag | undefined,
  allow: readonly string[] = DEFAULT_HOTFIX_ALLOW,
): void {
  if (!previous) {
    throw new ReleaseRuleError(
      "a hotfix needs a release to patch, and no release tag is reachable from HEAD",
      "create the hotfix branch from a release tag (git executor: hotfix_branch)",
    );
  }
  const offenders = findHotfixOffenders(commits, allow);
  if (offenders.length > 0) {
    throw new ReleaseRuleError(
      `a hotfix of ${previous.name} may only contain ${allow.join(", ")} commits; ${offenders.length} do not:\n${describeOffenders(offenders)}`,
      "drop or move these commits, or release them normally instead of as a hotfix",
    );
  }
}

/** One commit as outputs and `relctl version --json` show it. */
export interface CommitOutput {
  sha: string;
  short_sha: string;
  subject: string;
  type: string | null;
  scope: string | null;
  breaking: boolean;
  /** The bump this commit asks for on its own. */
  bump: string;
  /** It decided the bump. */
  counted: boolean;
  /** A revert in the same range cancels it (or it is such a revert). */
  reverted: boolean;
  merge: boolean;
}

/** The snake_case outputs of git.next_version, also printed by `relctl version --json`. */
export function nextVersionOutputs(result: NextVersion): Record<string, unknown> {
  const counted = new Set(result.causes.map((commit) => commit.sha));
  const commits: CommitOutput[] = result.commits.map((entry) => ({
    sha: entry.sha,
    short_sha: entry.sha.slice(0, 7),
    subject: entry.commit.header,
    type: entry.commit.type ?? null,
    scope: entry.commit.scope ?? null,
    breaking: entry.commit.breaking,
    bump: entry.level,
    counted: counted.has(entry.sha),
    reverted: entry.cancelledBy !== undefined,
    merge: entry.merge,
  }));
  return {
    version: result.version,
    base_version: result.baseVersion,
    previous_version: result.previousVersion ?? "",
    previous_tag: result.previousTag ?? "",
    bump: result.bump,
    reason: result.reason,
    tag: result.tag,
    ga_tag: result.gaTag,
    is_prerelease: result.isPrerelease,
    rc_number: result.rcNumber ?? null,
    releasable: result.releasable,
    already_tagged: result.alreadyTagged,
    commit: result.commit,
    commits,
    warnings: result.warnings,
  };
}
