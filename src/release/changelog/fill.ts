// Fills [Unreleased] from conventional commits, adding lines only. Entries go under the Keep a
// Changelog groups (Added, Changed, Deprecated, Removed, Fixed, Security): into an existing group
// heading when there is one, otherwise into a new group placed in the canonical order. An entry
// whose text (or short sha) is already in the section is not added again, so filling twice, or
// after someone wrote the entry by hand, adds nothing. New lines copy the file's own style: its
// bullet (`-`, `*`, `+`, a tab after it, a numbered list that keeps counting), the level of its
// group headings, and the blank lines it puts around them (none in a compact file, two in
// conventional-changelog output).
//
// Mapping: feat → Added · fix → Fixed · perf → Changed · revert → Changed ("Revert …") ·
// breaking → Changed ("**Breaking:** …"), or Removed when the note starts with remove/drop/delete ·
// scope or type `security` → Security · a `Deprecated:` footer → Deprecated (as well).
// Other types (chore, docs, refactor, test, ci, build, style) and non-conventional messages are
// not user-facing changes and are left out.
import { insertLines, isBlank, joinLines, splitLines, type LineFile } from "./lines.js";
import {
  ANCHOR,
  findHeading,
  literalLines,
  parseHeading,
  readStructure,
  refuseSetext,
  sectionEnd,
  type ChangelogStructure,
  type LiteralKind,
} from "./structure.js";
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
  const structure = readStructure(file.lines);
  refuseSetext(file.lines, structure);
  // Read before anything is added, so the new lines copy the file and not each other.
  const style = styleOf(file, structure);
  ensureUnreleased(file);
  // What the section held before this fill: a commit with a `Deprecated:` footer adds two entries
  // with one sha, and the first must not hide the second.
  const known = unreleasedBody(file).text.toLowerCase();
  const added: ChangelogEntry[] = [];
  for (const group of GROUPS) {
    const fresh = entries.filter(
      (entry) =>
        entry.group === group &&
        !known.includes(entry.sha.toLowerCase()) &&
        !known.includes(stripSha(entry.text).toLowerCase()),
    );
    if (fresh.length === 0) continue;
    insertGroup(
      file,
      style,
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
  // Above the newest release and its anchor lines; bracketed only when the releases are.
  const at = first?.top ?? structure.footerStart;
  const heading = `${"#".repeat(level)} ${first && !first.text.startsWith("[") ? "Unreleased" : "[Unreleased]"}`;
  if (first) insertLines(file, at, [heading, ""]);
  else insertLines(file, at, at === 0 || isBlank(file.lines[at - 1]) ? [heading] : ["", heading]);
}

/**
 * How the file lays out its sections, read from the release sections (not the preamble):
 * the blank lines it puts between a release heading and a group heading, a group heading and
 * its first entry, an entry and the next group heading, an entry and the next release heading
 * (the most frequent count of each, 1 when the file shows none); the level of its group
 * headings; and its bullet (`- `, `* `, `+ `, `-\t`).
 */
interface FileStyle {
  afterRelease: number;
  afterGroup: number;
  /**
   * Under an empty group heading of a template (`### Added`, blank, `### Changed`, …): the blank
   * lines the template puts between its headings, its author's layout for the entries to come.
   */
  underEmptyGroup: number;
  beforeGroup: number;
  beforeRelease: number;
  groupLevel: number;
  bullet: string;
}

type LineKind = "release" | "group" | "text";

function styleOf(file: LineFile, structure: ChangelogStructure): FileStyle {
  const literal = literalLines(file.lines);
  const releases = new Map(structure.headings.map((heading) => [heading.index, heading.top]));
  const anchors = new Set(
    structure.headings.flatMap((heading) =>
      Array.from({ length: heading.index - heading.top }, (_, offset) => heading.top + offset),
    ),
  );
  const gaps = new Map<string, number[]>();
  let groupLevel: number | undefined;
  let bullet: string | undefined;
  let previous: { kind: LineKind; end: number } | undefined;
  const first = structure.headings[0]?.top ?? structure.footerStart;
  for (let index = first; index < structure.footerStart; index++) {
    const text = file.lines[index]!.text;
    if (isBlank(file.lines[index])) continue;
    // Anchor lines above a release heading are part of it.
    if (anchors.has(index)) continue;
    const top = releases.get(index);
    const heading = literal[index] ? undefined : /^(#{1,6})[ \t]/.exec(text);
    const kind: LineKind = top !== undefined ? "release" : heading ? "group" : "text";
    if (kind === "group") groupLevel ??= heading![1]!.length;
    if (kind === "text" && !literal[index]) bullet ??= BULLET.exec(text)?.[0];
    if (previous) {
      const key = `${previous.kind}>${kind}`;
      gaps.set(key, [...(gaps.get(key) ?? []), (top ?? index) - previous.end - 1]);
    }
    previous = { kind, end: index };
  }
  const afterGroup = mostFrequent(gaps.get("group>text"));
  return {
    afterRelease: mostFrequent(gaps.get("release>group")),
    afterGroup,
    underEmptyGroup: gaps.has("group>group") ? mostFrequent(gaps.get("group>group")) : afterGroup,
    beforeGroup: mostFrequent(gaps.get("text>group")),
    beforeRelease: mostFrequent(gaps.get("text>release")),
    groupLevel: groupLevel ?? 3,
    bullet: bullet ?? "- ",
  };
}

/** The most frequent value (the first seen on a tie), 1 for none. */
function mostFrequent(values: readonly number[] | undefined): number {
  const counts = new Map<number, number>();
  for (const value of values ?? []) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = 1;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
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

// `### Added`, `## Added` (under `#` release headings), and `### ✨ Added` (an emoji or a symbol
// before the name). Inside [Unreleased] every heading is a group: the section ends at a release.
const GROUP_HEADING = /^#{2,6}[ \t]+(?:[^\p{L}\p{N}\s]+[ \t]*)?(?<name>\p{L}+)/u;

function insertGroup(file: LineFile, style: FileStyle, group: Group, texts: string[]): void {
  const body = unreleasedBody(file);
  const literal = literalLines(file.lines);
  const groupHeadings: { index: number; name: string }[] = [];
  for (let index = body.start; index < body.end; index++) {
    // A `### Added` inside a comment or a code block is not a group.
    const match = literal[index] ? undefined : GROUP_HEADING.exec(file.lines[index]!.text);
    if (match?.groups) groupHeadings.push({ index, name: match.groups.name! });
  }
  const own = groupHeadings.find((heading) => heading.name.toLowerCase() === group.toLowerCase());
  if (own) {
    const next = groupHeadings.find((heading) => heading.index > own.index)?.index ?? body.end;
    const bullets = listItems(file, literal, style, texts, [own.index + 1, next], [body.start, body.end]);
    const lastItem = endOfLastListItem(file, literal, own.index + 1, next);
    if (lastItem !== undefined) {
      insertBlock(file, style, lastItem + 1, [], bullets);
      return;
    }
    const last = lastContentLine(file, own.index, next);
    if (last > own.index) {
      // The group holds prose but no list: start the list below it.
      insertBlock(file, style, last + 1, [""], bullets);
      return;
    }
    // Right under an empty group's heading, below the blank lines the file puts there: the ones
    // already under it first, new ones only when they are too few.
    let blanks = 0;
    while (own.index + 1 + blanks < next && isBlank(file.lines[own.index + 1 + blanks])) blanks++;
    const kept = Math.min(blanks, style.underEmptyGroup);
    insertBlock(file, style, own.index + 1 + kept, blankLines(style.underEmptyGroup - kept), bullets);
    return;
  }
  const bullets = listItems(file, literal, style, texts, undefined, [body.start, body.end]);
  const heading = [`${"#".repeat(style.groupLevel)} ${group}`, ...blankLines(style.afterGroup)];
  const order = GROUPS.indexOf(group);
  const later = groupHeadings.find((heading) => {
    const position = GROUPS.findIndex((name) => name.toLowerCase() === heading.name.toLowerCase());
    return position > order;
  });
  if (later) {
    insertBlock(file, style, later.index, [], [...heading, ...bullets]);
    return;
  }
  const last = lastContentLine(file, body.start - 1, body.end);
  // Below the [Unreleased] heading itself when the section is empty, else below its last entry.
  const before = last === body.start - 1 ? style.afterRelease : style.beforeGroup;
  insertBlock(file, style, last + 1, blankLines(before), [...heading, ...bullets]);
}

const BULLET = /^[-*+][ \t]+/;
const TOP_LEVEL_ITEM = /^(?:(?<bullet>[-*+])|(?<number>\d+)(?<delimiter>[.)]))(?<gap>[ \t]+)/;

/**
 * The entries as list items like the group's own list (a numbered list keeps counting), else
 * with the first bullet of the section, else the file's bullet.
 */
function listItems(
  file: LineFile,
  literal: readonly (LiteralKind | undefined)[],
  style: FileStyle,
  texts: readonly string[],
  group: [number, number] | undefined,
  section: [number, number],
): string[] {
  let lastItem: RegExpExecArray | undefined;
  if (group) {
    for (let index = group[0]; index < group[1]; index++) {
      if (!literal[index]) lastItem = TOP_LEVEL_ITEM.exec(file.lines[index]!.text) ?? lastItem;
    }
  }
  const numbered = lastItem?.groups?.number;
  if (numbered !== undefined) {
    const { delimiter, gap } = lastItem!.groups!;
    return texts.map((text, offset) => `${Number(numbered) + 1 + offset}${delimiter}${gap}${text}`);
  }
  let bullet: string | undefined;
  for (const [from, to] of group ? [group, section] : [section]) {
    for (let index = from; index < to && bullet === undefined; index++) {
      if (!literal[index]) bullet = BULLET.exec(file.lines[index]!.text)?.[0];
    }
  }
  return texts.map((text) => `${bullet ?? style.bullet}${text}`);
}

/**
 * The last line of the last top-level list item in [from, to): its nested items, continuation
 * lines (indented, or "lazy" ones right below its text) and indented code blocks (even after
 * blank lines) belong to it. A `- x` line inside a comment or a code block is no item.
 */
function endOfLastListItem(
  file: LineFile,
  literal: readonly (LiteralKind | undefined)[],
  from: number,
  to: number,
): number | undefined {
  let start: number | undefined;
  for (let index = from; index < to; index++) {
    if (!literal[index] && TOP_LEVEL_ITEM.test(file.lines[index]!.text)) start = index;
  }
  if (start === undefined) return undefined;
  let end = start;
  for (let index = start + 1; index < to; index++) {
    const text = file.lines[index]!.text;
    if (text.trim() === "") continue;
    // An unindented line straight after the item's text continues its paragraph.
    const lazy = end === index - 1 && !/^#{1,6}([ \t]|$)/.test(text);
    if (!/^\s/.test(text) && !lazy) break;
    end = index;
  }
  return end;
}

/**
 * Inserts the blank lines `lead` and then `block`, and makes the blank lines between the block
 * and a heading that follows at least as many as the file puts before such a heading.
 */
function insertBlock(file: LineFile, style: FileStyle, at: number, lead: string[], block: string[]): void {
  insertLines(file, at, [...lead, ...block]);
  const after = at + lead.length + block.length;
  let gap = 0;
  while (after + gap < file.lines.length && isBlank(file.lines[after + gap])) gap++;
  const following = file.lines[after + gap]?.text;
  if (following === undefined) return;
  const wanted =
    parseHeading(following, 0) || ANCHOR.test(following)
      ? style.beforeRelease
      : /^#{1,6}[ \t]/.test(following)
        ? style.beforeGroup
        : 0;
  if (gap < wanted) insertLines(file, after, blankLines(wanted - gap));
}

function blankLines(count: number): string[] {
  return Array.from({ length: count }, () => "");
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
