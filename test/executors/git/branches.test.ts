import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRepo, type TestRepo } from "../../helpers/git-repo.js";
import { gitAction, gitFailure } from "./run-action.js";

/** main: v1.2.0 release, then a feature and two fixes on main. */
function releasedRepo() {
  const repo = createRepo();
  repo.commit("feat: start", { "app.txt": "line 1\nline 2\nline 3\n" });
  repo.tag("v1.2.0", { message: "1.2.0" });
  repo.git("push", "--quiet", "origin", "main", "v1.2.0");
  const feature = repo.commit("feat: new screen", { "screen.txt": "screen\n" });
  const fix = repo.commit("fix: null check", { "app.txt": "line 1\nline 2 fixed\nline 3\n" });
  const security = repo.commit("chore(security): bump openssl", { "deps.txt": "openssl 3.0.14\n" });
  return { repo, feature, fix, security };
}

const branchOf = (repo: TestRepo) => repo.git("symbolic-ref", "--short", "HEAD").trim();

describe("git.create_branch", () => {
  it("creates a release branch and pushes it", async () => {
    const { repo } = releasedRepo();
    const { outputs } = await gitAction("create_branch", { name: "release/v1.3.0-rc.1", push: true }, repo);
    expect(outputs).toEqual({
      branch: "release/v1.3.0-rc.1",
      commit: repo.sha(),
      created: true,
      pushed: true,
    });
    expect(repo.git("ls-remote", "origin", "refs/heads/release/v1.3.0-rc.1").split("\t")[0]).toBe(repo.sha());
    expect(branchOf(repo)).toBe("main");
  });

  it("reuses the branch on a re-run, also after it grew", async () => {
    const { repo } = releasedRepo();
    const start = repo.sha();
    await gitAction("create_branch", { name: "release/v1.3.0-rc.1", checkout: true, push: true }, repo);
    const grown = repo.commit("fix: on the release branch");
    const { outputs } = await gitAction(
      "create_branch",
      { name: "release/v1.3.0-rc.1", from: start, push: true },
      repo,
    );
    expect(outputs).toMatchObject({ created: false, commit: grown, pushed: true });
    expect(repo.git("ls-remote", "origin", "refs/heads/release/v1.3.0-rc.1").split("\t")[0]).toBe(grown);
  });

  it("refuses a branch that exists somewhere else", async () => {
    const { repo } = releasedRepo();
    repo.git("branch", "release/v1.3.0-rc.1", "v1.2.0");
    const failure = await gitFailure("create_branch", { name: "release/v1.3.0-rc.1" }, repo);
    expect(failure.message).toMatch(
      /^branch release\/v1\.3\.0-rc\.1 already exists at [0-9a-f]{7}, which does not contain/,
    );
    expect(repo.sha("release/v1.3.0-rc.1")).toBe(repo.sha("v1.2.0"));
  });

  it("rejects an invalid branch name", async () => {
    const { repo } = releasedRepo();
    expect((await gitFailure("create_branch", { name: "release/v1..3" }, repo)).message).toBe(
      '"release/v1..3" is not a valid branch name',
    );
  });
});

describe("git.hotfix_branch", () => {
  it("branches hotfix/<next patch> from the release tag and checks it out", async () => {
    const { repo } = releasedRepo();
    const { outputs } = await gitAction("hotfix_branch", { tag: "v1.2.0" }, repo);
    expect(outputs).toEqual({
      branch: "hotfix/v1.2.1",
      commit: repo.sha("v1.2.0"),
      created: true,
      pushed: false,
      base_tag: "v1.2.0",
      version: "1.2.1",
      tag: "v1.2.1",
    });
    expect(branchOf(repo)).toBe("hotfix/v1.2.1");
    expect(repo.sha()).toBe(repo.sha("v1.2.0"));
  });

  it("takes a version instead of a tag", async () => {
    const { repo } = releasedRepo();
    const { outputs } = await gitAction(
      "hotfix_branch",
      { version: "1.2.0", name: "hotfix/INC-1234", checkout: false },
      repo,
    );
    expect(outputs).toMatchObject({ branch: "hotfix/INC-1234", base_tag: "v1.2.0" });
    expect(branchOf(repo)).toBe("main");
  });

  it("refuses to check out over uncommitted changes", async () => {
    const { repo } = releasedRepo();
    writeFileSync(join(repo.dir, "app.txt"), "dirty\n");
    const failure = await gitFailure("hotfix_branch", { tag: "v1.2.0" }, repo);
    expect(failure.message).toBe("the working tree has uncommitted changes:\n   M app.txt");
  });

  it("refuses an RC tag as a base", async () => {
    const { repo } = releasedRepo();
    repo.tag("v1.3.0-rc.1");
    expect((await gitFailure("hotfix_branch", { tag: "v1.3.0-rc.1" }, repo)).message).toBe(
      "v1.3.0-rc.1 is not a release tag in the format v{version}",
    );
  });
});

describe("git.cherry_pick", () => {
  it("applies the commits in order with their origin recorded", async () => {
    const { repo, fix, security } = releasedRepo();
    await gitAction("hotfix_branch", { tag: "v1.2.0" }, repo);
    const { outputs } = await gitAction("cherry_pick", { commits: [fix, security] }, repo);
    const picked = outputs.picked as { from: string; commit: string }[];
    expect(picked.map((entry) => entry.from)).toEqual([fix, security]);
    expect(outputs.head).toBe(picked[1]!.commit);
    expect(repo.git("log", "-1", "--format=%B", picked[0]!.commit)).toContain(
      `(cherry picked from commit ${fix})`,
    );
    expect(existsSync(join(repo.dir, "screen.txt"))).toBe(false);
  });

  it("skips commits already on the branch when run again", async () => {
    const { repo, fix, security } = releasedRepo();
    await gitAction("hotfix_branch", { tag: "v1.2.0" }, repo);
    await gitAction("cherry_pick", { commits: [fix] }, repo);
    const head = repo.sha();
    const { outputs } = await gitAction("cherry_pick", { commits: [fix, security] }, repo);
    expect(outputs.skipped).toEqual([fix]);
    expect((outputs.picked as { from: string }[]).map((entry) => entry.from)).toEqual([security]);
    expect(repo.sha("HEAD~1")).toBe(head);
  });

  it("aborts on a conflict so nothing is half-applied, and lists the conflicting files", async () => {
    const { repo, security } = releasedRepo();
    const conflicting = repo.commit("fix: rewrite line 2 again", {
      "app.txt": "line 1\nline 2 rewritten\nline 3\n",
    });
    await gitAction("hotfix_branch", { tag: "v1.2.0" }, repo);
    repo.commit("fix: hotfix-only change", { "app.txt": "line 1\nline 2 hotfixed\nline 3\n" });
    const before = repo.sha();
    const failure = await gitFailure("cherry_pick", { commits: [security, conflicting] }, repo);
    expect(failure.message).toBe(
      `cherry-picking ${conflicting.slice(0, 7)} (fix: rewrite line 2 again) conflicts in:\n  app.txt\n` +
        `nothing was applied: the cherry-pick was aborted and the branch is back at ${before.slice(0, 7)}`,
    );
    expect(failure.command?.slice(0, 3)).toEqual(["git", "cherry-pick", "-x"]);
    expect(repo.sha()).toBe(before);
    expect(repo.git("status", "--porcelain").trim()).toBe("");
    expect(existsSync(join(repo.dir, "deps.txt"))).toBe(false);
  });

  it("refuses to start on a detached HEAD or a dirty tree", async () => {
    const { repo, fix } = releasedRepo();
    repo.git("switch", "--quiet", "--detach", "v1.2.0");
    expect((await gitFailure("cherry_pick", { commits: [fix] }, repo)).message).toMatch(
      /^HEAD is detached at/,
    );
    repo.git("switch", "--quiet", "main");
    writeFileSync(join(repo.dir, "app.txt"), "dirty\n");
    expect((await gitFailure("cherry_pick", { commits: [fix] }, repo)).message).toMatch(
      /uncommitted changes/,
    );
  });

  it("fails clearly on an unknown commit", async () => {
    const { repo } = releasedRepo();
    expect((await gitFailure("cherry_pick", { commits: ["deadbeef"] }, repo)).message).toBe(
      '"deadbeef" does not name a commit',
    );
  });
});
