import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import git from "../../src/executors/git.js";
import { actionMutates, actionRunsInDryRun, StepFailure } from "../../src/executors/contract.js";
import { createRegistry } from "../../src/executors/registry.js";
import { createRepo } from "../helpers/git-repo.js";
import { gitAction, gitFailure } from "./git/run-action.js";

const READ_ONLY = [
  "ensure_clean",
  "ensure_branch",
  "fetch_tags",
  "next_version",
  "check_hotfix",
  "changelog_notes",
];
const WRITING = [
  "tag",
  "push_tag",
  "promote_rc",
  "create_branch",
  "hotfix_branch",
  "cherry_pick",
  "changelog_cut",
];

/** The exact `git tag` command planned for an annotated tag of `target`. */
function annotatedTagArgv(tag: string, target: string): string[] {
  return ["git", "tag", "--annotate", "--cleanup=whitespace", "--file", "<message>", "--", tag, target];
}

/** The git command (and the details a reviewer sees) each action plans for its minimal input. */
const MINIMAL_PLANS: Record<string, { argv?: string[]; details?: Record<string, unknown> }> = {
  ensure_clean: { argv: ["git", "status", "--porcelain=v1", "--untracked-files=normal"] },
  ensure_branch: {
    argv: ["git", "fetch", "--no-tags", "--", "origin", "+refs/heads/main:refs/remotes/origin/main"],
  },
  fetch_tags: { argv: ["git", "fetch", "--tags", "--no-recurse-submodules", "--", "origin"] },
  next_version: { argv: ["git", "log", "<last release tag>..HEAD"], details: {} },
  check_hotfix: { argv: ["git", "log", "<last release tag>..HEAD"] },
  changelog_notes: { details: { file: "CHANGELOG.md" } },
  tag: {
    argv: annotatedTagArgv("v1.0.0", "HEAD"),
    details: { message: "Release v1.0.0" },
  },
  push_tag: { argv: ["git", "push", "--", "origin", "refs/tags/v1.0.0:refs/tags/v1.0.0"] },
  promote_rc: {
    argv: annotatedTagArgv("v1.0.0", "v1.0.0-rc.1^{commit}"),
    details: { message: "Release v1.0.0, promoted from v1.0.0-rc.1" },
  },
  create_branch: { argv: ["git", "branch", "--no-track", "--", "release/v1.0.0-rc.1", "HEAD"] },
  hotfix_branch: { argv: ["git", "branch", "--no-track", "--", "<hotfix branch>", "refs/tags/v1.0.0"] },
  cherry_pick: { argv: ["git", "cherry-pick", "-x", "abc1234"] },
  changelog_cut: { details: { file: "CHANGELOG.md" } },
};

/** Inputs that change the planned command. */
const PLAN_VARIANTS: {
  action: string;
  variant: string;
  input: Record<string, unknown>;
  planned: { argv?: string[]; details?: Record<string, unknown> };
}[] = [
  {
    action: "ensure_clean",
    variant: "untracked files allowed",
    input: { allow_untracked: true },
    planned: { argv: ["git", "status", "--porcelain=v1", "--untracked-files=no"] },
  },
  {
    action: "ensure_branch",
    variant: "another branch and remote",
    input: { name: "release/v1.2", remote: "upstream" },
    planned: {
      argv: [
        "git",
        "fetch",
        "--no-tags",
        "--",
        "upstream",
        "+refs/heads/release/v1.2:refs/remotes/upstream/release/v1.2",
      ],
    },
  },
  {
    action: "ensure_branch",
    variant: "no remote check",
    input: { up_to_date: false },
    planned: { argv: ["git", "symbolic-ref", "--short", "HEAD"] },
  },
  {
    action: "fetch_tags",
    variant: "another remote",
    input: { remote: "upstream" },
    planned: { argv: ["git", "fetch", "--tags", "--no-recurse-submodules", "--", "upstream"] },
  },
  {
    action: "next_version",
    variant: "a forced version",
    input: { rc: true, force_version: "2.0.0" },
    planned: { argv: ["git", "log", "<last release tag>..HEAD"], details: { force_version: "2.0.0" } },
  },
  {
    action: "check_hotfix",
    variant: "a base tag and ref",
    input: { base: "v1.2.0", ref: "hotfix/v1.2.1" },
    planned: { argv: ["git", "log", "v1.2.0..hotfix/v1.2.1"] },
  },
  {
    action: "tag",
    variant: "a ref, a message and a push",
    input: {
      tag: "v1.2.0",
      ref: "abc1234",
      message: "Release 1.2.0\n\n- fix",
      push: true,
      remote: "upstream",
    },
    planned: {
      argv: annotatedTagArgv("v1.2.0", "abc1234"),
      details: {
        message: "Release 1.2.0\n\n- fix",
        then: "git push -- upstream refs/tags/v1.2.0:refs/tags/v1.2.0",
      },
    },
  },
  {
    action: "push_tag",
    variant: "another remote",
    input: { tag: "v1.2.0", remote: "upstream" },
    planned: { argv: ["git", "push", "--", "upstream", "refs/tags/v1.2.0:refs/tags/v1.2.0"] },
  },
  {
    action: "promote_rc",
    variant: "a version, a validated commit and a push",
    input: { version: "1.3.0", commit: "abc1234", push: true },
    planned: {
      argv: annotatedTagArgv("v1.3.0", "<rc tag>^{commit}"),
      details: {
        message: "Release v1.3.0, promoted from the highest RC of 1.3.0",
        expected_commit: "abc1234",
        then: "git push -- origin refs/tags/v1.3.0:refs/tags/v1.3.0",
      },
    },
  },
  {
    action: "create_branch",
    variant: "a start point and a push",
    input: { name: "release/v1.2.0", from: "v1.2.0-rc.1", push: true },
    planned: {
      argv: ["git", "branch", "--no-track", "--", "release/v1.2.0", "v1.2.0-rc.1"],
      details: { then: "git push -- origin refs/heads/release/v1.2.0:refs/heads/release/v1.2.0" },
    },
  },
  {
    action: "hotfix_branch",
    variant: "a version and a branch name",
    input: { version: "1.2.0", name: "hotfix/urgent" },
    planned: { argv: ["git", "branch", "--no-track", "--", "hotfix/urgent", "refs/tags/v1.2.0"] },
  },
  {
    action: "cherry_pick",
    variant: "merge commits without -x",
    input: { commits: ["abc1234", "def5678"], record_origin: false, mainline: 1 },
    planned: { argv: ["git", "cherry-pick", "-m", "1", "abc1234", "def5678"] },
  },
  {
    action: "changelog_cut",
    variant: "another file and a date",
    input: { version: "1.2.0", file: "docs/CHANGES.md", date: "2026-01-08" },
    planned: { details: { file: "docs/CHANGES.md", date: "2026-01-08" } },
  },
  {
    action: "changelog_notes",
    variant: "another file",
    input: { version: "1.2.0", file: "docs/CHANGES.md" },
    planned: { details: { file: "docs/CHANGES.md" } },
  },
];

describe("the git executor", () => {
  it("is registered as a built-in executor", async () => {
    expect(await createRegistry().load("git")).toBe(git);
  });

  it("has exactly the documented actions", () => {
    expect(Object.keys(git.actions).sort()).toEqual([...READ_ONLY, ...WRITING].sort());
  });

  it.each(READ_ONLY)("runs %s during a dry-run because it changes nothing", (name) => {
    const action = git.actions[name]!;
    const input = action.input.safeParse(minimalInput(name)).data;
    expect(actionMutates(action, input)).toBe(false);
    expect(actionRunsInDryRun(action, input)).toBe(true);
  });

  it.each(WRITING)("declares that %s mutates, so a dry-run only plans it", (name) => {
    const action = git.actions[name]!;
    const input = action.input.safeParse(minimalInput(name)).data;
    expect(actionMutates(action, input)).toBe(true);
    expect(actionRunsInDryRun(action, input)).toBe(false);
  });

  it.each([...READ_ONLY, ...WRITING])("plans %s without touching a repository", (name) => {
    const action = git.actions[name]!;
    const plan = action.plan(action.input.parse(minimalInput(name)));
    expect(plan.summary.length).toBeGreaterThan(10);
    expect({ argv: plan.argv, details: plan.details }).toEqual(MINIMAL_PLANS[name]);
  });

  it.each(PLAN_VARIANTS)(
    "plans $action with $variant as the exact git command",
    ({ action, input, planned }) => {
      const definition = git.actions[action]!;
      const plan = definition.plan(definition.input.parse(input));
      expect({ argv: plan.argv, details: plan.details }).toEqual(planned);
    },
  );

  it("stops with a cancelled failure when the step is aborted", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    const error = await gitAction("next_version", {}, repo, { signal: AbortSignal.abort() }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).kind).toBe("cancelled");
  });

  it("plans a tag as the exact git command", () => {
    const action = git.actions.tag!;
    expect(action.plan(action.input.parse({ tag: "v1.2.0", message: "Release v1.2.0" }))).toEqual({
      summary: "tag HEAD as v1.2.0",
      argv: annotatedTagArgv("v1.2.0", "HEAD"),
      details: { message: "Release v1.2.0" },
    });
  });

  it.each([
    ["tag", { tag: "-d" }],
    ["push_tag", { tag: "v1", remote: "--receive-pack=evil" }],
    ["create_branch", { name: "--orphan" }],
    ["cherry_pick", { commits: ["--strategy=ours"] }],
    ["next_version", { ref: "--all" }],
    ["next_version", { tag_format: "v{version" }],
    ["next_version", { rc_format: "rc{n}" }],
  ])("rejects option-like or malformed input to %s", (name, input) => {
    expect(git.actions[name]!.input.safeParse(input).success).toBe(false);
  });
});

function minimalInput(name: string): Record<string, unknown> {
  switch (name) {
    case "tag":
    case "push_tag":
      return { tag: "v1.0.0" };
    case "promote_rc":
      return { rc_tag: "v1.0.0-rc.1" };
    case "create_branch":
      return { name: "release/v1.0.0-rc.1" };
    case "hotfix_branch":
      return { tag: "v1.0.0" };
    case "cherry_pick":
      return { commits: ["abc1234"] };
    case "changelog_cut":
      return { version: "1.0.0" };
    default:
      return {};
  }
}

describe("a release train through the git executor", () => {
  it("cuts an RC, tags it, promotes it to GA on the same commit and publishes everything", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("v1.2.0", { message: "1.2.0" });
    repo.commit("feat(api): paginate");
    repo.commit("fix: empty pages");
    repo.git("push", "--quiet", "origin", "main", "v1.2.0");

    await gitAction("ensure_clean", {}, repo);
    await gitAction("ensure_branch", { name: "main" }, repo);
    await gitAction("fetch_tags", {}, repo);
    const next = (await gitAction("next_version", { rc: true }, repo)).outputs;
    expect(next).toMatchObject({ version: "1.3.0-rc.1", tag: "v1.3.0-rc.1", ga_tag: "v1.3.0" });
    await gitAction("create_branch", { name: `release/${String(next.tag)}`, push: true }, repo);
    await gitAction("tag", { tag: next.tag, message: `RC ${String(next.version)}`, push: true }, repo);

    repo.commit("feat: lands after the cut");
    repo.git("push", "--quiet", "origin", "main");
    const promoted = (await gitAction("promote_rc", { version: "1.3.0", push: true }, repo)).outputs;
    expect(promoted).toMatchObject({ tag: "v1.3.0", rc_tag: "v1.3.0-rc.1", commit: String(next.commit) });
    expect(repo.remoteTagCommit("v1.3.0")).toBe(repo.remoteTagCommit("v1.3.0-rc.1"));
  });

  it("finishes after a rejected push without creating another tag", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.git("push", "--quiet", "origin", "main");
    const hook = join(repo.remote!, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'remote: push rules failed' >&2\nexit 1\n");
    chmodSync(hook, 0o755);

    const first = (await gitAction("next_version", {}, repo)).outputs;
    expect(first.version).toBe("0.1.0");
    const failure = await gitFailure("tag", { tag: first.tag, push: true }, repo);
    expect(failure.message).toMatch(/was created on [0-9a-f]{7} but is not pushed/);

    rmSync(hook);
    // The re-run computes the same release (HEAD already carries its tag) and only pushes.
    const again = (await gitAction("next_version", {}, repo)).outputs;
    expect(again).toMatchObject({ version: "0.1.0", tag: "v0.1.0", already_tagged: true });
    const { outputs } = await gitAction("tag", { tag: again.tag, push: true }, repo);
    expect(outputs).toMatchObject({ created: false, pushed: true });
    expect(repo.git("tag", "--list").trim().split("\n")).toEqual(["v0.1.0"]);
  });

  it("runs a hotfix: branch from the release tag, pick the fix, check the rules, tag the patch", async () => {
    const repo = createRepo();
    repo.commit("feat: start", { "app.txt": "v1\n" });
    repo.tag("v2.0.0", { message: "2.0.0" });
    repo.commit("feat: next big thing", { "big.txt": "big\n" });
    const fix = repo.commit("fix: auth bypass", { "app.txt": "v1 patched\n" });
    repo.git("push", "--quiet", "origin", "main", "v2.0.0");

    const branch = (await gitAction("hotfix_branch", { tag: "v2.0.0", push: true }, repo)).outputs;
    expect(branch).toMatchObject({ branch: "hotfix/v2.0.1", tag: "v2.0.1" });
    await gitAction("cherry_pick", { commits: [fix] }, repo);
    await gitAction("check_hotfix", {}, repo);
    const next = (await gitAction("next_version", { hotfix: true }, repo)).outputs;
    expect(next).toMatchObject({ version: "2.0.1", previous_tag: "v2.0.0", bump: "patch" });
    await gitAction("tag", { tag: next.tag, push: true }, repo);
    expect(repo.remoteTagCommit("v2.0.1")).toBe(repo.sha());

    // A feature sneaking onto the hotfix branch stops the next hotfix.
    repo.commit("feat: not a fix");
    await expect(gitAction("next_version", { hotfix: true }, repo)).rejects.toThrow(/feat: not a fix/);
  });
});
