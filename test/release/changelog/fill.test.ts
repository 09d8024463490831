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
    // The blank line the template keeps under each empty heading stays above the entry.
    const notes = extractNotes(
      fillUnreleased(fixture("empty-unreleased.md"), entries).content,
      "unreleased",
    )!;
    expect(notes.notes).toContain(`### Fixed\n\n- crash on start (${entries[0]!.sha})\n\n### Security`);
    // A compact template gets a compact entry.
    const compact = extractNotes(
      fillUnreleased(fixture("empty-groups-compact.md"), entries).content,
      "unreleased",
    )!;
    expect(compact.notes).toBe(`### Added\n### Changed\n### Fixed\n- crash on start (${entries[0]!.sha})`);
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

describe("filling [Unreleased] in the file's own style", () => {
  const entriesOf = (...messages: string[]) => entriesFromCommits(analyseCommits(commits(...messages)));
  const unreleased = (content: string) => extractNotes(content, "unreleased")!.notes;

  it("adds a new group without blank lines in a file that puts none around group headings", () => {
    // The reviewer's case: --from-commits wrote "### Removed" and a blank line into v-prefix.md.
    const entries = entriesOf("feat!: drop v1\n\nBREAKING CHANGE: remove the v1 API");
    expect(unreleased(fillUnreleased(fixture("v-prefix.md"), entries).content)).toBe(
      [
        "### Added",
        "- Pack entitlements enforcement with 403 responses",
        "### Removed",
        `- **Breaking:** remove the v1 API (${entries[0]!.sha})`,
        "### Security",
        "- Added HMAC V2 signature verification",
      ].join("\n"),
    );
  });

  it("appends to a group without adding a blank line before the next group heading", () => {
    const entries = entriesOf("feat: dark mode");
    expect(unreleased(fillUnreleased(fixture("v-prefix.md"), entries).content)).toContain(
      `- Pack entitlements enforcement with 403 responses\n- dark mode (${entries[0]!.sha})\n### Security`,
    );
  });

  it("follows wider spacing too: two blank lines around groups, three before a release", () => {
    const entries = entriesOf("feat: dark mode");
    const { content } = fillUnreleased(fixture("angular-anchors.md"), entries);
    // Above the anchor of the newest release, with the file's `*` bullets.
    expect(
      content.startsWith(
        `# [Unreleased]\n\n\n### Added\n\n* dark mode (${entries[0]!.sha})\n\n\n\n<a name="2.1.0"></a>\n# [2.1.0]`,
      ),
    ).toBe(true);
  });

  it("adds the Deprecated entry of a commit's Deprecated footer next to the commit's own entry", () => {
    const entries = entriesOf("feat: new flag\n\nDeprecated: the --old flag");
    const { added, content } = fillUnreleased(fixture("keep-a-changelog.md"), entries);
    expect(added.map((entry) => entry.group)).toEqual(["Added", "Deprecated"]);
    expect(unreleased(content)).toContain(`### Deprecated\n\n- the --old flag (${entries[0]!.sha})`);
  });

  it("does not write into a commented-out template or take a comment's `- x` for an entry", () => {
    const entries = entriesOf("fix: crash on start");
    const original = fixture("html-comments.md");
    const { content } = fillUnreleased(original, entries);
    // The template comment at the top is untouched...
    expect(content.slice(0, original.indexOf("-->"))).toBe(original.slice(0, original.indexOf("-->")));
    // ...and the entry follows the real entry, not the one inside the trailing comment.
    expect(unreleased(content)).toContain(
      "- Dark mode colours in the settings page. <!-- reported by support -->\n" +
        `- crash on start (${entries[0]!.sha})\n\n<!-- ### Security\n- Nothing yet. -->`,
    );
  });

  it("does not take a `### Added` inside a comment for a group", () => {
    const entries = entriesOf("feat: dark mode");
    expect(unreleased(fillUnreleased(fixture("comment-placeholder.md"), entries).content)).toBe(
      [
        "<!--",
        "Nothing yet. Add entries under",
        "### Added / ### Fixed headings.",
        "-->",
        "",
        "### Added",
        "",
        `- dark mode (${entries[0]!.sha})`,
      ].join("\n"),
    );
  });

  it("adds after a lazy continuation line, not in the middle of the entry it continues", () => {
    const entries = entriesOf("perf: faster");
    expect(unreleased(fillUnreleased(fixture("wrapped-entries.md"), entries).content)).toContain(
      `above it.\n- faster (${entries[0]!.sha})`,
    );
  });

  it("keeps counting a numbered list and otherwise uses the section's bullet", () => {
    const entries = entriesOf("fix: crash on start", "feat: dark mode");
    const notes = unreleased(fillUnreleased(fixture("plus-bullets.md"), entries).content);
    expect(notes).toContain(`2. Wrong exit code on \`--version\`.\n3. crash on start (${entries[1]!.sha})`);
    expect(notes).toContain(`    * installed by the package\n+ dark mode (${entries[0]!.sha})`);
  });

  it("copies a tab after the bullet", () => {
    const entries = entriesOf("fix: crash on start");
    expect(unreleased(fillUnreleased(fixture("tabs.md"), entries).content)).toContain(
      `### Fixed\n\n-\tcrash on start (${entries[0]!.sha})`,
    );
  });

  it("recognises group headings with an emoji before the name", () => {
    const entries = entriesOf("feat: stickers");
    const notes = unreleased(fillUnreleased(fixture("emoji.md"), entries).content);
    expect(notes).toContain(`### ✨ Added\n\n- Dark theme 🌙.\n- stickers (${entries[0]!.sha})`);
    expect(notes).not.toMatch(/^### Added/m);
  });

  it.each([
    ["v-dash-date-no-unreleased.md", "## Unreleased\n\n### Added", "## v0.4.1 - 2024-02-14"],
    ["changesets.md", "## Unreleased\n\n### Added", "## 1.2.0"],
    ["standard-version.md", "## [Unreleased]\n\n\n### Added", "## [1.2.0]"],
  ])("creates [Unreleased] in %s like its release headings", (name, start, next) => {
    const { content } = fillUnreleased(fixture(name), entriesOf("feat: dark mode"));
    expect(content).toContain(start);
    expect(content.indexOf(start)).toBeLessThan(content.indexOf(next));
  });

  it("refuses a file with Setext release headings instead of adding a section at its end", () => {
    expect(() => fillUnreleased(fixture("setext.md"), entriesOf("feat: dark mode"))).toThrow(
      /Setext headings \(line 4: "Unreleased" underlined\).*unchanged/,
    );
  });
});

describe("filling under `#` release headings", () => {
  it("adds to `## Added` and writes new groups at that level", () => {
    const content =
      "# [Unreleased]\n\n## Added\n\n- Sync.\n\n# [1.0.0] - 2024-01-01\n\n## Added\n\n- Export.\n";
    const entries = entriesFromCommits(analyseCommits(commits("fix: crash on start", "feat: dark mode")));
    const notes = extractNotes(fillUnreleased(content, entries).content, "unreleased")!.notes;
    expect(notes).toBe(
      `## Added\n\n- Sync.\n- dark mode (${entries[0]!.sha})\n\n## Fixed\n\n- crash on start (${entries[1]!.sha})`,
    );
  });
});
