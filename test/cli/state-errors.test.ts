// Run state that relctl cannot use — a read-only or misplaced state directory, a damaged, empty
// or newer journal, a damaged lock — and global options that point nowhere: each is a clear
// error (exit 2, or 4 for a lock) that names the path and what to do, never "internal error".
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockFile } from "../../src/state/lock.js";
import { BUILD_TOUCHES_FILE, relctl, tempProject, type CliResult } from "../helpers/cli.js";
import { handOver, readOnly, relctlAsUser } from "../helpers/unprivileged.js";

const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;

const playbook = BUILD_TOUCHES_FILE;

/** A clear refusal: the exit code, a message matching `message`, no internal error or stack. */
function expectRefusal(result: CliResult, exitCode: number, message: RegExp): void {
  expect(result.exitCode, result.stderr).toBe(exitCode);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

/** A project with one finished build run; returns its dir, state dir and run id. */
async function projectWithRun(): Promise<{ dir: string; state: string; runId: string }> {
  const dir = tempProject({ "relctl.yaml": playbook });
  expect((await relctl(["build", "--yes"], { cwd: dir })).exitCode).toBe(0);
  const state = join(dir, ".relctl");
  return { dir, state, runId: readdirSync(join(state, "runs"))[0]! };
}

function plantJournal(state: string, runId: string, content: string): void {
  mkdirSync(join(state, "runs", runId), { recursive: true });
  writeFileSync(join(state, "runs", runId, "journal.jsonl"), content);
}

describe("a state directory relctl cannot write", () => {
  it("refuses a run before its first step when .relctl is read-only, naming the folder (exit 2)", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    mkdirSync(join(dir, ".relctl"));
    handOver(dir);
    readOnly(join(dir, ".relctl"));
    const result = await relctlAsUser(["build", "--yes"], { cwd: dir });
    expectRefusal(result, 2, /cannot write run state to .*\/\.relctl: permission denied; nothing was run/);
    expect(result.stderr).toMatch(/hint: .*make it writable for this user, or pass --state-dir DIR/);
    expect(readdirSync(dir)).not.toContain("built.txt");
  });

  it("refuses --state-dir naming a file, for runs and for history (exit 2)", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const run = await relctl(["build", "--yes", "--state-dir", "relctl.yaml"], { cwd: dir });
    expectRefusal(run, 2, /the state directory .*relctl\.yaml is not a directory/);
    expect(readdirSync(dir)).not.toContain("built.txt");
    expectRefusal(
      await relctl(["history", "--state-dir", "/dev/null"], { cwd: dir }),
      2,
      /the state directory \/dev\/null is not a directory/,
    );
  });

  it("refuses an empty --state-dir instead of falling back to .relctl", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["build", "--yes", "--state-dir", ""], { cwd: dir });
    expectRefusal(result, 2, /--state-dir needs a directory, not an empty value/);
    expect(readdirSync(dir)).toEqual(["relctl.yaml"]);
  });
});

describe("a damaged run journal", () => {
  it("a run.start whose stages is not a list: status and resume refuse it with file:line, history lists the others", async () => {
    const { dir, state, runId } = await projectWithRun();
    const start = readFileSync(join(state, "runs", runId, "journal.jsonl"), "utf8").split("\n")[0]!;
    plantJournal(state, "damaged", `${start.replace(/"stages":\[[^\]]*\]/, '"stages":"build"')}\n`);

    const damaged = /runs\/damaged\/journal\.jsonl:1: damaged run\.start event \(stages:/;
    expectRefusal(await relctl(["status", "damaged"], { cwd: dir }), 2, damaged);
    expectRefusal(await relctl(["resume", "damaged", "--yes"], { cwd: dir }), 2, damaged);
    const history = await relctl(["history"], { cwd: dir });
    expect(history.exitCode).toBe(0);
    expect(history.stdout).toContain(runId);
    expect(history.stdout).toMatch(/damaged .*unreadable: /);
    expect(history.stderr).toMatch(/warning: run damaged cannot be read and is listed without details/);
  });

  it("a journal.jsonl that is a directory is a clear error", async () => {
    const { dir, state } = await projectWithRun();
    mkdirSync(join(state, "runs", "folder", "journal.jsonl"), { recursive: true });
    expectRefusal(
      await relctl(["status", "folder"], { cwd: dir }),
      2,
      /cannot read the journal of run folder at .*: it is a directory, not a file/,
    );
  });

  it("an empty journal: status says so instead of printing a run without an id", async () => {
    const { dir, state } = await projectWithRun();
    plantJournal(state, "empty", "");
    const result = await relctl(["status", "empty"], { cwd: dir });
    expectRefusal(result, 2, /run empty: its journal is empty/);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/relctl resume {2}/);
  });

  it("a journal from a newer event format is refused, not read as v1", async () => {
    const { dir, state, runId } = await projectWithRun();
    const file = join(state, "runs", runId, "journal.jsonl");
    writeFileSync(file, readFileSync(file, "utf8").replace('"v":1,', '"v":99,'));
    expectRefusal(
      await relctl(["status", runId], { cwd: dir }),
      2,
      /journal\.jsonl:1: written by a newer relctl \(event format v99; this relctl reads v1\)/,
    );
  });
});

describe("a damaged lock file", () => {
  it("is reported as damaged with how to clear it, and relctl unlock --force clears it", async () => {
    const { dir, state } = await projectWithRun();
    writeFileSync(lockFile(state, { playbook: "demo", environment: "default" }), "garbage\n");

    const blocked = await relctl(["build", "--yes"], { cwd: dir });
    expectRefusal(blocked, 4, /demo on default cannot be locked: the lock file .* is damaged/);
    expect(blocked.stderr).toMatch(
      /hint: if no relctl run is using demo on default, clear it: relctl unlock --force/,
    );
    expect(blocked.stderr).not.toMatch(/being created/);

    expect(
      (await relctl(["unlock", "--force", "--reason", "damaged lock file"], { cwd: dir })).exitCode,
    ).toBe(0);
    expect((await relctl(["build", "--yes"], { cwd: dir })).exitCode).toBe(0);
  });
});

describe("-C/--cwd", () => {
  it("says the directory does not exist, not that no playbook was found", async () => {
    const result = await relctl(["lint", "-C", "/nonexistent/relctl-test"]);
    expectRefusal(result, 2, /-C\/--cwd \/nonexistent\/relctl-test: the directory does not exist/);
    expect(result.stderr).not.toMatch(/no playbook found/);
  });
});
