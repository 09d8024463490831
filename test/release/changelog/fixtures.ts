// The real-world changelog shapes in test/fixtures/changelogs (hand-written in the styles real
// projects use), what each must read as, and helpers for the round-trip properties. Every file is
// also tested with the other line ending, made here rather than stored, so no editor or git setting
// can quietly normalise them; crlf.md and mixed-eol.md hold their CRLF bytes on disk (the folder's
// .gitattributes keeps git from converting them).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { splitLines, type Line } from "../../../src/release/changelog/lines.js";
import { literalLines } from "../../../src/release/changelog/structure.js";

export const FIXTURE_DIR = join(import.meta.dirname, "..", "..", "fixtures", "changelogs");

export function fixture(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), "utf8");
}

export interface Shape {
  /** The real-world shape the file stands for. */
  shape: string;
  /** Its versions, newest first, as `listVersions` must read them. */
  versions: string[];
  /** Whether it has an [Unreleased] section (without one, the tests fill it from commits first). */
  unreleased: boolean;
  /** The heading a cut of 10.0.0 dated 2030-01-02 writes. */
  heading: string;
  /** The compare link that cut adds, when the file has links it can follow. */
  link?: string;
  /** Cut and fill refuse the file, leaving it unchanged, with this message. */
  refused?: RegExp;
}

const NEW = "## [10.0.0] - 2030-01-02";

export const SHAPES: Record<string, Shape> = {
  "angular-anchors.md": {
    shape:
      "conventional-changelog (angular): `# [2.1.0](compare) (date)`, `<a name>` anchors, 2-3 blank lines",
    versions: ["2.1.0", "2.0.1", "2.0.0", "1.0.0"],
    unreleased: false,
    heading: "# [10.0.0](https://github.com/acme/widgets/compare/v2.1.0...v10.0.0) (2030-01-02)",
  },
  "changesets.md": {
    shape: "changesets: `# @acme/ui`, `## 1.2.0` without dates, `### Minor Changes`, `- sha: text`",
    versions: ["1.2.0", "1.1.0"],
    unreleased: false,
    heading: "## 10.0.0 - 2030-01-02",
  },
  "code-fences.md": {
    shape: "``` , ```` and ~~~ fences (and an indented block) holding `## [x]` lines that are no headings",
    versions: ["3.0.0", "2.9.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/fences/compare/v3.0.0...v10.0.0",
  },
  "comment-placeholder.md": {
    shape: "an [Unreleased] holding only a multi-line HTML comment (with `### Added` in it)",
    versions: ["1.1.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/hooks/compare/v1.1.0...v10.0.0",
  },
  "conventional-changelog.md": {
    shape: "conventional-changelog output without a title or [Unreleased]",
    versions: ["1.4.0", "1.3.1"],
    unreleased: false,
    heading: "# [10.0.0](https://github.com/acme/lib/compare/v1.4.0...v10.0.0) (2030-01-02)",
  },
  "crlf.md": {
    shape: "Keep a Changelog stored with CRLF line endings",
    versions: ["3.1.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/winstall/compare/v3.1.0...v10.0.0",
  },
  "emoji.md": {
    shape: "emoji in the title, a release heading (`… 🎉`), group headings (`### ✨ Added`) and entries",
    versions: ["1.4.0", "1.3.0"],
    unreleased: true,
    heading: "## [10.0.0] - 2030-01-02 🎉",
    link: "[10.0.0]: https://github.com/acme/chat/compare/v1.4.0...v10.0.0",
  },
  "empty-groups-compact.md": {
    shape: "an [Unreleased] with only empty group headings, no blank lines around group headings",
    versions: ["0.2.0", "0.1.0"],
    unreleased: true,
    heading: NEW,
  },
  "empty-unreleased-bare.md": {
    shape: "an [Unreleased] heading with nothing under it",
    versions: ["1.0.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/exporter/compare/v1.0.0...v10.0.0",
  },
  "empty-unreleased.md": {
    shape: "an [Unreleased] with the six empty Keep a Changelog groups",
    versions: ["3.7.0"],
    unreleased: true,
    heading: NEW,
  },
  "extra-prose.md": {
    shape: "Setext title, preamble, a comment, prose and a quote in sections, a footnote link",
    versions: ["0.9.0"],
    unreleased: true,
    heading: "## [v10.0.0] - 2030-01-02",
    link: "[v10.0.0]: https://github.com/acme/prose/compare/v0.9.0...v10.0.0",
  },
  "first-release-no-links.md": {
    shape: "a first release: `## Unreleased` with flat bullets, no versions, no links",
    versions: [],
    unreleased: true,
    heading: "## 10.0.0 - 2030-01-02",
  },
  "first-release.md": {
    shape: "a first release: [Unreleased] only, its link a commits page (no previous tag)",
    versions: [],
    unreleased: true,
    heading: NEW,
  },
  "html-comments.md": {
    shape: "HTML comments: a commented-out `## [Unreleased]` template, inline and block comments",
    versions: ["4.2.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/calendar/compare/v4.2.0...v10.0.0",
  },
  "kac-bitbucket.md": {
    shape: "Keep a Changelog with Bitbucket links (`/branches/compare/NEW%0DOLD`)",
    versions: ["0.9.1", "0.9.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://bitbucket.org/acme/gateway/branches/compare/10.0.0%0D0.9.1",
  },
  "kac-gitlab.md": {
    shape: "Keep a Changelog with GitLab links (`/-/compare/`, `/-/tags/`, a subgroup, `...main`)",
    versions: ["2.1.0", "2.0.0", "1.0.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://gitlab.com/acme/infra/scheduler/-/compare/v2.1.0...v10.0.0",
  },
  "kac-monorepo-links.md": {
    shape: "monorepo package with prefixed tags in its links (`api-v1.2.0`)",
    versions: ["1.2.0", "1.1.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/platform/compare/api-v1.2.0...api-v10.0.0",
  },
  "keep-a-changelog.md": {
    shape: "Keep a Changelog 1.1.0 with a [YANKED] release and lower-case [unreleased] link",
    versions: ["1.1.1", "1.1.0", "1.0.0", "0.0.5", "0.0.1"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/olivierlacan/keep-a-changelog/compare/v1.1.1...v10.0.0",
  },
  "mixed-eol.md": {
    shape: "mixed line endings: CRLF lines with LF lines added later",
    versions: ["1.4.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/fetcher/compare/v1.4.0...v10.0.0",
  },
  "nested-lists.md": {
    shape: "nested bullets, `-` and `*` in one section, a fenced block inside an item",
    versions: ["4.0.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/train/compare/v4.0.0...v10.0.0",
  },
  "no-final-newline-entry.md": {
    shape: "no title, `## 5.0.0 (date)`, `*` bullets, last line an entry without a newline",
    versions: ["5.0.0"],
    unreleased: true,
    heading: "## 10.0.0 (2030-01-02)",
  },
  "no-final-newline.md": {
    shape: "last line the [Unreleased] link, without a newline",
    versions: ["0.2.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/clock/compare/v0.2.0...v10.0.0",
  },
  "no-links.md": {
    shape: "Keep a Changelog without reference links",
    versions: ["2.3.0", "2.2.1"],
    unreleased: true,
    heading: NEW,
  },
  "no-unreleased.md": {
    shape: "Keep a Changelog without [Unreleased] (and so without its link)",
    versions: ["1.0.1", "1.0.0"],
    unreleased: false,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/tiny/compare/v1.0.1...v10.0.0",
  },
  "parenthesised-dates.md": {
    shape: "`## 1.2.0 (2024-01-01)` headings, `## Unreleased`, flat `*` bullets",
    versions: ["1.2.0", "1.1.0"],
    unreleased: true,
    heading: "## 10.0.0 (2030-01-02)",
  },
  "plus-bullets.md": {
    shape: "`+` bullets with nested `*` items, a numbered list in a group",
    versions: ["1.5.0"],
    unreleased: true,
    heading: NEW,
  },
  "pre-1.0.md": {
    shape: "pre-1.0 versions only (0.x)",
    versions: ["0.3.0", "0.2.1", "0.1.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/wire/compare/v0.3.0...v10.0.0",
  },
  "preamble-table.md": {
    shape: "a preamble paragraph and a support table, a table inside a release",
    versions: ["2.0.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/table/compare/v2.0.0...v10.0.0",
  },
  "prerelease.md": {
    shape: "prerelease versions in headings and links (`1.0.0-rc.2`, `1.0.0-beta.3`)",
    versions: ["1.0.0-rc.2", "1.0.0-rc.1", "1.0.0-beta.3", "0.9.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/orbit/compare/v1.0.0-rc.2...v10.0.0",
  },
  "release-please-monorepo.md": {
    shape: "release-please in a monorepo: compare links between `api-v…` tags",
    versions: ["1.2.0", "1.1.0"],
    unreleased: false,
    heading: "## [10.0.0](https://github.com/acme/platform/compare/api-v1.2.0...api-v10.0.0) (2030-01-02)",
  },
  "release-please.md": {
    shape: "release-please: `## [1.2.0](compare) (date)`, nested dependency bullets, `## 1.0.0 (date)`",
    versions: ["1.2.0", "1.1.0", "1.0.0"],
    unreleased: false,
    heading: "## [10.0.0](https://github.com/acme/billing/compare/v1.2.0...v10.0.0) (2030-01-02)",
  },
  "setext.md": {
    shape: "Setext headings for releases (underlined with ---), which relctl does not edit",
    versions: [],
    unreleased: false,
    heading: "",
    refused: /Setext headings/,
  },
  "standard-version.md": {
    shape: "standard-version: `## [1.2.0](compare) (date)` and `### [1.1.1](…)` patch headings",
    versions: ["1.2.0", "1.1.1", "1.1.0", "1.0.0"],
    unreleased: false,
    heading: "## [10.0.0](https://github.com/acme/queue/compare/v1.2.0...v10.0.0) (2030-01-02)",
  },
  "tabs.md": {
    shape: "tabs: after bullets, for nested items, in a heading and after link labels",
    versions: ["1.0.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]:\thttps://github.com/acme/tabby/compare/v1.0.0...v10.0.0",
  },
  "trailing-whitespace.md": {
    shape: "trailing spaces and tabs, GitLab links to `main`, no final newline",
    versions: ["0.3.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://gitlab.com/acme/tool/-/compare/0.3.0...10.0.0",
  },
  "v-dash-date-no-unreleased.md": {
    shape: "`## v0.4.1 - 2024-02-14` headings, no [Unreleased], no groups",
    versions: ["0.4.1", "0.4.0"],
    unreleased: false,
    heading: "## v10.0.0 - 2030-01-02",
  },
  "v-dash-date.md": {
    shape: "`## v1.2.0 - 2024-01-01` headings and `## Unreleased`",
    versions: ["1.2.0", "1.1.0"],
    unreleased: true,
    heading: "## v10.0.0 - 2030-01-02",
  },
  "v-prefix.md": {
    shape: "`## [v3.7.0] - date`, no blank lines around group headings",
    versions: ["3.7.0", "3.6.0"],
    unreleased: true,
    heading: "## [v10.0.0] - 2030-01-02",
    link: "[v10.0.0]: https://github.com/acme/solvereign/compare/v3.7.0...v10.0.0",
  },
  "wrapped-entries.md": {
    shape: "long entries wrapped over indented and lazy (unindented) continuation lines",
    versions: ["0.8.0"],
    unreleased: true,
    heading: NEW,
  },
  "yanked-newest.md": {
    shape: "the newest release is [YANKED]",
    versions: ["2.0.1", "2.0.0"],
    unreleased: true,
    heading: NEW,
    link: "[10.0.0]: https://github.com/acme/cleaner/compare/v2.0.1...v10.0.0",
  },
};

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((name) => name.endsWith(".md"))
    .sort();
}

/** Every fixture as stored, plus a copy with the other line ending (none for mixed endings). */
export function allFixtures(): [string, string, Shape][] {
  return fixtureNames().flatMap((name): [string, string, Shape][] => {
    const content = fixture(name);
    const shape = SHAPES[name];
    if (!shape) throw new Error(`describe ${name} in SHAPES (test/release/changelog/fixtures.ts)`);
    const crlf = (content.match(/\r\n/g) ?? []).length;
    const lf = (content.match(/\n/g) ?? []).length - crlf;
    const copies: [string, string, Shape][] = [[name, content, shape]];
    if (crlf === 0) copies.push([`${name} with CRLF endings`, content.replace(/\n/g, "\r\n"), shape]);
    if (lf === 0 && crlf > 0) copies.push([`${name} with LF endings`, content.replace(/\r\n/g, "\n"), shape]);
    return copies;
  });
}

/** True when `needles` appear in `haystack` in the same order (other lines may sit between). */
export function isSubsequence(needles: readonly string[], haystack: readonly string[]): boolean {
  let position = 0;
  for (const line of haystack) if (position < needles.length && line === needles[position]) position++;
  return position === needles.length;
}

export const textLines = (content: string): string[] => content.split(/\r?\n/);

export interface Insertions {
  /** `changed` without the lines it has on top of `original`; equals `original` when only lines were added. */
  rest: string;
  /** The texts of the added lines, in order. */
  inserted: string[];
  /** Their indexes in `changed`. */
  indexes: Set<number>;
}

/**
 * Lines of `changed` that are not in `original`, matching each original line (text and line
 * ending) in order. Removing lines after a last line without a newline leaves it without one,
 * as deleting them in an editor would.
 */
export function insertions(original: string, changed: string): Insertions {
  const before = splitLines(original).lines;
  const after = splitLines(changed).lines;
  const kept: Line[] = [];
  const inserted: string[] = [];
  const indexes = new Set<number>();
  let position = 0;
  after.forEach((line, index) => {
    const wanted = before[position];
    const lastWithoutNewline = position === before.length - 1 && wanted?.eol === "";
    if (wanted && wanted.text === line.text && (wanted.eol === line.eol || lastWithoutNewline)) {
      kept.push({ ...line });
      position++;
    } else {
      inserted.push(line.text);
      indexes.add(index);
    }
  });
  if (position === before.length && before.at(-1)?.eol === "") kept.at(-1)!.eol = "";
  return { rest: kept.map((line) => line.text + line.eol).join(""), inserted, indexes };
}

const VERSION = /\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?/;
const ANCHOR_LINE = /^<a (?:name|id)="[^"]*"><\/a>$/;

/**
 * A version's section worked out independently of the parser, from the versions the file is
 * known to have: from the line after the first heading whose first version is that one, to the
 * next such heading (less the anchor lines right on top of it) or the trailing link definitions.
 */
export function expectedSection(content: string, versions: readonly string[], version: string): string {
  const lines = textLines(content);
  const headingOf = (wanted: string) =>
    lines.findIndex((line) => /^#{1,3}[ \t]/.test(line) && VERSION.exec(line)?.[0] === wanted);
  const start = headingOf(version);
  const next = versions[versions.indexOf(version) + 1];
  let end = lines.length;
  if (next === undefined) {
    while (end > start + 1 && (lines[end - 1]!.trim() === "" || /^ {0,3}\[[^\]]+\]:/.test(lines[end - 1]!)))
      end--;
  } else {
    end = headingOf(next);
    while (ANCHOR_LINE.test(lines[end - 1]!)) end--;
  }
  const body = lines.slice(start + 1, end);
  while (body.length > 0 && body[0]!.trim() === "") body.shift();
  while (body.length > 0 && body.at(-1)!.trim() === "") body.pop();
  return body.join("\n");
}

type GapKind = "release" | "heading" | "text";

function gapKind(line: string, literal: boolean): GapKind {
  if (literal) return "text";
  if (/^#{1,3}[ \t]+\[?(?:unreleased|v?\d+\.\d+\.\d+)/i.test(line)) return "release";
  return /^#{1,6}[ \t]/.test(line) ? "heading" : "text";
}

export interface Gap {
  /** `text>1>heading`: one blank line between an entry and a group heading. */
  pattern: string;
  /** `text>heading`. */
  pair: string;
  /** The lines around it, for failure messages. */
  where: string;
}

/** The blank-line runs between consecutive non-blank lines (only those touching `touching`). */
export function blankGaps(content: string, touching?: ReadonlySet<number>): Gap[] {
  const lines = textLines(content);
  // A `### Added` inside a comment or a code block is text.
  const literal = literalLines(splitLines(content).lines);
  const gaps: Gap[] = [];
  let previous: number | undefined;
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    if (previous !== undefined) {
      const touched =
        touching === undefined ||
        Array.from({ length: index - previous + 1 }, (_, offset) => previous! + offset).some((at) =>
          touching.has(at),
        );
      if (touched) {
        const [from, to] = [gapKind(lines[previous]!, !!literal[previous]), gapKind(line, !!literal[index])];
        gaps.push({
          pattern: `${from}>${index - previous - 1}>${to}`,
          pair: `${from}>${to}`,
          where: `${JSON.stringify(lines[previous])} … ${JSON.stringify(line)}`,
        });
      }
    }
    previous = index;
  });
  return gaps;
}
