import { describe, expect, it } from "vitest";
import { cutRelease } from "../../../src/release/changelog/cut.js";
import { entriesFromCommits, fillUnreleased } from "../../../src/release/changelog/fill.js";
import { joinLines, splitLines } from "../../../src/release/changelog/lines.js";
import { extractNotes, listVersions } from "../../../src/release/changelog/notes.js";
import { analyseCommits } from "../../../src/release/version.js";
import { allFixtures, isSubsequence, textLines } from "./fixtures.js";

const commits = analyseCommits([
  {
    sha: "aaaaaaa1111111111111111111111111111111aa",
    parents: ["p"],
    message: "feat(cli): add the release train",
  },
  {
    sha: "bbbbbbb2222222222222222222222222222222bb",
    parents: ["p"],
    message: "fix: stop leaking file handles",
  },
]);

describe.each(allFixtures())("changelog %s", (_name, content) => {
  it("reads and writes back every byte unchanged", () => {
    expect(joinLines(splitLines(content))).toBe(content);
  });

  it("extracts notes for every version it lists, using only lines of the file", () => {
    const lines = new Set(textLines(content));
    for (const version of listVersions(content)) {
      const notes = extractNotes(content, version);
      expect(notes?.heading.version).toBe(version);
      for (const line of notes!.notes.split("\n")) expect(lines.has(line)).toBe(true);
    }
  });

  it("fills and cuts a release without losing or reordering a line", () => {
    const filled = fillUnreleased(content, entriesFromCommits(commits)).content;
    const unreleasedBefore = extractNotes(filled, "unreleased")!.notes;
    const result = cutRelease(filled, { version: "10.0.0", date: "2030-01-02", tagTemplate: "v{version}" });

    expect(result.cut).toBe(true);
    // Every line survives in order; only the [Unreleased] compare link is re-pointed.
    const kept = textLines(filled).filter((line) => !/^\[unreleased\]:/i.test(line));
    expect(isSubsequence(kept, textLines(result.content))).toBe(true);
    expect(textLines(result.content).length).toBeGreaterThan(textLines(filled).length);

    expect(extractNotes(result.content, "10.0.0")!.notes).toBe(unreleasedBefore);
    expect(extractNotes(result.content, "10.0.0")!.heading.date).toBe("2030-01-02");
    expect(extractNotes(result.content, "unreleased")!.notes).toBe("");
    expect(listVersions(result.content)[0]).toBe("10.0.0");
  });

  it("keeps the file's line endings on the lines it adds", () => {
    const filled = fillUnreleased(content, entriesFromCommits(commits)).content;
    const result = cutRelease(filled, { version: "10.0.0", date: "2030-01-02", tagTemplate: "v{version}" });
    const crlf = content.includes("\r\n");
    const bare = result.content.replace(/\r\n/g, "").includes("\n");
    expect(bare).toBe(!crlf);
    expect(result.content.endsWith("\n")).toBe(content.endsWith("\n"));
  });

  it("does nothing when the same version is cut again", () => {
    const filled = fillUnreleased(content, entriesFromCommits(commits)).content;
    const once = cutRelease(filled, { version: "10.0.0", date: "2030-01-02", tagTemplate: "v{version}" });
    const twice = cutRelease(once.content, {
      version: "10.0.0",
      date: "2031-05-05",
      tagTemplate: "v{version}",
    });
    expect(twice.cut).toBe(false);
    expect(twice.content).toBe(once.content);
    expect(twice.notes).toBe(once.notes);
  });

  it("adds nothing when the same commits are filled in twice", () => {
    const once = fillUnreleased(content, entriesFromCommits(commits));
    const twice = fillUnreleased(once.content, entriesFromCommits(commits));
    expect(twice.added).toEqual([]);
    expect(twice.content).toBe(once.content);
  });
});
