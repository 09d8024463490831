import { describe, expect, it } from "vitest";
import { describeOffenders, findHotfixOffenders } from "../../src/release/hotfix.js";
import { analyseCommits } from "../../src/release/version.js";

const commit = (sha: string, message: string, parents = ["p"]) => ({
  sha: sha.padEnd(40, "0"),
  parents,
  message,
});

describe("hotfix rules", () => {
  it("allows only fix and chore(security) commits and lists every offender", () => {
    const commits = analyseCommits([
      commit("aaaaaaa", "fix: null check"),
      commit("bbbbbbb", "feat: sneaky feature"),
      commit("ccccccc", "chore(security): bump openssl"),
      commit("ddddddd", "chore: tidy"),
      commit("eeeeeee", "fix!: change the api"),
      commit("fffffff", "quick fix"),
      commit("1234567", "Merge branch 'fix-x' into hotfix/v1.2.1", ["p", "q"]),
    ]);
    const offenders = findHotfixOffenders(commits);
    expect(offenders.map((offender) => offender.sha.slice(0, 7))).toEqual([
      "bbbbbbb",
      "ddddddd",
      "eeeeeee",
      "fffffff",
    ]);
    expect(describeOffenders(offenders).split("\n")).toEqual([
      "  bbbbbbb feat: sneaky feature (type feat; allowed: fix, chore(security))",
      "  ddddddd chore: tidy (type chore; allowed: fix, chore(security))",
      "  eeeeeee fix!: change the api (breaking change)",
      "  fffffff quick fix (not a conventional commit; allowed: fix, chore(security))",
    ]);
  });

  it("takes a custom allow list", () => {
    const commits = analyseCommits([commit("aaaaaaa", "chore(release): 1.2.1"), commit("bbbbbbb", "fix: x")]);
    expect(findHotfixOffenders(commits, ["fix", "chore(security)", "chore(release)"])).toEqual([]);
  });
});
