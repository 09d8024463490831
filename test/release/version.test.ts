import { describe, expect, it } from "vitest";
import { ReleaseRuleError } from "../../src/release/errors.js";
import { analyseCommits, decideVersion, type RawCommit } from "../../src/release/version.js";

let counter = 0;
function history(...messages: string[]): RawCommit[] {
  return messages.map((message) => ({
    sha: `${String(++counter).padStart(8, "0")}${"a".repeat(32)}`,
    parents: ["p"],
    message,
  }));
}

const decide = (
  previous: string | undefined,
  messages: string[],
  extra: { forceVersion?: string; hotfix?: boolean } = {},
) =>
  decideVersion({
    ...(previous === undefined ? {} : { previous }),
    commits: analyseCommits(history(...messages)),
    initialVersion: "0.1.0",
    hotfix: extra.hotfix ?? false,
    ...(extra.forceVersion === undefined ? {} : { forceVersion: extra.forceVersion }),
  });

describe("deciding the next version", () => {
  it.each([
    ["1.2.3", ["fix: a"], "1.2.4", "patch"],
    ["1.2.3", ["perf: a"], "1.2.4", "patch"],
    ["1.2.3", ["feat: a", "fix: b"], "1.3.0", "minor"],
    ["1.2.3", ["fix: a", "feat!: b"], "2.0.0", "major"],
    ["1.2.3", ["fix: a\n\nBREAKING CHANGE: b"], "2.0.0", "major"],
    ["1.2.3", ["chore: a", "docs: b", "Merge branch 'x'"], "1.2.3", "none"],
    ["0.4.2", ["feat!: b"], "0.5.0", "minor"],
    ["0.4.2", ["feat: b"], "0.4.3", "patch"],
    ["0.4.2", ["fix: b"], "0.4.3", "patch"],
  ])("from %s with %j gives %s (%s)", (previous, messages, version, bump) => {
    const decision = decide(previous, messages);
    expect(decision.version).toBe(version);
    expect(decision.bump).toBe(bump);
    expect(decision.releasable).toBe(bump !== "none");
  });

  it("names the commits that decided the bump", () => {
    const decision = decide("1.0.0", ["fix: a", "feat: b", "feat(ui): c", "chore: d"]);
    expect(decision.causes.map((commit) => commit.commit.header)).toEqual(["feat: b", "feat(ui): c"]);
    expect(decision.reason).toBe("minor bump from 1.0.0 because of 2 feat commits");
  });

  it("explains the pre-1.0 rule when it applies", () => {
    expect(decide("0.3.0", ["feat!: new api"]).reason).toMatch(/pre-1\.0: major counts as minor/);
  });

  it("starts at the initial version when there is no release yet", () => {
    const decision = decide(undefined, ["feat!: everything"]);
    expect(decision).toMatchObject({ version: "0.1.0", bump: "initial", releasable: true });
  });

  it("cancels a commit and its revert when both are in the range", () => {
    const raw = history("fix: keep", "placeholder", "feat!: risky");
    raw[1]!.message = `Revert "feat!: risky"\n\nThis reverts commit ${raw[2]!.sha}.`;
    const decision = decideVersion({
      previous: "1.0.0",
      commits: analyseCommits(raw),
      initialVersion: "0.1.0",
      hotfix: false,
    });
    expect(decision.version).toBe("1.0.1");
  });

  it("counts a revert of an already released commit as a patch", () => {
    const decision = decide("1.0.0", [
      'Revert "feat: released thing"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.',
    ]);
    expect(decision).toMatchObject({ version: "1.0.1", bump: "patch" });
  });

  it("counts a reapplied feature as a feature", () => {
    expect(decide("1.0.0", ['Reapply "feat: comeback"\n\nThis reverts commit 0123456.']).version).toBe(
      "1.1.0",
    );
    expect(
      decide("1.0.0", ['Revert "Revert "feat: comeback""\n\nThis reverts commit 0123456.']).version,
    ).toBe("1.1.0");
  });

  it("keeps a reverted revert's original change when all three are in the range", () => {
    const raw = history("placeholder", "placeholder", "feat: back and forth");
    raw[1]!.message = `Revert "feat: back and forth"\n\nThis reverts commit ${raw[2]!.sha}.`;
    raw[0]!.message = `Revert "Revert "feat: back and forth""\n\nThis reverts commit ${raw[1]!.sha}.`;
    const decision = decideVersion({
      previous: "1.0.0",
      commits: analyseCommits(raw),
      initialVersion: "0.1.0",
      hotfix: false,
    });
    expect(decision.version).toBe("1.1.0");
  });

  it("follows the newest Release-As footer", () => {
    const decision = decide("1.4.0", [
      "chore: go\n\nRelease-As: 3.0.0",
      "feat: x",
      "chore: older\n\nRelease-As: 2.0.0",
    ]);
    expect(decision).toMatchObject({ version: "3.0.0", bump: "forced" });
    expect(decision.reason).toMatch(/^Release-As: 3\.0\.0 in commit/);
  });

  it("lets a forced version win over Release-As", () => {
    expect(decide("1.4.0", ["chore: go\n\nRelease-As: 3.0.0"], { forceVersion: "v2.0.0" }).version).toBe(
      "2.0.0",
    );
  });

  it.each([
    [{ forceVersion: "1.4.0" }, /not greater than the previous release 1\.4\.0/],
    [{ forceVersion: "1.3.9" }, /not greater/],
    [{ forceVersion: "two" }, /not a semantic version/],
  ])("refuses the forced version %j", (extra, message) => {
    expect(() => decide("1.4.0", ["fix: a"], extra)).toThrow(message);
  });

  it("refuses a Release-As footer that is not a version", () => {
    expect(() => decide("1.4.0", ["chore: go\n\nRelease-As: soon"])).toThrow(ReleaseRuleError);
  });

  it("only ever bumps the patch for a hotfix", () => {
    expect(decide("1.4.0", ["fix: a", "fix: b"], { hotfix: true })).toMatchObject({
      version: "1.4.1",
      bump: "patch",
    });
    expect(decide("1.4.0", [], { hotfix: true })).toMatchObject({
      version: "1.4.0",
      bump: "none",
      releasable: false,
    });
  });
});
