import { describe, expect, it } from "vitest";
import { cutRelease } from "../../../src/release/changelog/cut.js";
import { ReleaseRuleError } from "../../../src/release/errors.js";
import { fixture, textLines } from "./fixtures.js";

const cut = (content: string, version = "1.2.0") =>
  cutRelease(content, { version, date: "2024-05-01", tagTemplate: "v{version}" });

describe("cutting a release", () => {
  it.each([
    ["keep-a-changelog.md", "1.2.0", "## [1.2.0] - 2024-05-01"],
    ["v-prefix.md", "3.8.0", "## [v3.8.0] - 2024-05-01"],
    ["parenthesised-dates.md", "1.3.0", "## 1.3.0 (2024-05-01)"],
    ["trailing-whitespace.md", "0.4.0", "## [0.4.0] - 2024-05-01"],
    ["no-links.md", "2.4.0", "## [2.4.0] - 2024-05-01"],
    ["extra-prose.md", "1.0.0", "## [v1.0.0] - 2024-05-01"],
  ])("writes the heading of %s in the style of its newest release", (name, version, heading) => {
    const lines = textLines(cut(fixture(name), version).content);
    const unreleased = lines.findIndex((line) => /^## \[?unreleased/i.test(line));
    expect(lines.slice(unreleased + 1, unreleased + 3)).toEqual(["", heading]);
  });

  it.each([
    [
      "keep-a-changelog.md",
      "1.2.0",
      [
        "[unreleased]: https://github.com/olivierlacan/keep-a-changelog/compare/v1.2.0...HEAD",
        "[1.2.0]: https://github.com/olivierlacan/keep-a-changelog/compare/v1.1.1...v1.2.0",
        "[1.1.1]: https://github.com/olivierlacan/keep-a-changelog/compare/v1.1.0...v1.1.1",
      ],
    ],
    [
      "v-prefix.md",
      "3.8.0",
      [
        "[Unreleased]: https://github.com/acme/solvereign/compare/v3.8.0...HEAD",
        "[v3.8.0]: https://github.com/acme/solvereign/compare/v3.7.0...v3.8.0",
        "[v3.7.0]: https://github.com/acme/solvereign/compare/v3.6.0...v3.7.0",
      ],
    ],
    [
      "trailing-whitespace.md",
      "0.4.0",
      [
        "[Unreleased]: https://gitlab.com/acme/tool/-/compare/0.4.0...main  ",
        "[0.4.0]: https://gitlab.com/acme/tool/-/compare/0.3.0...0.4.0",
        "[0.3.0]: https://gitlab.com/acme/tool/-/compare/0.2.0...0.3.0",
      ],
    ],
  ])(
    "re-points the [Unreleased] link of %s and adds the new version's link below it",
    (name, version, links) => {
      const lines = textLines(cut(fixture(name), version).content);
      const first = lines.indexOf(links[0]!);
      expect(first).toBeGreaterThan(0);
      expect(lines.slice(first, first + 3)).toEqual(links);
    },
  );

  it("adds a compare link before the previous version's link when there is no [Unreleased] link", () => {
    const content = fixture("no-unreleased.md").replace(
      "# Changelog\n",
      "# Changelog\n\n## [Unreleased]\n\n- Fix it.\n",
    );
    const lines = textLines(cut(content, "1.0.2").content);
    const added = lines.indexOf("[1.0.2]: https://github.com/acme/tiny/compare/v1.0.1...v1.0.2");
    expect(lines[added + 1]).toBe("[1.0.1]: https://github.com/acme/tiny/compare/v1.0.0...v1.0.1");
  });

  it("adds no links to a file that has none", () => {
    const result = cut(fixture("no-links.md"), "2.4.0");
    expect(result.content).not.toMatch(/^\[/m);
  });

  it("writes an inline compare link into headings that carry one", () => {
    const content = fixture("conventional-changelog.md").replace(/^/, "# [Unreleased]\n\n* new thing\n\n");
    const lines = textLines(cut(content, "1.5.0").content);
    expect(lines).toContain("# [1.5.0](https://github.com/acme/lib/compare/v1.4.0...v1.5.0) (2024-05-01)");
  });

  it("keeps a file without a final newline without one", () => {
    const result = cut(fixture("trailing-whitespace.md"), "0.4.0");
    expect(result.content.endsWith("0.3.0")).toBe(true);
  });

  it("returns the released section as notes with its highlights", () => {
    const result = cut(fixture("v-prefix.md"), "3.8.0");
    expect(result.notes).toBe(
      [
        "### Added",
        "- Pack entitlements enforcement with 403 responses",
        "### Security",
        "- Added HMAC V2 signature verification",
      ].join("\n"),
    );
    expect(result.highlights).toEqual([
      "Pack entitlements enforcement with 403 responses",
      "Added HMAC V2 signature verification",
    ]);
  });

  it("refuses to cut an [Unreleased] section that has only empty group headings", () => {
    expect(() => cut(fixture("empty-unreleased.md"), "3.8.0")).toThrow(ReleaseRuleError);
    expect(() => cut(fixture("empty-unreleased.md"), "3.8.0")).toThrow(/no entries/);
  });

  it("cuts an empty section when asked to", () => {
    const result = cutRelease(fixture("empty-unreleased.md"), {
      version: "3.8.0",
      date: "2024-05-01",
      tagTemplate: "v{version}",
      allowEmpty: true,
    });
    expect(result.cut).toBe(true);
    expect(textLines(result.content)).toContain("## [3.8.0] - 2024-05-01");
  });

  it("refuses a changelog without an [Unreleased] section and says how to add one", () => {
    try {
      cut(fixture("no-unreleased.md"), "1.1.0");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ReleaseRuleError);
      expect((error as ReleaseRuleError).hint).toMatch(/from-commits/);
    }
  });

  it("reports an already cut version instead of cutting it twice", () => {
    const result = cut(fixture("keep-a-changelog.md"), "1.1.1");
    expect(result.cut).toBe(false);
    expect(result.content).toBe(fixture("keep-a-changelog.md"));
    expect(result.notes).toContain("Arabic translation (#444).");
  });

  it("does not mistake a heading inside a code block for a release", () => {
    const result = cut(fixture("nested-lists.md"), "4.1.0");
    expect(result.notes).toContain("## [9.9.9] - not a heading, this is inside a code block");
    expect(result.notes).toContain("* The `legacy-deploy` script.");
  });
});

describe("cutting the shapes real changelogs take", () => {
  it("cuts the real [Unreleased], not a commented-out template above it", () => {
    const original = fixture("html-comments.md");
    const result = cut(original, "4.3.0");
    expect(result.content.slice(0, original.indexOf("-->") + 3)).toBe(
      original.slice(0, original.indexOf("-->") + 3),
    );
    expect(result.notes).toContain("- Dark mode colours in the settings page.");
    expect(result.highlights).toEqual([
      "Dark mode colours in the settings page. <!-- reported by support -->",
    ]);
  });

  it("refuses an [Unreleased] that holds only a comment", () => {
    expect(() => cut(fixture("comment-placeholder.md"), "1.2.0")).toThrow(/no entries/);
  });

  it("follows Bitbucket's compare links, newer tag first", () => {
    const lines = textLines(cut(fixture("kac-bitbucket.md"), "0.10.0").content);
    expect(lines).toContain(
      "[Unreleased]: https://bitbucket.org/acme/gateway/branches/compare/HEAD%0D0.10.0",
    );
    expect(lines).toContain("[0.10.0]: https://bitbucket.org/acme/gateway/branches/compare/0.10.0%0D0.9.1");
  });

  it("builds a GitLab compare link from a `/-/tags/` link when there is no [Unreleased] link", () => {
    const content =
      "## [Unreleased]\n\n- Fix.\n\n## [1.0.0] - 2024-01-01\n\n[1.0.0]: https://gitlab.com/g/p/-/tags/v1.0.0\n";
    expect(textLines(cut(content, "1.0.1").content)).toContain(
      "[1.0.1]: https://gitlab.com/g/p/-/compare/v1.0.0...v1.0.1",
    );
  });

  it("writes a tab after the new link's label when the links have one", () => {
    expect(textLines(cut(fixture("tabs.md"), "1.1.0").content)).toContain(
      "[1.1.0]:\thttps://github.com/acme/tabby/compare/v1.0.0...v1.1.0",
    );
  });

  it("writes the first release like a bare `## Unreleased`", () => {
    expect(textLines(cut(fixture("first-release-no-links.md"), "0.1.0").content)).toContain(
      "## 0.1.0 - 2024-05-01",
    );
  });

  it("copies the newest heading without its [YANKED] mark", () => {
    expect(textLines(cut(fixture("yanked-newest.md"), "2.0.2").content)).toContain("## [2.0.2] - 2024-05-01");
  });

  it("refuses Setext release headings clearly and changes nothing", () => {
    try {
      cut(fixture("setext.md"), "1.2.0");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ReleaseRuleError);
      expect((error as ReleaseRuleError).message).toMatch(/Setext headings.*the file is unchanged/);
      expect((error as ReleaseRuleError).hint).toMatch(/## \[1\.2\.0\] - 2024-01-01/);
    }
  });
});
