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
    if (plan.argv) expect(plan.argv[0]).toBe("git");
  });

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
      argv: [
        "git",
        "tag",
        "--annotate",
        "--cleanup=whitespace",
        "--file",
        "<message>",
        "--",
        "v1.2.0",
        "HEAD",
      ],
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
