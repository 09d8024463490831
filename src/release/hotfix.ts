// Hotfix rules: a hotfix carries only `fix:` and `chore(security):` commits on top of the release
// it patches. Anything else (a feature, a refactor, a breaking fix, a non-conventional message)
// is an offender, listed so the captain can drop it. Merge commits are not judged themselves:
// the commits they bring in are in the range and judged one by one.
import { matchesTypeRule } from "./conventional-commit.js";
import type { AnalysedCommit } from "./version.js";

export const DEFAULT_HOTFIX_ALLOW = ["fix", "chore(security)"] as const;

export interface HotfixOffender {
  sha: string;
  subject: string;
  why: string;
}

export function findHotfixOffenders(
  commits: readonly AnalysedCommit[],
  allow: readonly string[] = DEFAULT_HOTFIX_ALLOW,
): HotfixOffender[] {
  const offenders: HotfixOffender[] = [];
  for (const entry of commits) {
    if (entry.merge) continue;
    const { commit } = entry;
    if (commit.breaking) {
      offenders.push({ sha: entry.sha, subject: commit.header, why: "breaking change" });
    } else if (!allow.some((rule) => matchesTypeRule(commit, rule))) {
      const what = commit.type === undefined ? "not a conventional commit" : `type ${typeLabel(entry)}`;
      offenders.push({
        sha: entry.sha,
        subject: commit.header,
        why: `${what}; allowed: ${allow.join(", ")}`,
      });
    }
  }
  return offenders;
}

export function describeOffenders(offenders: readonly HotfixOffender[]): string {
  return offenders
    .map((offender) => `  ${offender.sha.slice(0, 7)} ${offender.subject} (${offender.why})`)
    .join("\n");
}

function typeLabel(entry: AnalysedCommit): string {
  const { type, scope } = entry.commit;
  return scope ? `${type}(${scope})` : `${type}`;
}
