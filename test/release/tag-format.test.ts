import { describe, expect, it } from "vitest";
import {
  formatRcVersion,
  formatTag,
  nextRcNumber,
  normaliseVersion,
  parseTag,
  rcFormatProblem,
  tagTemplateProblem,
} from "../../src/release/tag-format.js";

const dotted = { template: "v{version}", rcFormat: "-rc.{n}" };
const bare = { template: "v{version}", rcFormat: "-rc{n}" };

describe("tag formats", () => {
  it.each([
    ["v1.2.3", dotted, { version: "1.2.3", base: "1.2.3" }],
    ["v1.2.3-rc.1", dotted, { version: "1.2.3-rc.1", base: "1.2.3", prerelease: "rc.1", rc: 1 }],
    ["v3.7.0-rc12", bare, { version: "3.7.0-rc12", base: "3.7.0", prerelease: "rc12", rc: 12 }],
    // The other RC style is an RC all the same (a history that changed style keeps counting).
    ["v3.7.0-rc1", dotted, { version: "3.7.0-rc1", base: "3.7.0", prerelease: "rc1", rc: 1 }],
    ["v1.4.0-rc.12", bare, { version: "1.4.0-rc.12", base: "1.4.0", prerelease: "rc.12", rc: 12 }],
    ["v1.4.0-rc-3", bare, { version: "1.4.0-rc-3", base: "1.4.0", prerelease: "rc-3", rc: 3 }],
    ["v1.4.0-rc.1.2", dotted, { version: "1.4.0-rc.1.2", base: "1.4.0", prerelease: "rc.1.2" }],
    ["v1.0.0-beta.2", dotted, { version: "1.0.0-beta.2", base: "1.0.0", prerelease: "beta.2" }],
    ["api-v2.0.0", { template: "api-v{version}", rcFormat: "-rc.{n}" }, { version: "2.0.0", base: "2.0.0" }],
    ["2.0.0", { template: "{version}", rcFormat: "-rc.{n}" }, { version: "2.0.0", base: "2.0.0" }],
  ])("parses %s", (tag, format, expected) => {
    expect(parseTag(tag, format)).toEqual({ tag, ...expected });
  });

  it.each([
    ["1.2.3", dotted],
    ["v1.2", dotted],
    ["release-1.2.3", dotted],
    ["v1.2.3.4", dotted],
    ["web-v2.0.0", { template: "api-v{version}", rcFormat: "-rc.{n}" }],
  ])("does not take %s for a release tag", (tag, format) => {
    expect(parseTag(tag, format)).toBeUndefined();
  });

  it("formats tags and RC versions", () => {
    expect(formatTag("v{version}", formatRcVersion("1.2.3", "-rc.{n}", 2))).toBe("v1.2.3-rc.2");
    expect(formatTag("v{version}", formatRcVersion("3.7.0", "-rc{n}", 1))).toBe("v3.7.0-rc1");
  });

  it("numbers the next RC after the highest existing one, comparing numbers not text", () => {
    const tags = ["v3.7.0-rc1", "v3.7.0-rc2", "v3.7.0-rc10", "v3.7.0-rc9", "v3.6.0-rc14", "v3.7.0"];
    expect(nextRcNumber(tags, "3.7.0", bare)).toBe(11);
    expect(nextRcNumber(tags, "3.8.0", bare)).toBe(1);
    expect(nextRcNumber(tags, "3.7.0", dotted)).toBe(11);
    expect(nextRcNumber([...tags, "v3.7.0-rc.12"], "3.7.0", bare)).toBe(13);
    expect(nextRcNumber(["v3.7.0-beta.4"], "3.7.0", dotted)).toBe(1);
  });

  it.each([
    ["v{version}", undefined],
    ["release/{version}", undefined],
    ["version", /must contain \{version\} once/],
    ["{version}-{version}", /once/],
    ["-v{version}", /must not start with "-"/],
    ["v {version}", /characters git does not allow/],
    ["v..{version}", /characters git does not allow/],
  ])("checks the tag template %j", (template, problem) => {
    const found = tagTemplateProblem(template);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it.each([
    ["-rc.{n}", undefined],
    ["-rc{n}", undefined],
    ["rc{n}", /must start with "-"/],
    ["-rc", /must contain \{n\} once/],
    ["-rc_{n}", /must start with "-"/],
  ])("checks the RC format %j", (format, problem) => {
    const found = rcFormatProblem(format);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it.each([
    ["v1.2.3", "1.2.3"],
    ["1.2.3-rc.1", "1.2.3-rc.1"],
    [" 2.0.0 ", "2.0.0"],
    ["2.0", undefined],
    ["latest", undefined],
  ])("normalises %j to %j", (text, expected) => {
    expect(normaliseVersion(text)).toBe(expected);
  });
});
