// One version's section as release notes (for a GitHub release, an annotated tag, a message),
// plus its top-level bullet points as "highlights".
import { isBlank, splitLines, type Line } from "./lines.js";
import { findHeading, literalLines, readStructure, sectionEnd, type ReleaseHeading } from "./structure.js";

export interface ReleaseNotes {
  heading: ReleaseHeading;
  /** The section body without its heading, trimmed of blank lines, "\n"-separated. */
  notes: string;
  /** The text of each top-level bullet, in order. */
  highlights: string[];
}

const TOP_LEVEL_BULLET = /^[-*+][ \t]+(?<text>.*\S)/;
const ENTRY_LINE = /^(?!\s*#{1,6}\s)(?!\s*<!--.*-->\s*$)\s*\S/;

/** `version` is `unreleased` or a version with or without `v`; undefined when there is no such section. */
export function extractNotes(content: string, version: string): ReleaseNotes | undefined {
  const { lines } = splitLines(content);
  const structure = readStructure(lines);
  const heading = findHeading(structure, version);
  if (!heading) return undefined;
  const body = trimBlankLines(lines.slice(heading.index + 1, sectionEnd(structure, heading)));
  const highlights: string[] = [];
  const literal = literalLines(body);
  body.forEach((line, index) => {
    // A `- x` line inside a code block or a comment is not an entry.
    const match = literal[index] ? undefined : TOP_LEVEL_BULLET.exec(line.text);
    if (match?.groups) highlights.push(match.groups.text!);
  });
  return { heading, notes: body.map((line) => line.text).join("\n"), highlights };
}

/** Every version with a section, newest first as the file lists them. */
export function listVersions(content: string): string[] {
  const { headings } = readStructure(splitLines(content).lines);
  return headings.flatMap((heading) => (heading.version === undefined ? [] : [heading.version]));
}

/** A section has entries when it holds anything but blank lines, headings and comments. */
export function hasEntries(lines: readonly Line[]): boolean {
  const literal = literalLines(lines);
  return lines.some((line, index) => literal[index] !== "comment" && ENTRY_LINE.test(line.text));
}

function trimBlankLines(lines: Line[]): Line[] {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start])) start++;
  while (end > start && isBlank(lines[end - 1])) end--;
  return lines.slice(start, end);
}
