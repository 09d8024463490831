// Cutting a release in a Keep a Changelog file. The cut only adds lines and re-points the
// [Unreleased] compare link, so every existing line survives in its original order:
//
//   ## [Unreleased]                  ## [Unreleased]
//                                    (blank)
//   ### Added             ──▶        ## [1.2.0] - 2024-05-01
//   - thing                          (blank)
//                                    ### Added
//                                    - thing
//
// The [Unreleased] heading stays where it is and is now empty; its entries sit under the new
// version heading, written in the style of the newest dated release heading. A version that does
// not move forward (not above the newest release in the file) is refused.
import semver from "semver";
import { ReleaseRuleError } from "../errors.js";
import { joinLines, insertLines, splitLines } from "./lines.js";
import { compareUrl, parseCompareUrl, tagTemplateOf, updateCompareLinks } from "./links.js";
import { extractNotes, hasEntries } from "./notes.js";
import {
  findHeading,
  readStructure,
  refuseSetext,
  sectionEnd,
  VERSION_IN_HEADING,
  type ReleaseHeading,
} from "./structure.js";
import { formatTag } from "../tag-format.js";

export interface CutOptions {
  /** The version to cut, without `v`. */
  version: string;
  /** YYYY-MM-DD */
  date: string;
  /** Tag template for compare links when the file's links do not show one. */
  tagTemplate: string;
  /** Cut even when [Unreleased] has no entries. */
  allowEmpty?: boolean;
}

export interface CutResult {
  content: string;
  /** False when the version already had a section (a re-run): the content is unchanged. */
  cut: boolean;
  notes: string;
  highlights: string[];
  warnings: string[];
}

export function cutRelease(content: string, options: CutOptions): CutResult {
  const file = splitLines(content);
  const structure = readStructure(file.lines);
  refuseSetext(file.lines, structure);
  if (findHeading(structure, options.version)) {
    const existing = extractNotes(content, options.version)!;
    return { content, cut: false, notes: existing.notes, highlights: existing.highlights, warnings: [] };
  }
  const unreleased = findHeading(structure, "unreleased");
  if (!unreleased) {
    throw new ReleaseRuleError(
      "the changelog has no [Unreleased] section to cut",
      "add `## [Unreleased]` above the releases with this release's changes, or fill it from commits (--from-commits / from_commits: true)",
    );
  }
  const body = file.lines.slice(unreleased.index + 1, sectionEnd(structure, unreleased));
  if (!options.allowEmpty && !hasEntries(body)) {
    throw new ReleaseRuleError(
      `the [Unreleased] section has no entries to release as ${options.version}`,
      "write the changes under [Unreleased], fill them from commits (--from-commits / from_commits: true), or allow an empty release (allow_empty: true)",
    );
  }

  const { model, newest } = releasedHeadings(structure.headings);
  if (newest && !semver.gt(options.version, newest.version!)) {
    throw new ReleaseRuleError(
      `version ${options.version} is not greater than the newest release in the changelog, ${newest.version} (line ${newest.index + 1})`,
      "versions only move forwards; pick a higher version",
    );
  }
  const heading = versionHeading(model, unreleased, options);
  const warnings: string[] = [];
  // Links live below every section, so updating them first keeps the heading's index valid.
  const warning = updateCompareLinks(file, structure, {
    label: heading.label,
    version: options.version,
    fallbackTemplate: options.tagTemplate,
    ...(newest === undefined ? {} : { previousVersion: newest.version! }),
  });
  if (warning) warnings.push(warning);
  insertLines(file, unreleased.index + 1, ["", heading.text]);

  const result = joinLines(file);
  const notes = extractNotes(result, options.version)!;
  return { content: result, cut: true, notes: notes.notes, highlights: notes.highlights, warnings };
}

/**
 * The releases a cut follows: the heading whose style the new one copies and the newest release
 * (the highest version), both among dated headings. An undated version heading (`## 5.0.0 - TBD`
 * kept above [Unreleased] for what comes next) is a placeholder, not a release; only a file that
 * dates none of its releases falls back to its version headings as they are.
 */
function releasedHeadings(headings: readonly ReleaseHeading[]): {
  model?: ReleaseHeading;
  newest?: ReleaseHeading;
} {
  const versioned = headings.filter(
    (heading) => heading.version !== undefined && semver.valid(heading.version) !== null,
  );
  const dated = versioned.filter((heading) => heading.date !== undefined);
  const releases = dated.length > 0 ? dated : versioned;
  const newest = releases.reduce<ReleaseHeading | undefined>(
    (best, heading) => (best === undefined || semver.gt(heading.version!, best.version!) ? heading : best),
    undefined,
  );
  return { ...(releases[0] ? { model: releases[0] } : {}), ...(newest ? { newest } : {}) };
}

interface NewHeading {
  text: string;
  /** How the heading writes the version (`1.2.0`, `v1.2.0`): also the label of its link. */
  label: string;
}

/** A heading like the newest existing one: same level, brackets, `v`, date punctuation. */
function versionHeading(
  model: ReleaseHeading | undefined,
  unreleased: ReleaseHeading,
  options: CutOptions,
): NewHeading {
  if (!model) {
    // The first release: bracketed like `## [Unreleased]`, or bare like `## Unreleased`.
    const version = unreleased.text.startsWith("[") ? `[${options.version}]` : options.version;
    return {
      text: `${"#".repeat(unreleased.level)} ${version} - ${options.date}`,
      label: options.version,
    };
  }
  const text = model.text.replace(/\s*\[YANKED\]/i, "");
  const match = VERSION_IN_HEADING.exec(text)!;
  const before = `${match.groups!.open}${match.groups!.v}`;
  let rest = text.slice(match[0].length);
  const inlineLink = /^\]\((?<url>[^)]*)\)/.exec(rest);
  if (inlineLink?.groups) {
    const compare = parseCompareUrl(inlineLink.groups.url!);
    const template = compare ? tagTemplateOf(compare.to) : undefined;
    const url =
      compare && template ? compareUrl(compare, compare.to, formatTag(template, options.version)) : "";
    rest = (url ? `](${url})` : "]") + rest.slice(inlineLink[0].length);
  }
  rest = /\d{4}-\d{2}-\d{2}/.test(rest)
    ? rest.replace(/\d{4}-\d{2}-\d{2}/, options.date)
    : `${rest} - ${options.date}`;
  return {
    text: `${"#".repeat(model.level)} ${before}${options.version}${rest}`,
    label: `${match.groups!.v}${options.version}`,
  };
}
