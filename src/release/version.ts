// The next version from the commits since the last release, per Conventional Commits:
//   breaking (`!` or a BREAKING CHANGE footer) → major · feat → minor · fix, perf, revert → patch
//   anything else (chore, docs, refactor, non-conventional messages, merges) → no release.
// Pre-1.0 rules (SemVer §4: anything may change while the major version is zero): on 0.y.z a
// breaking change bumps the minor and a feat bumps the patch, so 0.x never turns into 1.0.0 by
// accident; 1.0.0 is always a deliberate `force_version` / `Release-As:`.
// Reverts: a revert and the commit it reverts cancel out when both are in the range; a revert of
// an already released commit is a patch; re-applying a revert (`Reapply "…"`, or a revert of a
// revert) counts as the re-applied change.
// The first release (no release tag yet) is `initialVersion`: 0.1.0 by default, as SemVer suggests.
import semver from "semver";
import { parseCommitMessage, type ConventionalCommit } from "./conventional-commit.js";
import { ReleaseRuleError } from "./errors.js";
import { normaliseVersion } from "./tag-format.js";

export type BumpLevel = "major" | "minor" | "patch" | "none";
export type Bump = BumpLevel | "initial" | "forced";

export interface RawCommit {
  sha: string;
  parents: string[];
  message: string;
}

export interface AnalysedCommit {
  sha: string;
  parents: string[];
  commit: ConventionalCommit;
  /** The bump this commit asks for on its own, before pre-1.0 rules. */
  level: BumpLevel;
  /** The sha of the revert that cancels this commit, or of the commit this revert cancels. */
  cancelledBy?: string;
  merge: boolean;
}

const ORDER: Record<BumpLevel, number> = { none: 0, patch: 1, minor: 2, major: 3 };

export function commitLevel(commit: ConventionalCommit): BumpLevel {
  if (commit.type === undefined) return "none";
  if (commit.breaking) return "major";
  if (commit.type === "feat") return "minor";
  if (commit.type === "fix" || commit.type === "perf" || commit.type === "revert") return "patch";
  return "none";
}

/** Analyses commits given newest first (as `git log` lists them) and cancels revert pairs. */
export function analyseCommits(raw: readonly RawCommit[]): AnalysedCommit[] {
  const analysed: AnalysedCommit[] = raw.map((entry) => {
    const commit = parseCommitMessage(entry.message);
    return {
      sha: entry.sha,
      parents: entry.parents,
      commit,
      level: commitLevel(commit),
      merge: entry.parents.length > 1,
    };
  });
  // Newest first: a revert of a revert cancels that revert before it can cancel the original.
  for (const [index, revert] of analysed.entries()) {
    const info = revert.commit.revert;
    if (!info || revert.cancelledBy) continue;
    const open = (other: AnalysedCommit) => other !== revert && !other.cancelledBy;
    // GitHub's revert pull request often names the reverted change only by its title
    // (`Reverts owner/repo#11` in the body, no sha): then the quoted header finds it, among
    // the commits listed after the revert (older ones). The quote is the pull request's title
    // (`fix: x`), the squash-merged commit's header has its number too (`fix: x (#11)`).
    const quoted = info.header === undefined ? undefined : withoutPullRequest(info.header);
    const target =
      analysed.find((other) => open(other) && info.shas.some((sha) => other.sha.startsWith(sha))) ??
      (info.shas.length === 0 && quoted !== undefined && !info.reapply
        ? analysed
            .slice(index + 1)
            .find((other) => open(other) && withoutPullRequest(other.commit.header) === quoted)
        : undefined);
    if (target) {
      target.cancelledBy = revert.sha;
      revert.cancelledBy = target.sha;
    } else {
      revert.level = reappliedLevel(info) ?? revert.level;
    }
  }
  return analysed;
}

/** `fix: x (#11)` → `fix: x`: the number a squash merge appends to a pull request's title. */
function withoutPullRequest(header: string): string {
  return header.replace(/\s+\(#\d+\)$/, "").trim();
}

function reappliedLevel(info: NonNullable<ConventionalCommit["revert"]>): BumpLevel | undefined {
  if (info.header === undefined) return undefined;
  if (info.reapply) return commitLevel(parseCommitMessage(info.header));
  const inner = parseCommitMessage(info.header);
  if (inner.revert?.header !== undefined && !inner.revert.reapply) {
    return commitLevel(parseCommitMessage(inner.revert.header));
  }
  return undefined;
}

/** Commits that count: not cancelled by a revert in the same range. */
export function effectiveCommits(commits: readonly AnalysedCommit[]): AnalysedCommit[] {
  return commits.filter((commit) => commit.cancelledBy === undefined);
}

export interface VersionInput {
  /** The previous release version (no prerelease), undefined when nothing was released yet. */
  previous?: string;
  commits: readonly AnalysedCommit[];
  forceVersion?: string;
  initialVersion: string;
  /** A hotfix only ever bumps the patch. */
  hotfix: boolean;
}

export interface VersionDecision {
  version: string;
  bump: Bump;
  /** The commits that decided the bump, newest first. */
  causes: AnalysedCommit[];
  reason: string;
  releasable: boolean;
}

export function decideVersion(input: VersionInput): VersionDecision {
  const effective = effectiveCommits(input.commits);
  const forced = forcedVersion(input, effective);
  if (forced) return forced;

  if (input.previous === undefined) {
    const initial = requireVersion(input.initialVersion, "initial version");
    return {
      version: initial,
      bump: "initial",
      causes: effective.filter((commit) => commit.level !== "none"),
      reason: `no release tag yet, so this is the first release: ${initial}`,
      releasable: true,
    };
  }

  if (input.hotfix) {
    const changes = effective.filter((commit) => !commit.merge);
    if (changes.length === 0) return noRelease(input.previous, "no commits since the release to hotfix");
    return {
      version: semver.inc(input.previous, "patch")!,
      bump: "patch",
      causes: changes,
      reason: `hotfix: ${changes.length} commit${changes.length === 1 ? "" : "s"} on top of ${input.previous}`,
      releasable: true,
    };
  }

  const highest = effective.reduce<BumpLevel>(
    (level, commit) => (ORDER[commit.level] > ORDER[level] ? commit.level : level),
    "none",
  );
  if (highest === "none") {
    return noRelease(input.previous, "no feat, fix, perf, revert or breaking commits since the last release");
  }
  const causes = effective.filter((commit) => commit.level === highest);
  const bump = preOneZero(highest, input.previous);
  const why = `${causes.length} ${highest === "major" ? "breaking" : highest === "minor" ? "feat" : "fix/perf/revert"} commit${causes.length === 1 ? "" : "s"}`;
  const rule = bump === highest ? "" : ` (pre-1.0: ${highest} counts as ${bump})`;
  return {
    version: semver.inc(input.previous, bump)!,
    bump,
    causes,
    reason: `${bump} bump from ${input.previous} because of ${why}${rule}`,
    releasable: true,
  };
}

/** On 0.y.z a breaking change bumps the minor and a feature bumps the patch. */
export function preOneZero(level: Exclude<BumpLevel, "none">, previous: string): Exclude<BumpLevel, "none"> {
  if (semver.major(previous) !== 0) return level;
  if (level === "major") return "minor";
  return "patch";
}

function forcedVersion(input: VersionInput, effective: AnalysedCommit[]): VersionDecision | undefined {
  let version: string | undefined;
  let reason: string;
  let causes: AnalysedCommit[] = [];
  if (input.forceVersion !== undefined) {
    version = requireVersion(input.forceVersion, "forced version");
    reason = `forced to ${version}`;
  } else {
    // Newest first: the latest Release-As: footer wins.
    const marker = effective.find((commit) => commit.commit.releaseAs !== undefined);
    if (!marker) return undefined;
    version = normaliseVersion(marker.commit.releaseAs!);
    if (version === undefined) {
      throw new ReleaseRuleError(
        `commit ${marker.sha.slice(0, 7)} has "Release-As: ${marker.commit.releaseAs}", which is not a version`,
        "write a full version (Release-As: 2.0.0), or override it with force_version / --force-version",
      );
    }
    causes = [marker];
    reason = `Release-As: ${version} in commit ${marker.sha.slice(0, 7)}`;
  }
  if (input.previous !== undefined && !semver.gt(version, input.previous)) {
    throw new ReleaseRuleError(
      `version ${version} is not greater than the previous release ${input.previous}`,
      "versions only move forwards; pick a higher version",
    );
  }
  return { version, bump: "forced", causes, reason, releasable: true };
}

function noRelease(previous: string, reason: string): VersionDecision {
  return { version: previous, bump: "none", causes: [], reason, releasable: false };
}

function requireVersion(text: string, what: string): string {
  const version = normaliseVersion(text);
  if (version === undefined) {
    throw new ReleaseRuleError(
      `${what} "${text}" is not a semantic version`,
      "use MAJOR.MINOR.PATCH, e.g. 1.4.0",
    );
  }
  return version;
}
