// Fills [Unreleased] from conventional commits, adding lines only. Entries go under the Keep a
// Changelog groups (Added, Changed, Deprecated, Removed, Fixed, Security): into an existing group
// heading when there is one, otherwise into a new group placed in the canonical order. An entry
// whose text (or short sha) is already in the section is not added again, so filling twice, or
// after someone wrote the entry by hand, adds nothing.
//
// Mapping: feat → Added · fix → Fixed · perf → Changed · revert → Changed ("Revert …") ·
// breaking → Changed ("**Breaking:** …"), or Removed when the note starts with remove/drop/delete ·
// scope or type `security` → Security · a `Deprecated:` footer → Deprecated (as well).
// Other types (chore, docs, refactor, test, ci, build, style) and non-conventional messages are
// not user-facing changes and are left out.
import { insertLines, isBlank, joinLines, splitLines, type LineFile } from "./lines.js";
import { findHeading, readStructure, sectionEnd } from "./structure.js";
import type { AnalysedCommit } from "../version.js";

export const GROUPS = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"] as const;
export type Group = (typeof GROUPS)[number];

export interface ChangelogEntry {
  group: Group;
  text: string;
  /** Short sha, also used to recognise an entry that is already there. */
  sha: string;
}

export function entriesFromCommits(commits: readonly AnalysedCommit[]): ChangelogEntry[] {
  const entries: ChangelogEntry[] = [];
  // Oldest first reads like a story; git lists newest first.
  for (const analysed of [...commits].reverse()) {
    if (analysed.cancelledBy !== undefined) continue;
    const { commit } = analysed;
    const sha = analysed.sha.slice(0, 7);
    const group = groupOf(analysed);
    // "chore(security): x" under Security needs no "security:" prefix.
    const scope =
      commit.scope && !(group === "Security" && /^security$/i.test(commit.scope))
        ? `**${commit.scope}:** `
        : "";
    if (group) {
      const text = commit.breaking
        ? `**Breaking:** ${commit.breakingNotes[0] ?? commit.description}`
        : commit.type === "revert"
          ? `Revert "${commit.revert?.header ?? commit.description}"`
          : commit.description;
      entries.push({ group, text: `${scope}${firstLine(text)} (${sha})`, sha });
    }
    for (const footer of commit.footers) {
      if (footer.token.toLowerCase() === "deprecated") {
        entries.push({ group: "Deprecated", text: `${scope}${firstLine(footer.value)} (${sha})`, sha });
      }
    }
  }
  return entries;
}

function groupOf(analysed: AnalysedCommit): Group | undefined {
  const { commit } = analysed;
  if (commit.type === undefined) return undefined;
  if (commit.type === "security" || commit.scope?.toLowerCase() === "security") return "Security";
  if (commit.breaking) {
    return /^(remove|drop|delete)/i.test(commit.breakingNotes[0] ?? "") ? "Removed" : "Changed";
  }
  if (commit.type === "feat") return "Added";
  if (commit.type === "fix") return "Fixed";
  if (commit.type === "perf" || commit.type === "revert") return "Changed";
  return undefined;
}

export interface FillResult {
  content: string;
  added: ChangelogEntry[];
}

/** Adds entries to [Unreleased], creating the section above the releases when it is missing. */
export function fillUnreleased(content: string, entries: readonly ChangelogEntry[]): FillResult {
  const file = splitLines(content);
  ensureUnreleased(file);
  const added: ChangelogEntry[] = [];
  for (const group of GROUPS) {
    const body = unreleasedBody(file);
    const known = body.text.toLowerCase();
    const fresh = entries.filter(
      (entry) =>
        entry.group === group &&
        !known.includes(entry.sha.toLowerCase()) &&
        !known.includes(stripSha(entry.text).toLowerCase()),
    );
    if (fresh.length === 0) continue;
    insertGroup(
      file,
      group,
      fresh.map((entry) => entry.text),
    );
    added.push(...fresh);
  }
  return { content: added.length === 0 ? content : joinLines(file), added };
}

function ensureUnreleased(file: LineFile): void {
  const structure = readStructure(file.lines);
  if (findHeading(structure, "unreleased")) return;
  const first = structure.headings[0];
  const level = first?.level ?? 2;
  const at = first?.index ?? structure.footerStart;
  const heading = `${"#".repeat(level)} [Unreleased]`;
  if (first) insertLines(file, at, [heading, ""]);
  else insertLines(file, at, at === 0 || isBlank(file.lines[at - 1]) ? [heading] : ["", heading]);
}

interface Body {
  start: number;
  end: number;
  text: string;
}

function unreleasedBody(file: LineFile): Body {
  const structure = readStructure(file.lines);
  const heading = findHeading(structure, "unreleased")!;
  const start = heading.index + 1;
  const end = sectionEnd(structure, heading);
  return {
    start,
    end,
    text: file.lines
      .slice(start, end)
      .map((line) => line.text)
      .join("\n"),
  };
}

const GROUP_HEADING = /^#{3,6}[ \t]+(?<name>\w+)/;

function insertGroup(file: LineFile, group: Group, texts: string[]): void {
  const body = unreleasedBody(file);
  const groupHeadings: { index: number; name: string }[] = [];
  for (let index = body.start; index < body.end; index++) {
    const match = GROUP_HEADING.exec(file.lines[index]!.text);
    if (match?.groups) groupHeadings.push({ index, name: match.groups.name! });
  }
  const own = groupHeadings.find((heading) => heading.name.toLowerCase() === group.toLowerCase());
  const marker = bulletMarker(file, own?.index ?? body.start, body.end);
  const bullets = texts.map((text) => `${marker} ${text}`);
  if (own) {
    const next = groupHeadings.find((heading) => heading.index > own.index)?.index ?? body.end;
    const lastItem = endOfLastListItem(file, own.index + 1, next);
    if (lastItem !== undefined) {
      insertBlock(file, lastItem + 1, bullets);
      return;
    }
    const last = lastContentLine(file, own.index, next);
    if (last > own.index) {
      // The group holds prose but no list: start the list below it.
      insertBlock(file, last + 1, ["", ...bullets]);
      return;
    }
    // Right under an empty group's heading, keeping the blank line the file puts there.
    const blankAfterHeading = own.index + 1 < next && isBlank(file.lines[own.index + 1]);
    insertBlock(file, blankAfterHeading ? own.index + 2 : own.index + 1, bullets);
    return;
  }
  const order = GROUPS.indexOf(group);
  const later = groupHeadings.find((heading) => {
    const position = GROUPS.findIndex((name) => name.toLowerCase() === heading.name.toLowerCase());
    return position > order;
  });
  if (later) {
    insertBlock(file, later.index, [`### ${group}`, "", ...bullets, ""]);
    return;
  }
  const last = lastContentLine(file, body.start - 1, body.end);
  insertBlock(file, last + 1, ["", `### ${group}`, "", ...bullets]);
}

const TOP_LEVEL_ITEM = /^(?<marker>[-*+]|\d+[.)])[ \t]/;

/**
 * The last line of the last top-level list item in [from, to): its nested items, continuation
 * lines and indented code blocks (even after blank lines) belong to it.
 */
function endOfLastListItem(file: LineFile, from: number, to: number): number | undefined {
  let start: number | undefined;
  for (let index = from; index < to; index++) if (TOP_LEVEL_ITEM.test(file.lines[index]!.text)) start = index;
  if (start === undefined) return undefined;
  let end = start;
  for (let index = start + 1; index < to; index++) {
    const text = file.lines[index]!.text;
    if (text.trim() === "") continue;
    if (!/^\s/.test(text)) break;
    end = index;
  }
  return end;
}

/** The bullet character the section already uses (`-`, `*` or `+`), `-` when it has none. */
function bulletMarker(file: LineFile, from: number, to: number): string {
  for (let index = from; index < to; index++) {
    const marker = TOP_LEVEL_ITEM.exec(file.lines[index]!.text)?.groups?.marker;
    if (marker && !/\d/.test(marker)) return marker;
  }
  return "-";
}

/** Inserts lines and keeps a blank line between them and a heading that follows. */
function insertBlock(file: LineFile, at: number, lines: string[]): void {
  insertLines(file, at, lines);
  const after = at + lines.length;
  const following = file.lines[after];
  if (following && /^#/.test(following.text) && lines[lines.length - 1] !== "")
    insertLines(file, after, [""]);
}

/** The last non-blank line in [from, to), or `from` when all are blank. */
function lastContentLine(file: LineFile, from: number, to: number): number {
  for (let index = to - 1; index > from; index--) if (!isBlank(file.lines[index])) return index;
  return from;
}

function stripSha(text: string): string {
  return text.replace(/ \([0-9a-f]{7}\)$/, "").replace(/^\*\*[^*]+:\*\* /, "");
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}
