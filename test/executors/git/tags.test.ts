import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cloneRemote, createRepo, type TestRepo } from "../../helpers/git-repo.js";
import { gitAction, gitFailure } from "./run-action.js";

function publishedRepo(): TestRepo {
  const repo = createRepo();
  repo.commit("feat: start");
  repo.git("push", "--quiet", "origin", "main");
  return repo;
}

/** A server-side hook that rejects every push, as a protected-tag rule would. */
function rejectPushes(repo: TestRepo): () => void {
  const hook = join(repo.remote!, "hooks", "pre-receive");
  writeFileSync(hook, '#!/bin/sh\necho "remote: tags are frozen until Monday" >&2\nexit 1\n');
  chmodSync(hook, 0o755);
  return () => rmSync(hook);
}

const tagObject = (repo: TestRepo, tag: string) => repo.git("rev-parse", `refs/tags/${tag}`).trim();

describe("git.tag", () => {
  it("creates an annotated tag with the message exactly as given", async () => {
    const repo = publishedRepo();
    const message =
      "Release v3.7.0 - Wien Pilot GA\n\nHighlights:\n- P0 RLS Security Hardening\n--upload-pack=x\n# not a comment";
    const { outputs } = await gitAction("tag", { tag: "v3.7.0", message }, repo);
    expect(outputs).toEqual({ tag: "v3.7.0", commit: repo.sha(), created: true, pushed: false });
    expect(repo.git("cat-file", "-t", "refs/tags/v3.7.0").trim()).toBe("tag");
    expect(repo.git("tag", "-l", "--format=%(contents)", "v3.7.0").trimEnd()).toBe(message);
  });

  it("reuses a tag that already exists on the same commit instead of re-creating it", async () => {
    const repo = publishedRepo();
    await gitAction("tag", { tag: "v1.0.0" }, repo);
    const before = tagObject(repo, "v1.0.0");
    const { outputs, ctx } = await gitAction("tag", { tag: "v1.0.0", message: "another message" }, repo);
    expect(outputs).toMatchObject({ created: false, pushed: false });
    expect(tagObject(repo, "v1.0.0")).toBe(before);
    expect(ctx.logs.map((log) => log.message)).toContain(
      "tag v1.0.0 is not on origin yet; push it with git.push_tag",
    );
  });

  it("refuses a tag that exists on another commit and leaves it where it is", async () => {
    const repo = publishedRepo();
    const old = repo.sha();
    repo.tag("v1.0.0");
    repo.commit("fix: later");
    const failure = await gitFailure("tag", { tag: "v1.0.0" }, repo);
    expect(failure.message).toBe(
      `tag v1.0.0 already exists on ${old.slice(0, 7)} (feat: start), not on ${repo.sha().slice(0, 7)}`,
    );
    expect(failure.hint).toMatch(/never moves or deletes tags/);
    expect(repo.sha("v1.0.0")).toBe(old);
  });

  it("tags another ref than HEAD", async () => {
    const repo = publishedRepo();
    const first = repo.sha();
    repo.commit("fix: later");
    expect((await gitAction("tag", { tag: "v1.0.0", ref: first }, repo)).outputs).toMatchObject({
      commit: first,
    });
  });

  it("creates and pushes in one step", async () => {
    const repo = publishedRepo();
    const { outputs } = await gitAction("tag", { tag: "v1.0.0", push: true }, repo);
    expect(outputs).toMatchObject({ created: true, pushed: true });
    expect(repo.remoteTagCommit("v1.0.0")).toBe(repo.sha());
  });

  it("reports a tag created but not pushed when the remote rejects it, and a re-run only pushes it", async () => {
    const repo = publishedRepo();
    const allow = rejectPushes(repo);
    const failure = await gitFailure("tag", { tag: "v1.0.0", message: "GA", push: true }, repo);
    expect(failure.message).toMatch(
      /^tag v1\.0\.0 was created on [0-9a-f]{7} but is not pushed: origin rejected the push of v1\.0\.0$/,
    );
    expect(failure.stderrTail).toContain("remote: tags are frozen until Monday");
    expect(failure.command).toEqual(["git", "push", "--", "origin", "refs/tags/v1.0.0:refs/tags/v1.0.0"]);
    expect(failure.exitCode).toBe(1);
    expect(failure.hint).toMatch(/A re-run reuses the local tag and only pushes it/);
    expect(failure.outputs).toEqual({ tag: "v1.0.0", commit: repo.sha(), created: true, pushed: false });
    expect(repo.remoteTagCommit("v1.0.0")).toBeUndefined();
    const created = tagObject(repo, "v1.0.0");

    allow();
    const { outputs } = await gitAction("tag", { tag: "v1.0.0", message: "GA", push: true }, repo);
    expect(outputs).toMatchObject({ created: false, pushed: true });
    expect(tagObject(repo, "v1.0.0")).toBe(created);
    expect(repo.remoteTagCommit("v1.0.0")).toBe(repo.sha());
  });

  it("refuses before creating anything when the remote has the tag on another commit", async () => {
    const repo = publishedRepo();
    const colleague = cloneRemote(repo);
    colleague.commit("fix: theirs");
    colleague.tag("v1.0.0", { message: "theirs" });
    colleague.git("push", "--quiet", "origin", "main", "v1.0.0");
    const failure = await gitFailure("tag", { tag: "v1.0.0", push: true }, repo);
    expect(failure.message).toBe(
      `tag v1.0.0 already exists on origin on ${colleague.sha().slice(0, 7)}, not on ${repo.sha().slice(0, 7)}`,
    );
    expect(repo.git("tag", "--list").trim()).toBe("");
  });

  it("takes the remote's tag when it is already there on the same commit", async () => {
    const repo = publishedRepo();
    const colleague = cloneRemote(repo);
    colleague.tag("v1.0.0", { message: "theirs" });
    colleague.git("push", "--quiet", "origin", "v1.0.0");
    const { outputs } = await gitAction("tag", { tag: "v1.0.0", push: true }, repo);
    expect(outputs).toMatchObject({ created: false, pushed: true });
    expect(tagObject(repo, "v1.0.0")).toBe(tagObject(colleague, "v1.0.0"));
  });

  it.each(["v1.0.0 beta", "v1..0", "--force"])("rejects the tag name %j", async (name) => {
    const repo = publishedRepo();
    await expect(gitAction("tag", { tag: name }, repo)).rejects.toThrow(/not a valid tag name|must not/);
  });
});

describe("git.push_tag", () => {
  it("pushes a local tag and succeeds again when it is already there", async () => {
    const repo = publishedRepo();
    repo.tag("v1.0.0", { message: "1.0.0" });
    expect((await gitAction("push_tag", { tag: "v1.0.0" }, repo)).outputs).toEqual({
      tag: "v1.0.0",
      commit: repo.sha(),
      pushed: true,
      already_on_remote: false,
    });
    expect((await gitAction("push_tag", { tag: "v1.0.0" }, repo)).outputs).toMatchObject({
      pushed: false,
      already_on_remote: true,
    });
  });

  it("pushes a lightweight tag too", async () => {
    const repo = publishedRepo();
    repo.tag("v1.0.0");
    await gitAction("push_tag", { tag: "v1.0.0" }, repo);
    expect(repo.remoteTagCommit("v1.0.0")).toBe(repo.sha());
  });

  it("refuses when the remote's tag points at another commit", async () => {
    const repo = publishedRepo();
    const colleague = cloneRemote(repo);
    colleague.commit("fix: theirs");
    colleague.tag("v1.0.0");
    colleague.git("push", "--quiet", "origin", "main", "v1.0.0");
    repo.tag("v1.0.0");
    const failure = await gitFailure("push_tag", { tag: "v1.0.0" }, repo);
    expect(failure.message).toMatch(
      /^v1\.0\.0 on origin points at [0-9a-f]{7}, not at [0-9a-f]{7}; relctl never moves/,
    );
    expect(repo.remoteTagCommit("v1.0.0")).toBe(colleague.sha());
  });

  it("fails when there is no local tag", async () => {
    const repo = publishedRepo();
    expect((await gitFailure("push_tag", { tag: "v9.9.9" }, repo)).message).toBe(
      "there is no local tag v9.9.9 to push",
    );
  });

  it("fails when the remote is missing", async () => {
    const repo = publishedRepo();
    repo.tag("v1.0.0");
    repo.git("remote", "remove", "origin");
    expect((await gitFailure("push_tag", { tag: "v1.0.0" }, repo)).message).toBe(
      'the repository has no remote named "origin"',
    );
  });

  it("fails with git's words when the remote cannot be reached", async () => {
    const repo = publishedRepo();
    repo.tag("v1.0.0");
    repo.git("remote", "set-url", "origin", join(repo.dir, "..", "gone.git"));
    const failure = await gitFailure("push_tag", { tag: "v1.0.0" }, repo);
    expect(failure.message).toBe('could not read refs/tags/v1.0.0 from remote "origin"');
    expect(failure.stderrTail).toMatch(/does not appear to be a git repository/);
  });
});

describe("git.promote_rc", () => {
  function withRcs(rcFormat: "-rc{n}" | "-rc.{n}") {
    const repo = publishedRepo();
    repo.tag("v3.6.0");
    repo.commit("feat: pilot");
    repo.tag(`v3.7.0${rcFormat.replace("{n}", "1")}`, { message: "RC1" });
    repo.commit("fix: issue 123");
    repo.tag(`v3.7.0${rcFormat.replace("{n}", "2")}`, { message: "RC2" });
    const rc2 = repo.sha();
    repo.commit("feat: after the RC, must not be in GA");
    return { repo, rc2 };
  }

  it("tags GA on the RC's commit, not on HEAD", async () => {
    const { repo, rc2 } = withRcs("-rc.{n}");
    const { outputs } = await gitAction("promote_rc", { rc_tag: "v3.7.0-rc.2", push: true }, repo);
    expect(outputs).toEqual({
      tag: "v3.7.0",
      rc_tag: "v3.7.0-rc.2",
      version: "3.7.0",
      commit: rc2,
      created: true,
      pushed: true,
    });
    expect(repo.git("tag", "-l", "--format=%(contents)", "v3.7.0").trim()).toBe(
      "Release v3.7.0, promoted from v3.7.0-rc.2",
    );
    expect(repo.remoteTagCommit("v3.7.0")).toBe(rc2);
  });

  it("finds the highest RC of a version, counting rc10 after rc9", async () => {
    const { repo } = withRcs("-rc{n}");
    repo.tag("v3.7.0-rc9");
    repo.commit("fix: more");
    repo.tag("v3.7.0-rc10");
    const { outputs } = await gitAction("promote_rc", { version: "3.7.0", rc_format: "-rc{n}" }, repo);
    expect(outputs).toMatchObject({ rc_tag: "v3.7.0-rc10", commit: repo.sha("v3.7.0-rc10") });
  });

  it("refuses when the RC is not on the commit that was validated", async () => {
    const { repo } = withRcs("-rc.{n}");
    const failure = await gitFailure(
      "promote_rc",
      { rc_tag: "v3.7.0-rc.2", commit: repo.sha("v3.7.0-rc.1") },
      repo,
    );
    expect(failure.message).toMatch(
      /^v3\.7\.0-rc\.2 is on [0-9a-f]{7}, not on the validated commit [0-9a-f]{7}; refusing to promote$/,
    );
    expect(repo.git("tag", "--list", "v3.7.0").trim()).toBe("");
  });

  it("refuses when the GA tag already exists on another commit", async () => {
    const { repo } = withRcs("-rc.{n}");
    repo.tag("v3.7.0");
    const failure = await gitFailure("promote_rc", { rc_tag: "v3.7.0-rc.2" }, repo);
    expect(failure.message).toMatch(/^tag v3\.7\.0 already exists on [0-9a-f]{7} \(feat: after the RC/);
  });

  it("succeeds again on a re-run", async () => {
    const { repo, rc2 } = withRcs("-rc.{n}");
    await gitAction("promote_rc", { rc_tag: "v3.7.0-rc.2" }, repo);
    const { outputs } = await gitAction("promote_rc", { rc_tag: "v3.7.0-rc.2" }, repo);
    expect(outputs).toMatchObject({ created: false, commit: rc2 });
  });

  it("refuses a tag that is not an RC", async () => {
    const { repo } = withRcs("-rc.{n}");
    const failure = await gitFailure("promote_rc", { rc_tag: "v3.6.0" }, repo);
    expect(failure.message).toBe("v3.6.0 is not a release-candidate tag in the format v{version} + -rc.{n}");
  });

  it("needs an RC tag or a version", async () => {
    const { repo } = withRcs("-rc.{n}");
    await expect(gitAction("promote_rc", {}, repo)).rejects.toThrow(/give rc_tag or version/);
  });
});
