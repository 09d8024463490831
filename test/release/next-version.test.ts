import { describe, expect, it } from "vitest";
import { ReleaseRuleError } from "../../src/release/errors.js";
import { openGit } from "../../src/release/git-client.js";
import {
  computeNextVersion,
  nextVersionOutputs,
  type NextVersionOptions,
} from "../../src/release/next-version.js";
import { createRepo, type TestRepo } from "../helpers/git-repo.js";

const DEFAULTS: NextVersionOptions = {
  format: { template: "v{version}", rcFormat: "-rc.{n}" },
  rc: false,
  hotfix: false,
  initialVersion: "0.1.0",
};

const next = (repo: TestRepo, options: Partial<NextVersionOptions> = {}) =>
  computeNextVersion(openGit({ dir: repo.dir, env: repo.env }), { ...DEFAULTS, ...options });

describe("the next version of a real repository", () => {
  it("starts at the initial version when there are no tags at all", async () => {
    const repo = createRepo();
    repo.commit("feat: first");
    repo.commit("Initial import");
    const result = await next(repo);
    expect(result).toMatchObject({ version: "0.1.0", bump: "initial", tag: "v0.1.0", releasable: true });
    expect(result.previousTag).toBeUndefined();
    expect(result.commits).toHaveLength(2);
  });

  it.each([
    ["an annotated", { message: "Release v1.4.0" }],
    ["a lightweight", {}],
  ])("reads the previous release from %s tag", async (_kind, tagOptions) => {
    const repo = createRepo();
    repo.commit("feat: old");
    repo.tag("v1.4.0", tagOptions);
    repo.commit("fix: new bug");
    const result = await next(repo);
    expect(result).toMatchObject({
      version: "1.4.1",
      previousVersion: "1.4.0",
      previousTag: "v1.4.0",
      bump: "patch",
    });
    expect(result.commits.map((commit) => commit.commit.header)).toEqual(["fix: new bug"]);
  });

  it("counts feature commits that arrived through a merge", async () => {
    const repo = createRepo();
    repo.commit("chore: init");
    repo.tag("v1.0.0", { message: "1.0.0" });
    repo.git("checkout", "--quiet", "-b", "topic");
    repo.commit("feat(api): paginate");
    repo.git("checkout", "--quiet", "main");
    repo.commit("fix: typo");
    repo.git("merge", "--quiet", "--no-ff", "-m", "Merge branch 'topic'", "topic");
    const result = await next(repo);
    expect(result).toMatchObject({ version: "1.1.0", bump: "minor" });
    expect(result.causes.map((commit) => commit.commit.header)).toEqual(["feat(api): paginate"]);
    expect(result.commits.find((commit) => commit.merge)?.commit.header).toBe("Merge branch 'topic'");
  });

  it("finds a release tagged on a release branch that was merged back (not on the first parent)", async () => {
    const repo = createRepo();
    repo.commit("feat: one");
    repo.tag("v1.0.0");
    repo.git("checkout", "--quiet", "-b", "release/v1.1.0");
    repo.commit("feat: released on the branch");
    repo.tag("v1.1.0", { message: "1.1.0" });
    repo.git("checkout", "--quiet", "main");
    repo.commit("fix: on main meanwhile");
    repo.git("merge", "--quiet", "--no-ff", "-m", "Merge release/v1.1.0", "release/v1.1.0");
    const result = await next(repo);
    expect(result.previousTag).toBe("v1.1.0");
    expect(result.version).toBe("1.1.1");
    expect(result.commits.map((commit) => commit.commit.header)).not.toContain(
      "feat: released on the branch",
    );
  });

  it("cancels a feature reverted before the release", async () => {
    const repo = createRepo();
    repo.commit("chore: init");
    repo.tag("v2.0.0");
    repo.commit("fix: small", { "a.txt": "a" });
    const feature = repo.commit("feat!: risky rewrite", { "b.txt": "b" });
    repo.git("revert", "--no-edit", feature);
    const result = await next(repo);
    expect(result).toMatchObject({ version: "2.0.1", bump: "patch" });
    expect(result.commits.filter((commit) => commit.cancelledBy !== undefined)).toHaveLength(2);
  });

  it("reads a squash-merged pull request as one commit", async () => {
    const repo = createRepo();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit("feat(ui): dark mode (#42)\n\n* feat: toggle\n\n* fix: contrast\n\n* chore: lint");
    const result = await next(repo);
    expect(result).toMatchObject({ version: "1.1.0", bump: "minor" });
    expect(result.commits).toHaveLength(1);
  });

  it("finds no release in non-conventional messages", async () => {
    const repo = createRepo();
    repo.commit("chore: init");
    repo.tag("v1.0.0");
    repo.commit("Update README");
    repo.commit("wip");
    const result = await next(repo);
    expect(result).toMatchObject({ version: "1.0.0", bump: "none", releasable: false, tag: "v1.0.0" });
  });

  it("applies the pre-1.0 rules", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v0.3.1");
    repo.commit("feat!: change everything");
    expect(await next(repo)).toMatchObject({ version: "0.4.0", bump: "minor" });
    repo.tag("v0.4.0");
    repo.commit("feat: small thing");
    expect(await next(repo)).toMatchObject({ version: "0.4.1", bump: "patch" });
  });

  it("ignores tags in another format and RC tags when looking for the previous release", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.0.0");
    repo.commit("feat: next");
    repo.tag("v1.1.0-rc.1");
    repo.tag("1.9.0");
    repo.tag("web-v5.0.0");
    repo.commit("fix: more");
    expect(await next(repo)).toMatchObject({ previousTag: "v1.0.0", version: "1.1.0" });
  });

  it("numbers RCs from the existing RC tags", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v3.6.0");
    repo.commit("feat: wien pilot");
    repo.tag("v3.7.0-rc1", { message: "RC1" });
    repo.commit("fix: issue #123");
    repo.tag("v3.7.0-rc2", { message: "RC2" });
    repo.commit("fix: another");
    const result = await next(repo, { rc: true, format: { template: "v{version}", rcFormat: "-rc{n}" } });
    expect(result).toMatchObject({
      version: "3.7.0-rc3",
      baseVersion: "3.7.0",
      tag: "v3.7.0-rc3",
      gaTag: "v3.7.0",
      rcNumber: 3,
      isPrerelease: true,
      previousTag: "v3.6.0",
    });
  });

  it("re-uses the RC tag already on HEAD instead of numbering a new one", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.0.0");
    repo.commit("feat: new");
    repo.tag("v1.1.0-rc.1");
    const result = await next(repo, { rc: true });
    expect(result).toMatchObject({ version: "1.1.0-rc.1", alreadyTagged: true, rcNumber: 1 });
  });

  it("computes the GA version of an RC on the same commit", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.0.0");
    repo.commit("feat: new");
    repo.tag("v1.1.0-rc.2");
    expect(await next(repo)).toMatchObject({ version: "1.1.0", tag: "v1.1.0", isPrerelease: false });
  });

  it("answers with the release on HEAD when it is already tagged, so a re-run can finish", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.0.0");
    repo.commit("feat: new");
    repo.tag("v1.1.0", { message: "1.1.0" });
    const result = await next(repo);
    expect(result).toMatchObject({
      version: "1.1.0",
      previousTag: "v1.0.0",
      bump: "minor",
      alreadyTagged: true,
      releasable: true,
    });
  });

  it("follows a forced version and a Release-As footer", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.0.0");
    repo.commit("chore: prepare 2.0\n\nRelease-As: 2.0.0");
    expect(await next(repo)).toMatchObject({ version: "2.0.0", bump: "forced" });
    expect(await next(repo, { forceVersion: "1.5.0" })).toMatchObject({ version: "1.5.0", tag: "v1.5.0" });
  });

  it("warns when the computed tag already exists on another commit", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.0.0");
    repo.git("checkout", "--quiet", "-b", "elsewhere");
    repo.commit("fix: elsewhere");
    repo.tag("v1.0.1");
    repo.git("checkout", "--quiet", "main");
    repo.commit("fix: here");
    const result = await next(repo);
    expect(result.version).toBe("1.0.1");
    expect(result.warnings[0]).toMatch(/tag v1\.0\.1 already exists on [0-9a-f]{7}, not on [0-9a-f]{7}/);
  });

  it("computes a hotfix from the release tag its branch starts at", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.2.0", { message: "1.2.0" });
    repo.commit("feat: next feature on main");
    repo.tag("v1.3.0");
    repo.git("checkout", "--quiet", "-b", "hotfix/v1.2.1", "v1.2.0");
    repo.commit("fix: null check");
    repo.commit("chore(security): bump openssl");
    const result = await next(repo, { hotfix: true });
    expect(result).toMatchObject({ version: "1.2.1", previousTag: "v1.2.0", bump: "patch" });
  });

  it("refuses a hotfix with other commits and lists them", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.2.0");
    repo.commit("fix: fine");
    repo.commit("feat: not allowed");
    const error = await next(repo, { hotfix: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseRuleError);
    expect((error as Error).message).toMatch(/1 do not:\n {2}[0-9a-f]{7} feat: not allowed \(type feat/);
  });

  it("gives outputs a playbook can read", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.0.0");
    const fix = repo.commit("fix(api): bug");
    const outputs = nextVersionOutputs(await next(repo));
    expect(outputs).toMatchObject({
      version: "1.0.1",
      previous_version: "1.0.0",
      previous_tag: "v1.0.0",
      bump: "patch",
      tag: "v1.0.1",
      is_prerelease: false,
      rc_number: null,
      releasable: true,
      commit: fix,
      commits: [
        {
          sha: fix,
          short_sha: fix.slice(0, 7),
          subject: "fix(api): bug",
          type: "fix",
          scope: "api",
          breaking: false,
          bump: "patch",
          counted: true,
        },
      ],
    });
  });

  it("fails clearly in a repository without commits", async () => {
    const repo = createRepo();
    await expect(next(repo)).rejects.toThrow(/has no commits yet/);
  });
});
