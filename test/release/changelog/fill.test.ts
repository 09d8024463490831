import { describe, expect, it } from "vitest";
import { entriesFromCommits, fillUnreleased } from "../../../src/release/changelog/fill.js";
import { extractNotes } from "../../../src/release/changelog/notes.js";
import { analyseCommits, type RawCommit } from "../../../src/release/version.js";
import { fixture } from "./fixtures.js";

let counter = 0;
/** Commits newest first, as git log lists them; shas are unique and recognisable. */
function commits(...messages: string[]): RawCommit[] {
  return messages.map((message) => {
    counter++;
    return { sha: `${String(counter).padStart(7, "0")}${"f".repeat(33)}`, parents: ["p"], message };
  });
}

describe("changelog entries from conventional commits", () => {
  it.each([
    ["feat: add sync", "Added", "add sync"],
    ["fix(api): handle empty pages", "Fixed", "**api:** handle empty pages"],
    ["perf: cache the index", "Changed", "cache the index"],
    ["feat!: new config format", "Changed", "**Breaking:** new config format"],
    ["feat: x\n\nBREAKING CHANGE: drop Node 18 support", "Removed", "**Breaking:** drop Node 18 support"],
    ["chore(security): bump openssl", "Security", "bump openssl"],
    ["fix(security): escape html in titles", "Security", "escape html in titles"],
    [
      'Revert "feat: add sync"\n\nThis reverts commit 0123456789abcdef.',
      "Changed",
      'Revert "feat: add sync"',
    ],
  ])("files %j under %s", (message, group, text) => {
    const [entry] = entriesFromCommits(analyseCommits(commits(message)));
    expect(entry?.group).toBe(group);
    expect(entry?.text).toBe(`${text} (${entry!.sha})`);
  });

  it.each([
    "chore: tidy",
    "docs: fix typo",
    "refactor: split module",
    "ci: cache",
    "Merge branch 'x'",
    "wip",
  ])("leaves %j out", (message) => {
    expect(entriesFromCommits(analyseCommits(commits(message)))).toEqual([]);
  });

  it("adds a Deprecated entry from a Deprecated footer as well as the commit's own entry", () => {
    const entries = entriesFromCommits(
      analyseCommits(commits("feat: new flag\n\nDeprecated: the --old flag")),
    );
    expect(entries.map((entry) => entry.group)).toEqual(["Added", "Deprecated"]);
  });

  it("leaves out a commit and its revert when both are in the range", () => {
    const raw = commits("fix: keep", "placeholder", "feat: flaky idea");
    raw[1]!.message = `Revert "feat: flaky idea"\n\nThis reverts commit ${raw[2]!.sha}.`;
    const entries = entriesFromCommits(analyseCommits(raw));
    expect(entries.map((entry) => entry.text)).toEqual([`keep (${raw[0]!.sha.slice(0, 7)})`]);
  });

  it("lists entries oldest first", () => {
    const entries = entriesFromCommits(analyseCommits(commits("feat: second", "feat: first")));
    expect(entries.map((entry) => entry.text.split(" (")[0])).toEqual(["first", "second"]);
  });
});

describe("filling [Unreleased]", () => {
  it("appends to existing groups and adds missing groups in Keep a Changelog order", () => {
    const entries = entriesFromCommits(analyseCommits(commits("fix: crash on start", "feat: dark mode")));
    const { content, added } = fillUnreleased(fixture("keep-a-changelog.md"), entries);
    expect(added).toHaveLength(2);
    const notes = extractNotes(content, "unreleased")!.notes.split("\n");
    expect(notes).toEqual([
      "### Added",
      "",
      "- v1.1 Brazilian Portuguese translation.",
      "- v1.1 German Translation",
      `- dark mode (${entries[0]!.sha})`,
      "",
      "### Changed",
      "",
      "- Use frontmatter title & description in each language version template",
      "",
      "### Fixed",
      "",
      `- crash on start (${entries[1]!.sha})`,
    ]);
  });

  it("puts entries right under empty group headings", () => {
    const entries = entriesFromCommits(analyseCommits(commits("fix: crash on start")));
    const notes = extractNotes(
      fillUnreleased(fixture("empty-unreleased.md"), entries).content,
      "unreleased",
    )!;
    expect(notes.notes).toContain(`### Fixed\n\n- crash on start (${entries[0]!.sha})\n\n### Security`);
  });

  it("uses the bullet character the section already uses", () => {
    const entries = entriesFromCommits(analyseCommits(commits("fix: crash on start")));
    const notes = extractNotes(fillUnreleased(fixture("nested-lists.md"), entries).content, "unreleased")!;
    expect(notes.notes).toContain(`### Fixed\n\n- crash on start`);
    const removed = entriesFromCommits(
      analyseCommits(commits("feat!: remove\n\nBREAKING CHANGE: remove the v1 API")),
    );
    const withRemoved = extractNotes(
      fillUnreleased(fixture("nested-lists.md"), removed).content,
      "unreleased",
    )!;
    expect(withRemoved.notes).toContain("* The `legacy-deploy` script.\n* **Breaking:** remove the v1 API");
  });

  it("adds after a nested item's code block, not inside it", () => {
    const entries = entriesFromCommits(analyseCommits(commits("perf: faster")));
    const notes = extractNotes(fillUnreleased(fixture("nested-lists.md"), entries).content, "unreleased")!;
    expect(notes.notes).toContain("  ```\n- faster");
  });

  it("does not add an entry someone already wrote by hand", () => {
    const entries = entriesFromCommits(analyseCommits(commits("feat: v1.1 German Translation")));
    const result = fillUnreleased(fixture("keep-a-changelog.md"), entries);
    expect(result.added).toEqual([]);
    expect(result.content).toBe(fixture("keep-a-changelog.md"));
  });

  it("creates [Unreleased] above the newest release when the file has none", () => {
    const entries = entriesFromCommits(analyseCommits(commits("feat: dark mode")));
    const { content } = fillUnreleased(fixture("no-unreleased.md"), entries);
    expect(content).toContain(
      `# Changelog\n\n## [Unreleased]\n\n### Added\n\n- dark mode (${entries[0]!.sha})\n\n## [1.0.1]`,
    );
  });

  it("creates a changelog section in a file with no releases yet", () => {
    const entries = entriesFromCommits(analyseCommits(commits("feat: first feature")));
    const { content } = fillUnreleased("# Changelog\n", entries);
    expect(content).toBe(
      `# Changelog\n\n## [Unreleased]\n\n### Added\n\n- first feature (${entries[0]!.sha})\n`,
    );
  });
});
