import { describe, expect, it } from "vitest";
import { matchesTypeRule, parseCommitMessage } from "../../src/release/conventional-commit.js";

describe("parsing a conventional commit message", () => {
  it.each([
    ["feat: add sync", { type: "feat", scope: undefined, description: "add sync", breaking: false }],
    [
      "fix(api): handle empty pages",
      { type: "fix", scope: "api", description: "handle empty pages", breaking: false },
    ],
    ["feat!: drop Node 18", { type: "feat", scope: undefined, description: "drop Node 18", breaking: true }],
    [
      "refactor(core)!: new engine",
      { type: "refactor", scope: "core", description: "new engine", breaking: true },
    ],
    ["FEAT: shouting", { type: "feat", scope: undefined, description: "shouting", breaking: false }],
    [
      "chore(security): bump openssl",
      { type: "chore", scope: "security", description: "bump openssl", breaking: false },
    ],
  ])("reads the header %j", (message, expected) => {
    expect(parseCommitMessage(message)).toMatchObject(expected);
  });

  it.each([
    "Update README",
    "feat:missing space",
    "fixup! feat: x",
    "Merge branch 'main' into topic",
    "feat : x",
  ])("treats %j as not conventional", (message) => {
    const commit = parseCommitMessage(message);
    expect(commit.type).toBeUndefined();
    expect(commit.description).toBe(message);
  });

  it("reads footers after a blank line, with multi-line values", () => {
    const commit = parseCommitMessage(
      "fix: prevent racing\n\nIntroduce a request id.\n\nReviewed-by: Z\nRefs #123\nBREAKING CHANGE: ids are\n  now strings\n",
    );
    expect(commit.body).toBe("Introduce a request id.");
    expect(commit.footers).toEqual([
      { token: "Reviewed-by", value: "Z" },
      { token: "Refs", value: "123" },
      { token: "BREAKING CHANGE", value: "ids are\n  now strings" },
    ]);
    expect(commit.breaking).toBe(true);
    expect(commit.breakingNotes).toEqual(["ids are\n  now strings"]);
  });

  it.each([
    "feat: x\n\nBREAKING CHANGE: the config moved",
    "feat: x\n\nBREAKING-CHANGE: the config moved",
    "feat: x\n\nSome body.\nBREAKING CHANGE: the config moved",
    "feat: x (#12)\n\n* feat: a\n\n* fix: b\nBREAKING CHANGE: the config moved",
  ])("finds a breaking change note in %j", (message) => {
    const commit = parseCommitMessage(message);
    expect(commit.breaking).toBe(true);
    expect(commit.breakingNotes).toEqual(["the config moved"]);
  });

  it("uses the description as the breaking note when only ! says so", () => {
    expect(parseCommitMessage("feat(api)!: remove v1").breakingNotes).toEqual(["remove v1"]);
  });

  it("does not take a lower-case breaking change line for a breaking change", () => {
    expect(parseCommitMessage("fix: x\n\nbreaking change: not really").breaking).toBe(false);
  });

  it("understands git's own revert message", () => {
    const commit = parseCommitMessage(
      'Revert "feat: add sync"\n\nThis reverts commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b.\n',
    );
    expect(commit.type).toBe("revert");
    expect(commit.revert).toEqual({
      header: "feat: add sync",
      shas: ["1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"],
    });
  });

  it("understands git's reapply message", () => {
    const commit = parseCommitMessage('Reapply "feat: add sync"\n\nThis reverts commit abcdef1.');
    expect(commit.revert).toEqual({ header: "feat: add sync", shas: ["abcdef1"], reapply: true });
  });

  it("understands the spec's revert type with a Refs footer", () => {
    const commit = parseCommitMessage(
      "revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868",
    );
    expect(commit.type).toBe("revert");
    expect(commit.revert).toEqual({ shas: ["676104e", "a215868"] });
  });

  it("reads a Release-As footer", () => {
    expect(parseCommitMessage("chore: release 2.0\n\nRelease-As: 2.0.0").releaseAs).toBe("2.0.0");
    expect(parseCommitMessage("chore: release 2.0\n\nrelease-as: v2.0.0").releaseAs).toBe("v2.0.0");
  });

  it("handles CRLF messages", () => {
    const commit = parseCommitMessage("feat: x\r\n\r\nBREAKING CHANGE: y\r\n");
    expect(commit.breakingNotes).toEqual(["y"]);
  });
});

describe("matching hotfix type rules", () => {
  it.each([
    ["fix: a", "fix", true],
    ["fix(api): a", "fix", true],
    ["chore(security): a", "chore(security)", true],
    ["chore(Security): a", "chore(security)", true],
    ["chore: a", "chore(security)", false],
    ["chore(deps): a", "chore(security)", false],
    ["feat: a", "fix", false],
    ["not conventional", "fix", false],
  ])("%j against %j is %s", (message, rule, expected) => {
    expect(matchesTypeRule(parseCommitMessage(message), rule)).toBe(expected);
  });
});
