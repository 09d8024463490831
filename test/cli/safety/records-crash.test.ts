// relctl killed -9 right after the journal says the run ended, before the records that depend on
// it are written (the train record, the last known good, the evidence bundle). The moment is made
// exact with the test-only RELCTL_TEST_CRASH_AT=after-run-end, which makes relctl SIGKILL itself
// there. `relctl status` must flag the run, and `relctl resume` must write the records without
// running a step, release the stale lock, and do nothing the second time.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRepo } from "../../helpers/git-repo.js";
import { relctl, type CliResult } from "../../helpers/cli.js";
import { readJsonLines, type Event } from "./helpers.js";

const PLAYBOOK = `apiVersion: relctl/v1
name: api-release
vars:
  version: { default: "1.4.0" }
release:
  version: "\${{ vars.version }}"
stages:
  build:
    steps:
      - id: compile
        uses: exec.run
        with: { argv: [sh, -c, 'echo build >> steps.log'] }
  promote:
    environment: production
    needs: [build]
    steps:
      - id: deploy
        uses: exec.run
        with: { argv: [sh, -c, 'echo deploy >> steps.log'] }
`;

const CRASH = { RELCTL_TEST_CRASH_AT: "after-run-end" };

function releaseProject() {
  const repo = createRepo({ remote: false });
  writeFileSync(join(repo.dir, ".gitignore"), ".relctl/\nsteps.log\n");
  repo.commit("chore: playbook", { "relctl.yaml": PLAYBOOK });
  const state = join(repo.dir, ".relctl");
  const run = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    relctl(args, { cwd: repo.dir, env: { ...repo.env, ...env } });
  const runIds = () => (existsSync(join(state, "runs")) ? readdirSync(join(state, "runs")).sort() : []);
  const journal = (runId: string) => readJsonLines<Event>(join(state, "runs", runId, "journal.jsonl"));
  const steps = () =>
    existsSync(join(repo.dir, "steps.log"))
      ? readFileSync(join(repo.dir, "steps.log"), "utf8").split("\n").filter(Boolean)
      : [];
  const locks = () => (existsSync(join(state, "locks")) ? readdirSync(join(state, "locks")) : []);
  const releases = () => {
    const file = join(state, "releases", "production.jsonl");
    return existsSync(file) ? readJsonLines<{ runId: string; version: string }>(file) : [];
  };
  const evidenceDirs = (runId: string) =>
    readdirSync(join(state, "runs", runId)).filter((name) => name.startsWith("evidence"));
  /** Every file of the state a records pass writes, with its bytes: a no-op leaves them equal. */
  const snapshot = (runId: string) => ({
    trains: existsSync(join(state, "trains"))
      ? readdirSync(join(state, "trains"), { recursive: true }).map(String).sort()
      : [],
    releases: releases(),
    evidence: evidenceDirs(runId),
    journal: readFileSync(join(state, "runs", runId, "journal.jsonl"), "utf8"),
    locks: locks(),
    steps: steps(),
  });
  return { repo, state, run, runIds, journal, steps, locks, releases, evidenceDirs, snapshot };
}

/** Runs a stage that relctl kills itself in right after run.end; returns the run id. */
async function crashAfterRunEnd(p: ReturnType<typeof releaseProject>, stage: string): Promise<string> {
  const before = new Set(p.runIds());
  const crashed = await p.run([stage, "--yes"], CRASH);
  expect(crashed.exitCode, crashed.stderr).toBe(-1); // killed by a signal: no exit code
  const runId = p.runIds().find((id) => !before.has(id))!;
  expect(p.journal(runId).at(-1)).toMatchObject({ type: "run.end", status: "succeeded" });
  expect(p.evidenceDirs(runId)).toEqual([]);
  expect(p.locks().filter((name) => name.endsWith(".lock"))).toHaveLength(1); // left stale
  return runId;
}

describe.concurrent("a crash after run.end", () => {
  it("is flagged by status; resume writes the train record and evidence without running a step, and the next stage passes needs", async () => {
    const p = releaseProject();
    const runId = await crashAfterRunEnd(p, "build");
    expect(p.steps()).toEqual(["build"]);

    const status = await p.run(["status", runId]);
    expect(status.stdout).toMatch(/^status: succeeded \(exit 0\)$/m);
    expect(status.stdout).toContain(
      `records: NOT written: the run ended, but relctl was stopped (or failed) before its train record, last known good and evidence bundle were all written; relctl resume ${runId} writes them`,
    );
    expect(JSON.parse((await p.run(["status", runId, "--json"])).stdout)).toMatchObject({
      records: "missing",
    });
    // What the lost records cost: the next stage does not see build as passed.
    const refused = await p.run(["promote", "--yes"]);
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("promote needs build, which has not passed");

    const preview = p.snapshot(runId);
    const dry = await p.run(["resume", runId, "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`relctl resume ${runId} (without --dry-run) writes them; no step would run`);
    expect(p.snapshot(runId)).toEqual(preview);

    const finished = await p.run(["resume", runId]);

    expect(finished.exitCode, finished.stderr).toBe(0);
    expect(finished.stderr).toContain(
      `run ${runId} ended (succeeded) but its records were not written: writing them now; no step runs`,
    );
    expect(p.steps()).toEqual(["build"]);
    expect(p.locks().filter((name) => name.endsWith(".lock"))).toEqual([]);
    expect(p.journal(runId).at(-1)).toMatchObject({ type: "run.records", evidence: "evidence" });
    expect((await p.run(["status", runId])).stdout).not.toContain("records: NOT written");
    const verified = await p.run(["evidence", "verify", join(p.state, "runs", runId, "evidence")]);
    expect(verified.exitCode, verified.stdout).toBe(0);

    // Twice is a no-op: nothing is written, run or removed.
    const before = p.snapshot(runId);
    const again = await p.run(["resume", runId, "--yes"]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`run ${runId} cannot be resumed: it already ended (succeeded)`);
    expect(p.snapshot(runId)).toEqual(before);

    const next = await p.run(["promote", "--yes"]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(p.steps()).toEqual(["build", "deploy"]);
  });

  it("of a promote: resume records the last known good once, however often it is run", async () => {
    const p = releaseProject();
    expect((await p.run(["build", "--yes"])).exitCode).toBe(0);
    const runId = await crashAfterRunEnd(p, "promote");
    expect(p.releases()).toEqual([]);

    const finished = await p.run(["resume", runId, "--yes"]);

    expect(finished.exitCode, finished.stderr).toBe(0);
    expect(p.steps()).toEqual(["build", "deploy"]);
    expect(p.releases()).toEqual([
      expect.objectContaining({ runId, version: "1.4.0", gitSha: p.repo.sha() }),
    ]);
    const before = p.snapshot(runId);
    expect((await p.run(["resume", runId, "--yes"])).exitCode).toBe(2);
    expect(p.snapshot(runId)).toEqual(before);
    expect(p.releases()).toHaveLength(1);
  });
});
