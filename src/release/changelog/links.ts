// Compare links at the bottom of a Keep a Changelog file:
//   [Unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD
//   [1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0
// (GitLab writes `/-/compare/v1.1.0...v1.2.0`; Bitbucket `/branches/compare/v1.2.0%0Dv1.1.0`,
// newer tag first.) A cut points [Unreleased] at the new tag and adds the new version's link right
// below it, in the file's own style (host, path, tag prefix, label, the spacing after the colon).
// Files without links stay without links.
import { formatTag, withoutVPrefix } from "../tag-format.js";
import { insertLines, type LineFile } from "./lines.js";
import type { ChangelogStructure, LinkDefinition } from "./structure.js";

export interface CompareUrl {
  /** Everything before the first tag: `https://github.com/o/r/compare/`. */
  base: string;
  from: string;
  to: string;
  /** Bitbucket's `…/branches/compare/TO%0DFROM`, with what follows the tags (`#diff`). */
  bitbucket?: { suffix: string };
}

const COMPARE = /^(?<base>.+\/)(?<from>[^/]+?)\.\.\.(?<to>[^/]+)$/;
const BITBUCKET_COMPARE = /^(?<base>.+\/branches\/compare\/)(?<to>[^/]+?)%0D(?<from>[^/#]+)(?<suffix>#.*)?$/i;
const RELEASE_PAGE = /^(?<repo>.+?)\/(?:releases\/tag|tree|tags)\/(?<tag>[^/]+)$/;
const VERSION_TOKEN = /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]*[0-9A-Za-z])?/;
const LINK_LABEL = /^(?<label> {0,3}\[[^\]]+\]:)(?<gap>[ \t]*)/;

export function parseCompareUrl(url: string): CompareUrl | undefined {
  const bitbucket = BITBUCKET_COMPARE.exec(url)?.groups;
  if (bitbucket) {
    const { base, from, to, suffix } = bitbucket;
    return { base: base!, from: from!, to: to!, bitbucket: { suffix: suffix ?? "" } };
  }
  const match = COMPARE.exec(url);
  return match?.groups
    ? { base: match.groups.base!, from: match.groups.from!, to: match.groups.to! }
    : undefined;
}

/** The compare URL from `from` to `to` in the style of `like`. */
export function compareUrl(like: CompareUrl, from: string, to: string): string {
  return like.bitbucket
    ? `${like.base}${to}%0D${from}${like.bitbucket.suffix}`
    : `${like.base}${from}...${to}`;
}

/** `v1.1.0` → `v{version}`, `api@1.1.0` → `api@{version}`; undefined when the tag holds no version. */
export function tagTemplateOf(tag: string): string | undefined {
  return VERSION_TOKEN.test(tag) ? tag.replace(VERSION_TOKEN, "{version}") : undefined;
}

export interface LinkUpdate {
  /** The new version as the headings write it (`1.2.0` or `v1.2.0`): the link label. */
  label: string;
  version: string;
  /** The version of the release before this one, when the file has one. */
  previousVersion?: string;
  /** Tag template to use when the links do not show one. */
  fallbackTemplate: string;
}

/** Updates the links in place; returns a warning when links exist but could not be followed. */
export function updateCompareLinks(
  file: LineFile,
  structure: ChangelogStructure,
  update: LinkUpdate,
): string | undefined {
  const { links } = structure;
  if (links.length === 0) return undefined;
  if (links.some((link) => sameVersion(link.label, update.version))) return undefined;
  const unreleased = links.find((link) => link.label.trim().toLowerCase() === "unreleased");
  if (unreleased) return updateFromUnreleased(file, unreleased, update);

  const previous =
    update.previousVersion === undefined
      ? undefined
      : links.find((link) => sameVersion(link.label, update.previousVersion!));
  if (!previous) return undefined;
  const page = RELEASE_PAGE.exec(previous.url)?.groups;
  const compare =
    parseCompareUrl(previous.url) ??
    (page ? { base: `${page.repo}/compare/`, from: page.tag!, to: page.tag! } : undefined);
  if (compare === undefined) {
    return `left the links alone: cannot tell the compare URL style from [${previous.label}]: ${previous.url}`;
  }
  const template = tagTemplateOf(compare.to) ?? update.fallbackTemplate;
  const newTag = formatTag(template, update.version);
  insertLines(file, previous.index, [
    linkLine(file, previous, update.label, compareUrl(compare, compare.to, newTag)),
  ]);
  return undefined;
}

function updateFromUnreleased(file: LineFile, link: LinkDefinition, update: LinkUpdate): string | undefined {
  const compare = parseCompareUrl(link.url);
  if (!compare) {
    return `left the links alone: [${link.label}] is not a compare link (${link.url})`;
  }
  const template = tagTemplateOf(compare.from) ?? update.fallbackTemplate;
  const newTag = formatTag(template, update.version);
  const line = file.lines[link.index]!;
  line.text = line.text.replace(link.url, compareUrl(compare, newTag, compare.to));
  insertLines(file, link.index + 1, [
    linkLine(file, link, update.label, compareUrl(compare, compare.from, newTag)),
  ]);
  return undefined;
}

/** `[label]: url`, indented and spaced (a tab after the colon, say) like the link `like`. */
function linkLine(file: LineFile, like: LinkDefinition, label: string, url: string): string {
  const match = LINK_LABEL.exec(file.lines[like.index]!.text)?.groups;
  const indent = match ? /^ */.exec(match.label!)![0] : "";
  const gap = match?.gap || " ";
  return `${indent}[${label}]:${gap}${url}`;
}

function sameVersion(label: string, version: string): boolean {
  return withoutVPrefix(label) === version;
}
