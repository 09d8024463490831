// Parses one commit message per Conventional Commits 1.0 (https://www.conventionalcommits.org/en/v1.0.0/):
// `type(scope)!: description`, an optional body, and footers (`Token: value` / `Token #value`).
// Two deliberate leniencies, because real histories need them:
// - a `BREAKING CHANGE:` / `BREAKING-CHANGE:` line anywhere after the header marks the commit as
//   breaking, even when the footer block is not separated by a blank line (squash merges often
//   lose that blank line);
// - reverts are understood in every form real histories hold: git's own message (`Revert "feat: x"`
//   + `This reverts commit <sha>.`), GitHub's revert pull request squash-merged
//   (`Revert "feat: x (#11)" (#12)`, often with only `Reverts owner/repo#11` in the body), a
//   message whose header was rewritten but whose body still says `This reverts commit <sha>.`,
//   and the spec's recommended `revert:` type with a `Refs:` footer.

export interface CommitFooter {
  token: string;
  value: string;
}

export interface RevertInfo {
  /** The header of the reverted commit when the message quotes it (git's default). */
  header?: string;
  /** True for git's `Reapply "…"` (a revert of a revert): the quoted change comes back. */
  reapply?: boolean;
  /** Full or abbreviated shas of the reverted commits. */
  shas: string[];
}

export interface ConventionalCommit {
  /** The first line, as written. */
  header: string;
  /** Lower-cased type (`feat`, `fix`, …), or undefined when the header is not conventional. */
  type?: string;
  scope?: string;
  /** The text after `type(scope): `, or the whole header for a non-conventional message. */
  description: string;
  body: string;
  footers: CommitFooter[];
  breaking: boolean;
  /** What changed incompatibly: BREAKING CHANGE footers, or the description when only `!` says so. */
  breakingNotes: string[];
  revert?: RevertInfo;
  /** The value of a `Release-As:` footer (release-please's forced version), as written. */
  releaseAs?: string;
}

const HEADER = /^(?<type>[A-Za-z][\w-]*)(?:\((?<scope>[^()\r\n]*)\))?(?<bang>!)?: +(?<description>\S.*)$/;
// A squash merge of GitHub's revert pull request appends the pull request number: ` (#12)`.
const GIT_REVERT_HEADER = /^(?<verb>Revert|Reapply) "(?<inner>.+)"(?:\s+\(#\d+\))?\s*$/;
const GIT_REVERT_BODY = /This reverts commit ([0-9a-f]{7,40})/gi;
const SAYS_IT_REVERTS = /^\s*This reverts commit [0-9a-f]{7,40}\b/im;
const FOOTER = /^(?<token>BREAKING[ -]CHANGE|[A-Za-z][\w-]*)(?:: | #)(?<value>.*)$/;
const BREAKING_LINE = /^BREAKING[ -]CHANGE: ?(?<note>.*)$/;
const SHA = /\b[0-9a-f]{7,40}\b/gi;

export function parseCommitMessage(message: string): ConventionalCommit {
  const lines = message.replace(/\r\n?/g, "\n").replace(/\s+$/, "").split("\n");
  const header = (lines[0] ?? "").trim();
  const rest = lines.slice(1);
  const { body, footers } = splitBodyAndFooters(rest);

  const match = HEADER.exec(header);
  const gitRevert = GIT_REVERT_HEADER.exec(header);
  const commit: ConventionalCommit = {
    header,
    description: header,
    body,
    footers,
    breaking: false,
    breakingNotes: [],
  };

  if (match?.groups) {
    commit.type = match.groups.type!.toLowerCase();
    commit.scope = match.groups.scope?.trim() || undefined;
    commit.description = match.groups.description!.trim();
    if (match.groups.bang) commit.breaking = true;
  } else if (gitRevert?.groups) {
    commit.type = "revert";
    commit.description = gitRevert.groups.inner!;
  } else if (SAYS_IT_REVERTS.test(rest.join("\n"))) {
    // git's revert line is what says what a revert undoes; its header may have been reworded.
    commit.type = "revert";
  }

  for (const line of rest) {
    const breaking = BREAKING_LINE.exec(line.trim());
    if (breaking?.groups) {
      commit.breaking = true;
      if (breaking.groups.note) commit.breakingNotes.push(breaking.groups.note.trim());
    }
  }
  for (const footer of footers) {
    if (/^BREAKING[ -]CHANGE$/.test(footer.token)) {
      // Multi-line footer values hold more than the first line; prefer the full value.
      const first = footer.value.split("\n")[0]!.trim();
      const index = commit.breakingNotes.indexOf(first);
      if (index >= 0) commit.breakingNotes[index] = footer.value.trim();
    }
  }
  if (commit.breaking && commit.breakingNotes.length === 0) commit.breakingNotes.push(commit.description);

  if (commit.type === "revert") {
    commit.revert = revertInfo(gitRevert?.groups?.inner, rest.join("\n"), footers);
    if (gitRevert?.groups?.verb === "Reapply") commit.revert.reapply = true;
  }
  const releaseAs = footers.find((footer) => footer.token.toLowerCase() === "release-as");
  if (releaseAs) commit.releaseAs = releaseAs.value.trim();
  return commit;
}

/** The footer block starts at the first `Token: value` line that follows a blank line. */
function splitBodyAndFooters(rest: string[]): { body: string; footers: CommitFooter[] } {
  let start = -1;
  for (let index = 0; index < rest.length; index++) {
    const previousBlank = index === 0 || rest[index - 1]!.trim() === "";
    if (previousBlank && FOOTER.test(rest[index]!)) {
      start = index;
      break;
    }
  }
  const bodyLines = start === -1 ? rest : rest.slice(0, start);
  const footers: CommitFooter[] = [];
  if (start !== -1) {
    for (const line of rest.slice(start)) {
      const match = FOOTER.exec(line);
      if (match?.groups) footers.push({ token: match.groups.token!, value: match.groups.value! });
      else if (footers.length > 0) footers[footers.length - 1]!.value += `\n${line}`;
    }
  }
  for (const footer of footers) footer.value = footer.value.replace(/\s+$/, "");
  return { body: bodyLines.join("\n").trim(), footers };
}

function revertInfo(innerHeader: string | undefined, text: string, footers: CommitFooter[]): RevertInfo {
  const shas = new Set<string>();
  for (const match of text.matchAll(GIT_REVERT_BODY)) shas.add(match[1]!.toLowerCase());
  for (const footer of footers) {
    if (footer.token.toLowerCase() !== "refs") continue;
    for (const match of footer.value.matchAll(SHA)) shas.add(match[0].toLowerCase());
  }
  return innerHeader === undefined ? { shas: [...shas] } : { header: innerHeader, shas: [...shas] };
}

/** `fix(api): x` matches the rule `fix`; `chore(security): x` matches `chore(security)` only. */
export function matchesTypeRule(commit: ConventionalCommit, rule: string): boolean {
  const match = /^(?<type>[\w-]+)(?:\((?<scope>[^()]*)\))?$/.exec(rule.trim());
  if (!match?.groups || commit.type === undefined) return false;
  if (commit.type !== match.groups.type!.toLowerCase()) return false;
  const scope = match.groups.scope;
  return scope === undefined || (commit.scope ?? "").toLowerCase() === scope.trim().toLowerCase();
}
