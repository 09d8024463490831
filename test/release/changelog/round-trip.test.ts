// Issue 4 §3: "Never lose or reorder a line of the existing file." Properties checked on every
// fixture in test/fixtures/changelogs (each also with the other line ending); what each file must
// read as is in SHAPES (fixtures.ts). A file without [Unreleased] is filled from commits first.
import { describe, expect, it } from "vitest";
import { cutRelease, type CutOptions } from "../../../src/release/changelog/cut.js";
import { entriesFromCommits, fillUnreleased, GROUPS } from "../../../src/release/changelog/fill.js";
import { joinLines, splitLines } from "../../../src/release/changelog/lines.js";
import { extractNotes, listVersions } from "../../../src/release/changelog/notes.js";
import { ReleaseRuleError } from "../../../src/release/errors.js";
import { analyseCommits } from "../../../src/release/version.js";
import { allFixtures, blankGaps, expectedSection, insertions, textLines } from "./fixtures.js";

// One commit for each Keep a Changelog group (the feat's Deprecated footer adds a second entry).
const commits = analyseCommits(
  [
    "feat(cli): add the release train",
    "fix: stop leaking file handles",
    "perf: cache parsed manifests",
    "feat: new output format\n\nDeprecated: the --legacy-output flag",
    "feat!: drop v1\n\nBREAKING CHANGE: remove the v1 API",
    "chore(security): bump the TLS library",
  ]
    .map((message, index) => ({
      sha: `${String(index + 1).repeat(7)}${"f".repeat(33)}`,
      parents: ["p"],
      message,
    }))
    .reverse(),
);
const entries = entriesFromCommits(commits);

const bareLf = (text: string) => /(^|[^\r])\n/.test(text);

const CUT: CutOptions = {
  version: "10.0.0",
  date: "2030-01-02",
  tagTemplate: "v{version}",
  allowEmpty: true,
};

/** The [Unreleased] link line of `content`, if any. */
const unreleasedLink = (content: string) =>
  textLines(content).find((line) => /^ {0,3}\[unreleased\]:/i.test(line));

/**
 * `cut` with its one edit of an existing line undone: the [Unreleased] compare link, which must
 * now start from the new tag (same prefix) instead of the previous one.
 */
function undoLinkUpdate(before: string, cut: string): string {
  const old = unreleasedLink(before);
  const updated = unreleasedLink(cut);
  if (old === undefined || updated === undefined || old === updated) return cut;
  expect(updated).toBe(old.replace(/\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?/, "10.0.0"));
  return cut.replace(updated, old);
}

describe.each(allFixtures())("changelog %s", (name, content, shape) => {
  it("reads and writes back every byte unchanged", () => {
    expect(joinLines(splitLines(content))).toBe(content);
  });

  it("lists exactly its versions, newest first", () => {
    expect(listVersions(content)).toEqual(shape.versions);
  });

  if (shape.refused) {
    it("refuses to cut or fill it, saying why", () => {
      expect(() => cutRelease(content, CUT)).toThrow(ReleaseRuleError);
      expect(() => cutRelease(content, CUT)).toThrow(shape.refused!);
      expect(() => fillUnreleased(content, entries)).toThrow(shape.refused!);
    });
    return;
  }

  // The file as cut sees it: with an [Unreleased] section.
  const source = shape.unreleased ? content : fillUnreleased(content, entries).content;

  it("(a) cut only inserts lines: removing them gives back the original bytes", () => {
    const result = cutRelease(source, CUT);
    expect(result.cut).toBe(true);
    const { rest, inserted } = insertions(source, undoLinkUpdate(source, result.content));
    expect(rest).toBe(source);
    expect([...inserted].sort()).toEqual(["", shape.heading, ...(shape.link ? [shape.link] : [])].sort());
    // Right under [Unreleased], which is now empty.
    const lines = textLines(result.content);
    const heading = lines.indexOf(shape.heading);
    expect(lines[heading - 1]).toBe("");
    expect(lines[heading - 2]).toMatch(/^#{1,3}[ \t]+\[?unreleased\]?\s*$/i);
    expect(extractNotes(result.content, "unreleased")!.notes).toBe("");
    // CRLF and a missing final newline are kept.
    expect(result.content.endsWith("\n")).toBe(source.endsWith("\n"));
    if (!bareLf(source)) expect(bareLf(result.content)).toBe(false);
    if (!source.includes("\r\n")) expect(result.content).not.toContain("\r\n");
  });

  if (!shape.unreleased) {
    it("(a) is refused by cut while it has no [Unreleased]", () => {
      expect(() => cutRelease(content, CUT)).toThrow(/no \[Unreleased\] section/);
    });
  }

  it("(b) keeps every original line, in order, through fill and cut", () => {
    const filled = fillUnreleased(content, entries).content;
    expect(insertions(content, filled).rest).toBe(content);
    const cut = cutRelease(filled, CUT).content;
    expect(insertions(content, undoLinkUpdate(content, cut)).rest).toBe(content);
  });

  it("(c) extracts each version's section exactly, before and after a cut", () => {
    const result = cutRelease(source, CUT);
    for (const version of shape.versions) {
      const notes = extractNotes(content, version);
      expect(notes?.heading.version, version).toBe(version);
      expect(notes!.notes, version).toBe(expectedSection(content, shape.versions, version));
      expect(extractNotes(result.content, version)!.notes, version).toBe(notes!.notes);
    }
    // The new version holds what [Unreleased] held.
    const released = extractNotes(result.content, "10.0.0")!;
    expect(released.notes).toBe(extractNotes(source, "unreleased")!.notes);
    expect(released.heading.date).toBe("2030-01-02");
    expect(listVersions(result.content)).toEqual(["10.0.0", ...shape.versions]);
  });

  it("(d) cutting the same version twice changes nothing the second time", () => {
    const once = cutRelease(source, CUT);
    const twice = cutRelease(once.content, { ...CUT, date: "2031-05-05" });
    expect(twice.cut).toBe(false);
    expect(twice.content).toBe(once.content);
    expect(twice.notes).toBe(once.notes);
    expect(twice.highlights).toEqual(once.highlights);
    for (const version of shape.versions) {
      const again = cutRelease(content, { ...CUT, version });
      expect(again.cut).toBe(false);
      expect(again.content).toBe(content);
    }
  });

  describe("(e) fill from commits", () => {
    const filled = fillUnreleased(content, entries);
    const { rest, inserted, indexes } = insertions(content, filled.content);

    it("adds only new lines, one per entry, each once", () => {
      expect(rest).toBe(content);
      expect(filled.added).toHaveLength(entries.length);
      expect(filled.added).toEqual(expect.arrayContaining(entries));
      for (const entry of entries) {
        expect(inserted.filter((line) => line.includes(entry.text))).toHaveLength(1);
      }
      const again = fillUnreleased(filled.content, entries);
      expect(again.added).toEqual([]);
      expect(again.content).toBe(filled.content);
    });

    it("writes list items with the file's own bullets", () => {
      const lines = textLines(content);
      const bullets = new Set(lines.flatMap((line) => /^[-*+][ \t]+/.exec(line) ?? []));
      const numbered = new Set(lines.flatMap((line) => /^\d+([.)][ \t]+)/.exec(line)?.[1] ?? []));
      for (const line of inserted) {
        if (line.trim() === "" || /^#/.test(line)) continue;
        const bullet = /^[-*+][ \t]+/.exec(line)?.[0];
        const number = /^\d+([.)][ \t]+)/.exec(line)?.[1];
        if (bullet !== undefined) expect(bullets.size === 0 ? ["- "] : [...bullets], line).toContain(bullet);
        else expect([...numbered], line).toContain(number);
      }
    });

    it("writes headings in the file's own style", () => {
      const lines = textLines(content);
      const firstRelease = lines.findIndex((line) => /^#{1,3}[ \t]+\[?(?:unreleased|v?\d+\.\d)/i.test(line));
      const groupLevels = new Set(
        lines
          .slice(firstRelease + 1)
          .filter(
            (line) => /^#{1,6}[ \t]/.test(line) && !/^#{1,3}[ \t]+\[?(?:unreleased|v?\d+\.\d)/i.test(line),
          )
          .map((line) => /^#+/.exec(line)![0].length),
      );
      for (const line of inserted.filter((text) => /^#/.test(text))) {
        const release = /^(#{1,3})[ \t]+(\[?)Unreleased\]?$/.exec(line);
        if (release) {
          // The [Unreleased] a file without one gets: the level and brackets of its newest release.
          expect(shape.unreleased).toBe(false);
          const newest = lines[firstRelease]!;
          expect(release[1]).toBe(/^#+/.exec(newest)![0]);
          expect(release[2] === "[").toBe(/^#+[ \t]+\[/.test(newest));
          continue;
        }
        const group = /^(#+) (\w+)$/.exec(line);
        expect(group, line).not.toBeNull();
        expect(GROUPS as readonly string[]).toContain(group![2]);
        expect(groupLevels.size === 0 ? [3] : [...groupLevels], line).toContain(group![1]!.length);
      }
    });

    it("adds no blank-line pattern the file does not use", () => {
      const own = blankGaps(content);
      const patterns = new Set(own.map((gap) => gap.pattern));
      const pairs = new Set(own.map((gap) => gap.pair));
      for (const gap of blankGaps(filled.content, indexes)) {
        // A pair of line kinds the file never puts side by side has no style to follow; list
        // items follow each other without blank lines even in a file whose lists are all short.
        if (!pairs.has(gap.pair) || gap.pattern === "text>0>text") continue;
        expect(patterns.has(gap.pattern), `${name}: ${gap.pattern} at ${gap.where}`).toBe(true);
      }
    });

    it("keeps the file's line endings and final newline", () => {
      const eol = splitLines(content).eol;
      for (const index of indexes) expect([eol, ""]).toContain(splitLines(filled.content).lines[index]!.eol);
      expect(filled.content.endsWith("\n")).toBe(content.endsWith("\n"));
    });
  });
});
