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
