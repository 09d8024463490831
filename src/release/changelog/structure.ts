// Finds the release sections of a changelog without rewriting anything: headings for
// `[Unreleased]` and for versions in the shapes seen in the wild —
//   ## [1.2.0] - 2024-01-01      (Keep a Changelog)      ## 1.2.0 (2024-01-01)
//   ## [v1.2.0] - 2024-01-01     ## v1.2.0 - 2024-01-01  # [1.2.0](https://…/compare/…) (2024-01-01)
//   ## [0.0.5] - 2014-12-13 [YANKED]
// — and the block of reference links (`[1.2.0]: https://…`) at the end of the file.
// Headings inside fenced code blocks are ignored.
import { isBlank, type Line } from "./lines.js";

export interface ReleaseHeading {
  index: number;
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
}

const HEADING = /^(#{1,3})[ \t]+(.*?)[ \t]*$/;
const UNRELEASED = /^\[?\s*unreleased\s*\]?/i;
export const VERSION_IN_HEADING =
  /^(?<open>\[?\s*)(?<v>v?)(?<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]*[0-9A-Za-z])?(?:\+[0-9A-Za-z.-]+)?)/;
const DATE = /\d{4}-\d{2}-\d{2}/;
const LINK_DEFINITION = /^ {0,3}\[(?<label>[^\]]+)\]:[ \t]*(?<url>\S+)/;
const FENCE = /^ {0,3}(```|~~~)/;

export function readStructure(lines: readonly Line[]): ChangelogStructure {
  const footerStart = findFooterStart(lines);
  const headings: ReleaseHeading[] = [];
  let inFence = false;
  for (let index = 0; index < footerStart; index++) {
    const text = lines[index]!.text;
    if (FENCE.test(text)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const heading = parseHeading(text, index);
    if (heading) headings.push(heading);
  }
  const links: LinkDefinition[] = [];
  for (let index = footerStart; index < lines.length; index++) {
    const match = LINK_DEFINITION.exec(lines[index]!.text);
    if (match?.groups) links.push({ index, label: match.groups.label!, url: match.groups.url! });
  }
  return { headings, footerStart, links };
}

export function parseHeading(text: string, index: number): ReleaseHeading | undefined {
  const match = HEADING.exec(text);
  if (!match) return undefined;
  const level = match[1]!.length;
  const body = match[2]!;
  if (UNRELEASED.test(body)) return { index, level, text: body, unreleased: true, yanked: false };
  const version = VERSION_IN_HEADING.exec(body);
  if (!version?.groups) return undefined;
  const heading: ReleaseHeading = {
    index,
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

/** The section body runs from the line after its heading to the next release heading or the links. */
export function sectionEnd(structure: ChangelogStructure, heading: ReleaseHeading): number {
  const next = structure.headings.find((other) => other.index > heading.index);
  return next ? next.index : structure.footerStart;
}

/** `unreleased` (any case) or a version with or without `v`. */
export function findHeading(structure: ChangelogStructure, wanted: string): ReleaseHeading | undefined {
  const key = wanted.trim().replace(/^v(?=\d)/i, "");
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
