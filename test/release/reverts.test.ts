// Reverts as real histories write them, on real repositories: git's own `git revert`, GitHub's
// revert pull request squash-merged (`Revert "fix: x (#11)" (#12)`), and a reworded revert whose
// body still carries git's `This reverts commit <sha>.` line.
import { describe, expect, it } from "vitest";
import { openGit } from "../../src/release/git-client.js";
import { computeNextVersion, type NextVersionOptions } from "../../src/release/next-version.js";
import { createRepo, type TestRepo } from "../helpers/git-repo.js";

const DEFAULTS: NextVersionOptions = {
  format: { template: "v{version}", rcFormat: "-rc.{n}" },
  rc: false,
  hotfix: false,
  initialVersion: "0.1.0",
};

const next = (repo: TestRepo) => computeNextVersion(openGit({ dir: repo.dir, env: repo.env }), DEFAULTS);

/** A repository released as v1.4.0, whose last released change is `fix: x (#11)`. */
function releasedFix(): { repo: TestRepo; fix: string } {
  const repo = createRepo();
  repo.commit("feat: start");
  repo.tag("v1.4.0-pre");
  const fix = repo.commit("fix: x (#11)", { "x.txt": "fixed\n" });
  repo.tag("v1.4.0", { message: "1.4.0" });
  return { repo, fix };
}

/** What the squash merge of GitHub's revert pull request commits. */
function squashedRevertMessage(header: string, pr: number, body: string): string {
  return `Revert "${header}" (#${pr})\n\n${body}\n`;
}

describe("a revert of a released fix", () => {
  it.each([
    ["with only GitHub's `Reverts owner/repo#11` in the body", () => "Reverts acme/api#11"],
    ["with git's `This reverts commit` line in the body", (fix: string) => `This reverts commit ${fix}.`],
  ])("squash-merged from GitHub's revert pull request %s is a patch release", async (_how, body) => {
    const { repo, fix } = releasedFix();
    // The issue's own example: the quote is the pull request's title, without its number.
    const revert = repo.commit(squashedRevertMessage("fix: x", 12, body(fix)), { "x.txt": "" });
    const result = await next(repo);
    expect(result).toMatchObject({ version: "1.4.1", bump: "patch", releasable: true });
    expect(result.causes.map((commit) => commit.sha)).toEqual([revert]);
  });

  it("made with `git revert` is a patch release", async () => {
    const { repo, fix } = releasedFix();
    repo.git("revert", "--no-edit", fix);
    expect(await next(repo)).toMatchObject({ version: "1.4.1", bump: "patch" });
  });

  it("whose header was reworded still counts by git's `This reverts commit` line", async () => {
    const { repo, fix } = releasedFix();
    repo.git("revert", "--no-edit", fix);
    const body = repo.git("log", "-1", "--format=%b").trim();
    repo.git("commit", "--quiet", "--amend", "--message", `Back out the x change\n\n${body}`);
    expect(await next(repo)).toMatchObject({ version: "1.4.1", bump: "patch" });
  });
});

describe("a feat reverted in the same range", () => {
  /** v1.4.0, then `feat: y (#13)` and a fix: the fix alone is left once the feat is reverted. */
  function unreleasedFeat(): { repo: TestRepo; feat: string; fix: string } {
    const { repo } = releasedFix();
    const feat = repo.commit("feat: y (#13)", { "y.txt": "y\n" });
    const fix = repo.commit("fix: z (#14)", { "z.txt": "z\n" });
    return { repo, feat, fix };
  }

  it.each([
    ["with git's `This reverts commit` line", (feat: string) => `This reverts commit ${feat}.`],
    ["with only GitHub's `Reverts owner/repo#13`", () => "Reverts acme/api#13"],
  ])("squash-merged from GitHub %s no longer counts as a minor", async (_how, body) => {
    const { repo, feat, fix } = unreleasedFeat();
    const revert = repo.commit(squashedRevertMessage("feat: y (#13)", 15, body(feat)), { "y.txt": "" });
    const result = await next(repo);
    expect(result).toMatchObject({ version: "1.4.1", bump: "patch" });
    expect(result.causes.map((commit) => commit.sha)).toEqual([fix]);
    const cancelled = result.commits.filter((commit) => commit.cancelledBy !== undefined);
    expect(cancelled.map((commit) => commit.sha).sort()).toEqual([feat, revert].sort());
  });

  it('squash-merged as `Revert "feat: y" (#15)`, quoting the pull request\'s title, no longer counts', async () => {
    const { repo, fix } = unreleasedFeat();
    repo.commit(squashedRevertMessage("feat: y", 15, "Reverts acme/api#13"), { "y.txt": "" });
    const result = await next(repo);
    expect(result).toMatchObject({ version: "1.4.1", bump: "patch" });
    expect(result.causes.map((commit) => commit.sha)).toEqual([fix]);
  });

  it("reverted with `git revert` and a reworded header no longer counts as a minor", async () => {
    const { repo, feat } = unreleasedFeat();
    repo.git("revert", "--no-edit", feat);
    const body = repo.git("log", "-1", "--format=%b").trim();
    repo.git("commit", "--quiet", "--amend", "--message", `Drop y again\n\n${body}`);
    expect(await next(repo)).toMatchObject({ version: "1.4.1", bump: "patch" });
  });

  it("and re-applied by a revert of GitHub's revert counts as a minor again", async () => {
    const { repo, feat } = unreleasedFeat();
    const revert = repo.commit(squashedRevertMessage("feat: y (#13)", 15, `This reverts commit ${feat}.`), {
      "y.txt": "",
    });
    repo.commit(squashedRevertMessage('Revert "feat: y (#13)" (#15)', 16, `This reverts commit ${revert}.`), {
      "y.txt": "y\n",
    });
    expect(await next(repo)).toMatchObject({ version: "1.5.0", bump: "minor" });
  });
});
