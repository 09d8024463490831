import { describe, expect, it } from "vitest";
import { extractNotes, listVersions } from "../../../src/release/changelog/notes.js";
import { fixture } from "./fixtures.js";

describe("release notes from a changelog", () => {
  it("lists every version newest first, including yanked ones", () => {
    expect(listVersions(fixture("keep-a-changelog.md"))).toEqual([
      "1.1.1",
      "1.1.0",
      "1.0.0",
      "0.0.5",
      "0.0.1",
    ]);
  });

  it("marks a yanked release and still extracts its notes", () => {
    const notes = extractNotes(fixture("keep-a-changelog.md"), "0.0.5")!;
    expect(notes.heading.yanked).toBe(true);
    expect(notes.heading.date).toBe("2014-12-13");
    expect(notes.notes).toBe("### Added\n\n- Markdown links to version tags on release headings.");
  });

  it.each([
    ["v-prefix.md", "v3.7.0", "### Added\n- P0 RLS Security Hardening (migrations 025-025f)"],
    ["v-prefix.md", "3.7.0", "### Added\n- P0 RLS Security Hardening (migrations 025-025f)"],
    ["parenthesised-dates.md", "1.2.0", "* New `sync` command."],
    [
      "conventional-changelog.md",
      "1.3.1",
      "### Bug Fixes\n\n* handle empty pages ([5d6e7f8](https://github.com/acme/lib/commit/5d6e7f8))",
    ],
  ])("finds %s version %s with or without a v", (name, version, expected) => {
    expect(extractNotes(fixture(name), version)!.notes).toBe(expected);
  });

  it("keeps nested items and continuation lines but lists only top-level bullets as highlights", () => {
    const notes = extractNotes(fixture("nested-lists.md"), "unreleased")!;
    expect(notes.notes).toContain("    - RC tags `vX.Y.Z-rc.N`");
    expect(notes.highlights).toEqual([
      "Deploys now go through the release train:",
      "Config example:",
      "The `legacy-deploy` script.",
    ]);
  });

  it("ends the last section before the reference links", () => {
    const notes = extractNotes(fixture("keep-a-changelog.md"), "0.0.1")!;
    expect(notes.notes).not.toContain("[unreleased]:");
    expect(notes.notes.endsWith("standardized open source project CHANGELOG.")).toBe(true);
  });

  it("returns nothing for a version the file does not have", () => {
    expect(extractNotes(fixture("no-links.md"), "9.9.9")).toBeUndefined();
  });
});

describe("release notes from the shapes real changelogs take", () => {
  it("reads headings after a ```` fence that holds ``` lines, and ignores fenced headings", () => {
    expect(listVersions(fixture("code-fences.md"))).toEqual(["3.0.0", "2.9.0"]);
    const notes = extractNotes(fixture("code-fences.md"), "3.0.0")!;
    expect(notes.notes).toContain("## [8.0.0] - 2020-04-04");
    expect(notes.highlights).toEqual(["Tilde fences work too:"]);
  });

  it("leaves the anchor of the next release out of a section", () => {
    const notes = extractNotes(fixture("angular-anchors.md"), "2.1.0")!;
    expect(notes.notes).not.toContain("<a name");
    expect(
      notes.notes.endsWith(
        "batch DOM writes per frame ([3b4c5d6](https://github.com/acme/widgets/commit/3b4c5d6))",
      ),
    ).toBe(true);
  });

  it("lists no bullet inside a comment as a highlight", () => {
    expect(extractNotes(fixture("html-comments.md"), "unreleased")!.highlights).toEqual([
      "Dark mode colours in the settings page. <!-- reported by support -->",
    ]);
  });

  it("reads prerelease versions and a yanked newest release", () => {
    expect(extractNotes(fixture("prerelease.md"), "v1.0.0-rc.1")!.notes).toBe(
      "### Added\n\n- Stable configuration format.",
    );
    expect(extractNotes(fixture("yanked-newest.md"), "2.0.1")!.heading.yanked).toBe(true);
  });
});
