import { describe, expect, it } from "vitest";
import { createRepo } from "../../helpers/git-repo.js";
import { gitAction, gitFailure } from "./run-action.js";

function repoWithRelease() {
  const repo = createRepo();
  repo.commit("feat: start");
  repo.tag("v1.4.0", { message: "1.4.0" });
  return repo;
}

describe("git.next_version", () => {
  it("outputs the next version, why, and the commits", async () => {
    const repo = repoWithRelease();
    const feat = repo.commit("feat(api): paginate");
    repo.commit("docs: readme");
    const { outputs, ctx } = await gitAction("next_version", {}, repo);
    expect(outputs).toMatchObject({
      version: "1.5.0",
      previous_version: "1.4.0",
      previous_tag: "v1.4.0",
      bump: "minor",
      reason: "minor bump from 1.4.0 because of 1 feat commit",
      tag: "v1.5.0",
      is_prerelease: false,
      releasable: true,
    });
    expect((outputs.commits as { sha: string; counted: boolean }[]).map((c) => [c.sha, c.counted])).toEqual([
      [repo.sha(), false],
      [feat, true],
    ]);
    expect(ctx.logs).toContainEqual({
      level: "info",
      message: "1.5.0 (minor): minor bump from 1.4.0 because of 1 feat commit",
    });
  });

  it("computes an RC in the runbook's -rc{n} style", async () => {
    const repo = repoWithRelease();
    repo.commit("fix: bug");
    const { outputs } = await gitAction("next_version", { rc: true, rc_format: "-rc{n}" }, repo);
    expect(outputs).toMatchObject({
      version: "1.4.1-rc1",
      tag: "v1.4.1-rc1",
      ga_tag: "v1.4.1",
      rc_number: 1,
    });
  });

  it("treats an empty force_version as unset, so an unset playbook var works", async () => {
    const repo = repoWithRelease();
    repo.commit("fix: bug");
    expect((await gitAction("next_version", { force_version: "" }, repo)).outputs.version).toBe("1.4.1");
    expect((await gitAction("next_version", { force_version: "2.0.0" }, repo)).outputs.version).toBe("2.0.0");
  });

  it("fails when asked to and there is nothing to release", async () => {
    const repo = repoWithRelease();
    repo.commit("chore: tidy");
    expect((await gitAction("next_version", {}, repo)).outputs).toMatchObject({
      releasable: false,
      version: "1.4.0",
    });
    const failure = await gitFailure("next_version", { require_release: true }, repo);
    expect(failure.message).toBe(
      "nothing to release: no feat, fix, perf, revert or breaking commits since the last release",
    );
    expect(failure.outputs?.releasable).toBe(false);
  });

  it("turns a release rule into a step failure with its hint", async () => {
    const repo = repoWithRelease();
    repo.commit("fix: bug");
    const failure = await gitFailure("next_version", { force_version: "1.0.0" }, repo);
    expect(failure.message).toBe("version 1.0.0 is not greater than the previous release 1.4.0");
    expect(failure.hint).toBe("versions only move forwards; pick a higher version");
  });

  it("logs a tag clash as a warning", async () => {
    const repo = repoWithRelease();
    repo.git("switch", "--quiet", "-c", "other");
    repo.commit("fix: elsewhere");
    repo.tag("v1.4.1");
    repo.git("switch", "--quiet", "main");
    repo.commit("fix: here");
    const { ctx } = await gitAction("next_version", {}, repo);
    expect(ctx.logs.filter((log) => log.level === "warn").map((log) => log.message)).toEqual([
      expect.stringMatching(/^tag v1\.4\.1 already exists on [0-9a-f]{7}, not on/),
    ]);
  });

  it("is read-only and safe to run in a dry-run", async () => {
    const { default: git } = await import("../../../src/executors/git.js");
    const action = git.actions.next_version!;
    expect(action.mutates).toBe(false);
    expect(action.dryRunSafe).toBe(true);
  });
});

describe("git.check_hotfix", () => {
  function hotfixRepo() {
    const repo = repoWithRelease();
    repo.git("switch", "--quiet", "-c", "hotfix/v1.4.1");
    return repo;
  }

  it("passes when every commit since the release is a fix or a security chore", async () => {
    const repo = hotfixRepo();
    repo.commit("fix: a");
    repo.commit("chore(security): b");
    expect((await gitAction("check_hotfix", {}, repo)).outputs).toEqual({
      base: "v1.4.0",
      commits: 2,
      offenders: [],
    });
  });

  it("fails listing every offender", async () => {
    const repo = hotfixRepo();
    repo.commit("fix: a");
    const feat = repo.commit("feat: sneaky");
    const refactor = repo.commit("refactor: tidy");
    const failure = await gitFailure("check_hotfix", {}, repo);
    expect(failure.message).toBe(
      "2 commits since v1.4.0 are not allowed in a hotfix (allowed: fix, chore(security)):\n" +
        `  ${refactor.slice(0, 7)} refactor: tidy (type refactor; allowed: fix, chore(security))\n` +
        `  ${feat.slice(0, 7)} feat: sneaky (type feat; allowed: fix, chore(security))`,
    );
    expect((failure.outputs?.offenders as unknown[]).length).toBe(2);
  });

  it("checks against an explicit base and a custom allow list", async () => {
    const repo = hotfixRepo();
    repo.commit("chore(release): 1.4.1");
    await expect(gitAction("check_hotfix", { base: "v1.4.0" }, repo)).rejects.toThrow(
      /not allowed in a hotfix/,
    );
    const { outputs } = await gitAction(
      "check_hotfix",
      { allow: ["fix", "chore(security)", "chore(release)"] },
      repo,
    );
    expect(outputs.commits).toBe(1);
  });

  it("fails when no release tag is reachable", async () => {
    const repo = createRepo();
    repo.commit("fix: a");
    expect((await gitFailure("check_hotfix", {}, repo)).message).toBe(
      "no release tag in the format v{version} is reachable from HEAD",
    );
  });
});
