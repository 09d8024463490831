// Finds the release sections of a changelog without rewriting anything: headings for
// `[Unreleased]` and for versions in the shapes seen in the wild —
//   ## [1.2.0] - 2024-01-01      (Keep a Changelog)      ## 1.2.0 (2024-01-01)
//   ## [v1.2.0] - 2024-01-01     ## v1.2.0 - 2024-01-01  # [1.2.0](https://…/compare/…) (2024-01-01)
//   ## [0.0.5] - 2014-12-13 [YANKED]
// — and the block of reference links (`[1.2.0]: https://…`) at the end of the file.
// Headings inside fenced code blocks and HTML comments (a commented-out template) are ignored.
// Setext headings (a line underlined with === or ---) are not edited: a file that writes its
// releases that way is refused rather than half understood.
import { ReleaseRuleError } from "../errors.js";
import { withoutVPrefix } from "../tag-format.js";
import { isBlank, type Line } from "./lines.js";

export interface ReleaseHeading {
  index: number;
  /**
   * Where the heading's block starts: above `index` when anchor lines (`<a name="1.2.0"></a>`,
   * written by older conventional-changelog versions) sit right on top of it.
   */
  top: number;
  level: number;
  /** The heading text after the hashes, trimmed. */
  text: string;
  unreleased: boolean;
  /** The version without a `v`, for version headings. */
  version?: string;
  date?: string;
  yanked: boolean;
}

export interface LinkDefinition {
  index: number;
  label: string;
  url: string;
}

export interface ChangelogStructure {
  headings: ReleaseHeading[];
  /** Where the trailing block of link definitions starts (lines.length when there is none). */
  footerStart: number;
  /** The link definitions of that trailing block. */
  links: LinkDefinition[];
  /** Setext release headings (`1.2.0 (2024-01-01)` over a `---` line): their text lines. */
  setext: number[];
}

const HEADING = /^(#{1,3})[ \t]+(.*?)[ \t]*$/;
const UNRELEASED = /^\[?\s*unreleased\s*\]?/i;
export const VERSION_IN_HEADING =
  /^(?<open>\[?\s*)(?<v>v?)(?<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]*[0-9A-Za-z])?(?:\+[0-9A-Za-z.-]+)?)/;
const DATE = /\d{4}-\d{2}-\d{2}/;
const LINK_DEFINITION = /^ {0,3}\[(?<label>[^\]]+)\]:[ \t]*(?<url>\S+)/;
const FENCE_OPEN = /^ {0,3}(?<fence>`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(?<fence>`{3,}|~{3,})[ \t]*$/;
const COMMENT_OPEN = /^ {0,3}<!--/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
export const ANCHOR =
  /^[ \t]*<a[ \t]+(?:name|id)[ \t]*=[ \t]*["'][^"']*["'][ \t]*(?:\/>|>[ \t]*<\/a>)[ \t]*$/i;

/** Lines that are not Markdown structure: inside a fenced code block or an HTML comment block. */
export type LiteralKind = "code" | "comment";

/**
 * For each line, whether it belongs to a fenced code block or an HTML comment block (fences and
 * comment markers included), as CommonMark reads them: a fence closes only on a fence of the same
 * character at least as long (so ```` around ``` stays open), a block comment that starts a line
 * runs to the line holding `-->`.
 */
export function literalLines(lines: readonly Line[]): (LiteralKind | undefined)[] {
  const kinds: (LiteralKind | undefined)[] = [];
  let fence: string | undefined;
  let comment = false;
  for (const { text } of lines) {
    if (fence !== undefined) {
      kinds.push("code");
      const close = FENCE_CLOSE.exec(text)?.groups?.fence;
      if (close && close[0] === fence[0] && close.length >= fence.length) fence = undefined;
      continue;
    }
    if (comment) {
      kinds.push("comment");
      comment = !text.includes("-->");
      continue;
    }
    const open = FENCE_OPEN.exec(text)?.groups?.fence;
    if (open) {
      kinds.push("code");
      fence = open;
      continue;
    }
    if (COMMENT_OPEN.test(text)) {
      kinds.push("comment");
      comment = !text.slice(text.indexOf("<!--") + 4).includes("-->");
      continue;
    }
    kinds.push(undefined);
  }
  return kinds;
}

export function readStructure(lines: readonly Line[]): ChangelogStructure {
  const footerStart = findFooterStart(lines);
  const literal = literalLines(lines);
  const headings: ReleaseHeading[] = [];
  const setext: number[] = [];
  for (let index = 0; index < footerStart; index++) {
    if (literal[index]) continue;
    const text = lines[index]!.text;
    const heading = parseHeading(text, index);
    if (heading) {
      // Anchor lines right above a heading belong to it, not to the section before.
      while (heading.top > 0 && !literal[heading.top - 1] && ANCHOR.test(lines[heading.top - 1]!.text))
        heading.top--;
      headings.push(heading);
    } else if (isSetextRelease(lines, literal, index)) {
      setext.push(index);
    }
  }
  const links: LinkDefinition[] = [];
  for (let index = footerStart; index < lines.length; index++) {
    const match = LINK_DEFINITION.exec(lines[index]!.text);
    if (match?.groups) links.push({ index, label: match.groups.label!, url: match.groups.url! });
  }
  return { headings, footerStart, links, setext };
}

/** A paragraph of one line naming Unreleased or a version, underlined with === or ---. */
function isSetextRelease(lines: readonly Line[], literal: readonly unknown[], index: number): boolean {
  const underline = lines[index + 1];
  if (!underline || literal[index + 1] || !SETEXT_UNDERLINE.test(underline.text)) return false;
  if (index > 0 && !isBlank(lines[index - 1]) && !HEADING.test(lines[index - 1]!.text)) return false;
  const text = lines[index]!.text.trim();
  return UNRELEASED.test(text) || VERSION_IN_HEADING.test(text);
}

/** Cut and fill edit only `#` headings; a file with Setext release headings is left alone. */
export function refuseSetext(lines: readonly Line[], structure: ChangelogStructure): void {
  const first = structure.setext[0];
  if (first === undefined) return;
  throw new ReleaseRuleError(
    `the changelog writes its releases as Setext headings (line ${first + 1}: "${lines[first]!.text.trim()}" underlined), which relctl does not edit; the file is unchanged`,
    "write the release headings as `## [1.2.0] - 2024-01-01` (and `## [Unreleased]`), then run again",
  );
}

export function parseHeading(text: string, index: number): ReleaseHeading | undefined {
  const match = HEADING.exec(text);
  if (!match) return undefined;
  const level = match[1]!.length;
  const body = match[2]!;
  if (UNRELEASED.test(body)) return { index, top: index, level, text: body, unreleased: true, yanked: false };
  const version = VERSION_IN_HEADING.exec(body);
  if (!version?.groups) return undefined;
  const heading: ReleaseHeading = {
    index,
    top: index,
    level,
    text: body,
    unreleased: false,
    version: version.groups.version!,
    yanked: /\[YANKED\]/i.test(body),
  };
  const date = DATE.exec(body.slice(version[0].length));
  if (date) heading.date = date[0];
  return heading;
}

/**
 * The section body runs from the line after its heading to the next release heading (its anchor
 * lines included) or the links.
 */
export function sectionEnd(structure: ChangelogStructure, heading: ReleaseHeading): number {
  const next = structure.headings.find((other) => other.index > heading.index);
  return next ? next.top : structure.footerStart;
}

/** `unreleased` (any case) or a version with or without `v`. */
export function findHeading(structure: ChangelogStructure, wanted: string): ReleaseHeading | undefined {
  const key = withoutVPrefix(wanted);
  if (key.toLowerCase() === "unreleased") return structure.headings.find((heading) => heading.unreleased);
  return structure.headings.find((heading) => heading.version === key);
}

function findFooterStart(lines: readonly Line[]): number {
  let start = lines.length;
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index]!;
    if (isBlank(line)) continue;
    if (!LINK_DEFINITION.test(line.text)) break;
    start = index;
  }
  return start;
}
