import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import git from "../../../src/executors/git.js";
import { cloneRemote, createRepo } from "../../helpers/git-repo.js";
import { gitAction, gitFailure } from "./run-action.js";

function publishedRepo() {
  const repo = createRepo();
  repo.commit("feat: start");
  repo.git("push", "--quiet", "origin", "main");
  return repo;
}

describe("git.ensure_clean", () => {
  it("passes on a clean tree and reports HEAD", async () => {
    const repo = publishedRepo();
    expect((await gitAction("ensure_clean", {}, repo)).outputs).toEqual({ commit: repo.sha() });
  });

  it("fails listing the modified and untracked files", async () => {
    const repo = publishedRepo();
    writeFileSync(join(repo.dir, "file-1.txt"), "changed\n");
    writeFileSync(join(repo.dir, "new.txt"), "new\n");
    const failure = await gitFailure("ensure_clean", {}, repo);
    expect(failure.message).toBe("the working tree has uncommitted changes:\n   M file-1.txt\n  ?? new.txt");
    expect(failure.hint).toMatch(/commit or stash/);
  });

  it("ignores untracked files when asked to", async () => {
    const repo = publishedRepo();
    writeFileSync(join(repo.dir, "new.txt"), "new\n");
    expect((await gitAction("ensure_clean", { allow_untracked: true }, repo)).outputs).toEqual({
      commit: repo.sha(),
    });
  });

  it("fails clearly outside a repository", async () => {
    const repo = publishedRepo();
    const failure = await gitFailure("ensure_clean", { repo: "/" }, repo);
    expect(failure.message).toBe("/ is not a git repository");
  });
});

describe("git.ensure_branch", () => {
  it("passes on the branch when it is level with the remote", async () => {
    const repo = publishedRepo();
    const { outputs } = await gitAction("ensure_branch", { name: "main" }, repo);
    expect(outputs).toEqual({
      branch: "main",
      commit: repo.sha(),
      remote_commit: repo.sha(),
      ahead: 0,
      behind: 0,
    });
  });

  it("fails on another branch", async () => {
    const repo = publishedRepo();
    repo.git("switch", "--quiet", "-c", "topic");
    const failure = await gitFailure("ensure_branch", { name: "main" }, repo);
    expect(failure.message).toBe("HEAD is on branch topic, not on main");
  });

  it("fails on a detached HEAD", async () => {
    const repo = publishedRepo();
    repo.git("switch", "--quiet", "--detach", "HEAD");
    const failure = await gitFailure("ensure_branch", { name: "main" }, repo);
    expect(failure.message).toBe(`HEAD is detached at ${repo.sha().slice(0, 7)}, not on a branch`);
  });

  it("fails when someone pushed commits this checkout does not have", async () => {
    const repo = publishedRepo();
    const colleague = cloneRemote(repo);
    colleague.commit("fix: pushed by a colleague");
    colleague.git("push", "--quiet", "origin", "main");
    const failure = await gitFailure("ensure_branch", { name: "main" }, repo);
    expect(failure.message).toBe("main is 1 commit behind origin/main");
    expect(failure.hint).toBe("update it first: git pull --ff-only origin main");
  });

  it("fails when local commits are not pushed, unless allowed", async () => {
    const repo = publishedRepo();
    repo.commit("fix: local only");
    expect((await gitFailure("ensure_branch", {}, repo)).message).toBe(
      "main has 1 commit that origin does not have",
    );
    const { outputs } = await gitAction("ensure_branch", { allow_ahead: true }, repo);
    expect(outputs).toMatchObject({ ahead: 1, behind: 0 });
  });

  it("fails when the remote is missing and names the remotes it has", async () => {
    const repo = publishedRepo();
    const failure = await gitFailure("ensure_branch", { remote: "upstream" }, repo);
    expect(failure.message).toBe('the repository has no remote named "upstream"');
    expect(failure.hint).toBe("known remotes: origin; set remote: to one of them");
  });

  it("fails when the repository has no remote at all", async () => {
    const repo = createRepo({ remote: false });
    repo.commit("feat: local");
    const failure = await gitFailure("ensure_branch", {}, repo);
    expect(failure.hint).toBe("add it with: git remote add origin <url>");
  });

  it("fails when the remote has no such branch", async () => {
    const repo = publishedRepo();
    repo.git("switch", "--quiet", "-c", "release/v1.0.0");
    const failure = await gitFailure("ensure_branch", { name: "release/v1.0.0" }, repo);
    expect(failure.message).toBe("origin has no branch release/v1.0.0");
  });

  it("rejects a branch name that git could read as an option", () => {
    const result = git.actions.ensure_branch!.input.safeParse({ name: "--upload-pack=evil" });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['branch must not start with "-"']);
  });
});

describe("git.fetch_tags", () => {
  it("fetches tags others pushed", async () => {
    const repo = publishedRepo();
    const colleague = cloneRemote(repo);
    colleague.tag("v1.0.0", { message: "1.0.0" });
    colleague.git("push", "--quiet", "origin", "v1.0.0");
    const { outputs } = await gitAction("fetch_tags", {}, repo);
    expect(outputs).toEqual({ fetched: ["v1.0.0"], tags: 1 });
  });

  it("refuses to overwrite a local tag that differs from the remote's", async () => {
    const repo = publishedRepo();
    const colleague = cloneRemote(repo);
    colleague.commit("fix: other");
    colleague.tag("v1.0.0");
    colleague.git("push", "--quiet", "origin", "main", "v1.0.0");
    repo.tag("v1.0.0");
    const failure = await gitFailure("fetch_tags", {}, repo);
    expect(failure.message).toBe("local tag v1.0.0 differs from origin's; relctl does not overwrite tags");
    expect(repo.sha("v1.0.0")).not.toBe(colleague.sha("v1.0.0"));
  });
});
