// Input a command cannot use is a usage error (exit 2) that says what and where, without git's
// raw `fatal:` lines, zod's issue JSON or a stack trace; and nothing is written for it.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_TOUCHES_FILE, relctl, tempProject, type CliResult } from "../helpers/cli.js";
import { createRepo } from "../helpers/git-repo.js";

const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;

function expectUsage(result: CliResult, message: RegExp): void {
  expect(result.exitCode, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/internal error|fatal:|"code":/);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

const approvalPlaybook = `apiVersion: relctl/v1
name: demo
release:
  version: 1.2.3
stages:
  promote:
    environment: production
    approvals: { count: 1, roles: [release-captain] }
    steps:
      - { id: ship, uses: exec.run, with: { argv: [touch, shipped.txt] } }
`;

const identity = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", USER: "ana" };

/** A promote refused for its approval: the project and the run id to approve. */
async function refusedPromote(): Promise<{ dir: string; runId: string }> {
  const dir = tempProject({ "relctl.yaml": approvalPlaybook });
  const refused = await relctl(["promote", "--yes"], { cwd: dir, env: identity });
  expect(refused.exitCode).toBe(4);
  return { dir, runId: readdirSync(join(dir, ".relctl", "runs"))[0]! };
}

describe("relctl approve", () => {
  it("refuses an empty --role with what a role is, not zod's issue list", async () => {
    const { dir, runId } = await refusedPromote();
    expectUsage(
      await relctl(["approve", runId, "--role", ""], { cwd: dir, env: identity }),
      /--role "" is not a role/,
    );
    expect(existsSync(join(dir, ".relctl", "approvals"))).toBe(false);
  });

  it("warns about an approval file it cannot read, which counts as no approval", async () => {
    const { dir, runId } = await refusedPromote();
    expect(
      (await relctl(["approve", runId, "--role", "release-captain"], { cwd: dir, env: identity })).exitCode,
    ).toBe(0);
    const [subject] = readdirSync(join(dir, ".relctl", "approvals"));
    const folder = join(dir, ".relctl", "approvals", subject!);
    writeFileSync(join(folder, readdirSync(folder)[0]!), "{broken");

    const again = await relctl(["promote", "--yes"], { cwd: dir, env: identity });

    expect(again.exitCode).toBe(4);
    expect(again.stderr).toMatch(/warning: ignoring approval file .*\.json: .*; it counts as no approval/);
    expect(again.stderr).toMatch(/needs an approval as release-captain/);
    expect(existsSync(join(dir, "shipped.txt"))).toBe(false);
  });
});

describe("relctl decide", () => {
  const playbook = BUILD_TOUCHES_FILE;

  it.each([
    ["a step the run does not have", "nope", /run \S+ has no step nope that ran; nothing was recorded/],
    [
      "a step that is not a paused gate",
      "make",
      /step make of run \S+ is not a gate that paused for a decision/,
    ],
  ])("refuses a decision for %s (exit 2), writing nothing", async (_, step, message) => {
    const dir = tempProject({ "relctl.yaml": playbook });
    expect((await relctl(["build", "--yes"], { cwd: dir })).exitCode).toBe(0);
    const [runId] = readdirSync(join(dir, ".relctl", "runs"));
    const result = await relctl(["decide", runId!, step, "continue", "--reason", "looks fine"], {
      cwd: dir,
      env: identity,
    });
    expectUsage(result, message);
    expect(result.stderr).toMatch(/hint: only a gate with on_inconclusive: \{ action: pause \} that paused/);
    expect(existsSync(join(dir, ".relctl", "decisions"))).toBe(false);
  });
});

describe("relctl evidence verify", () => {
  it.each([
    [
      "a path that does not exist",
      "/nonexistent/bundle",
      /cannot read evidence bundle \/nonexistent\/bundle: it does not exist/,
    ],
    ["a file", "relctl.yaml", /relctl\.yaml is a file, not an evidence bundle folder/],
    [
      "a folder that is no bundle (it would scan all of it)",
      "/tmp",
      /\/tmp is not an evidence bundle: it has neither manifest\.json nor checksums\.txt/,
    ],
  ])("refuses %s", async (_, path, message) => {
    const dir = tempProject({ "relctl.yaml": "x" });
    const result = await relctl(["evidence", "verify", path], { cwd: dir, timeoutMs: 10_000 });
    expectUsage(result, message);
    expect(result.stdout).toBe("");
  });
});

describe("relctl plan -o", () => {
  const playbook = BUILD_TOUCHES_FILE;

  it.each([
    ["a directory", "/tmp", /-o \/tmp is a directory, not a file/],
    ["an empty name", "", /-o\/--output needs a file name/],
    [
      "a file in a folder that does not exist",
      "missing/plan.json",
      /cannot write the plan to .*missing\/plan\.json: .*missing: it does not exist/,
    ],
    [
      "a file below a file",
      "relctl.yaml/plan.json",
      /cannot write the plan to .*: a part of the path is a file/,
    ],
  ])("refuses %s before planning", async (_, output, message) => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["plan", "-o", output], { cwd: dir });
    expectUsage(result, message);
    expect(result.stdout).toBe("");
  });
});

describe("relctl changelog", () => {
  it("refuses --file naming a directory", async () => {
    const dir = tempProject({ "relctl.yaml": "x" });
    mkdirSync(join(dir, "notes"));
    expectUsage(
      await relctl(["changelog", "--file", "notes"], { cwd: dir }),
      /notes is a directory, not a changelog/,
    );
  });

  it("refuses --notes for a version the changelog does not have (exit 2)", async () => {
    const dir = tempProject({
      "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2024-01-01\n\n- first\n",
    });
    const result = await relctl(["changelog", "--notes", "9.9.9"], { cwd: dir });
    expectUsage(result, /CHANGELOG\.md has no section for 9\.9\.9/);
    expect(result.stderr).toMatch(/hint: it has: 1\.0\.0/);
  });
});

describe("relctl version", () => {
  it("outside a git repository: exit 2, without git's fatal line", async () => {
    const dir = tempProject();
    const result = await relctl(["version"], { cwd: dir, env: { GIT_CEILING_DIRECTORIES: join(dir, "..") } });
    expectUsage(
      result,
      /is not a git repository\n {2}hint: run relctl in a git checkout, or pass --repo DIR\n$/,
    );
  });

  it("in a repository with no commits: exit 2", async () => {
    const repo = createRepo({ remote: false });
    expectUsage(await relctl(["version", "--repo", repo.dir], { env: repo.env }), /has no commits yet/);
  });

  it("with a --repo that does not exist: exit 2", async () => {
    expectUsage(
      await relctl(["version", "--repo", "/nonexistent/repo"]),
      /cannot use \/nonexistent\/repo as the repository: it does not exist/,
    );
  });
});
