// One mutating run per target (playbook + environment), through the built binary: a second run
// is refused naming the holder, a lock left by a process killed -9 is taken over, and a forced
// unlock is recorded. The step waits for a `go` file, so a run holds its lock as long as the
// test wants.
import { hostname } from "node:os";
import { join } from "node:path";
import type { ResultPromise } from "execa";
import { describe, expect, it } from "vitest";
import { killGroup, person, project, readJsonLines, waitFor, type Project } from "./helpers.js";

const PLAYBOOK = `apiVersion: relctl/v1
name: api-release
stages:
  promote:
    environment: production
    steps:
      - id: deploy
        uses: exec.run
        with:
          argv: [sh, -c, 'until [ -e go ]; do sleep 0.01; done; echo deployed >> steps.log']
`;

interface AuditEntry {
  action: string;
  lock?: { runId: string; pid: number };
  previous?: { runId: string; pid: number };
  by?: string;
  reason?: string;
  holderAlive?: boolean;
  evenIfAlive?: boolean;
}

const audit = (p: Project) => readJsonLines<AuditEntry>(join(p.state, "locks", "audit.jsonl"));

const inStep = (p: Project, runId?: string) => () =>
  p.runIds().length > 0 &&
  p.journal(runId ?? p.runIds()[0]).some((event) => event.type === "step.start" && event.step === "deploy");

describe.concurrent("locks", () => {
  it("of two concurrent promotes of the same target exactly one runs; the other exits 4 naming the holder", async () => {
    const p = project(PLAYBOOK);
    const runs = [p.start(["promote", "--yes", "--json"]), p.start(["promote", "--yes", "--json"])];

    // The winner waits in its step for `go`; the loser is refused at once.
    const first = await Promise.race(runs.map((run) => run.then((result) => ({ run, result }))));
    const winner = runs.find((run) => run !== first.run)!;
    await waitFor("the winner to be in its step", inStep(p));
    const [runId] = p.runIds();

    expect(first.result.exitCode).toBe(4);
    expect(first.result.stderr).toContain(
      `api-release on production is locked by run ${runId} (pid ${winner.pid} on `,
    );
    expect(first.result.stderr).toContain("relctl promote --yes --json");
    expect((await p.run(["status", runId!])).stdout).toMatch(/^status: running$/m);

    p.write("go", "");
    expect((await winner).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["deployed"]);
    expect(p.runIds()).toEqual([runId]);
    expect(audit(p).map((entry) => [entry.action, entry.lock?.runId])).toEqual([
      ["acquire", runId],
      ["release", runId],
    ]);
  });

  it("a run of several stages holds the lock of every environment it changes", async () => {
    const p = project(`${PLAYBOOK}  stage:
    environment: staging
    steps:
      - id: deploy-staging
        uses: exec.run
        with: { argv: [sh, -c, 'echo staged >> steps.log'] }
`);
    const train = p.start(["run", "stage", "promote", "--yes"]);
    await waitFor("the train to be in its promote step", inStep(p));
    const [runId] = p.runIds();

    const staging = await p.run(["stage", "--yes"]);

    expect(staging.exitCode).toBe(4);
    expect(staging.stderr).toContain(`api-release on staging is locked by run ${runId}`);
    p.write("go", "");
    expect((await train).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["staged", "deployed"]);
  });

  it("takes over a lock left by a relctl that was killed -9, and records the takeover", async () => {
    const p = project(PLAYBOOK);
    const lost = p.start(["promote", "--yes"]);
    await waitFor("the first run to be in its step", inStep(p));
    const [lostRun] = p.runIds();
    killGroup(lost);
    await lost;

    p.write("go", "");
    const next = await p.run(["promote", "--yes"]);

    expect(next.exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["deployed"]);
    const takeover = audit(p).find((entry) => entry.action === "takeover");
    expect(takeover).toMatchObject({
      previous: { runId: lostRun, pid: lost.pid },
      reason: `pid ${lost.pid} is no longer running on ${hostname()}`,
    });
    expect(takeover?.lock?.runId).not.toBe(lostRun);
    expect((await p.run(["status", lostRun!])).stdout).toMatch(/^status: crashed$/m);
  });

  it("unlock --force refuses a holder alive on this host, naming it; --even-if-alive removes it and records who and why first", async () => {
    const p = project(PLAYBOOK);
    const ana = person("Ana Lima", "ana@example.com");
    const holder = p.start(["promote", "--yes"]);
    await waitFor("the holder to be in its step", inStep(p));
    const [holderRun] = p.runIds();

    const noForce = await p.run(["unlock", "--reason", "stuck", "--environment", "production"], ana);
    expect(noForce.exitCode).toBe(2);
    expect(noForce.stderr).toContain("pass --force");
    const noReason = await p.run(["unlock", "--force", "--environment", "production"], ana);
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('--force needs --reason "…"');

    const refused = await p.run(
      ["unlock", "--force", "--reason", "runner lost", "--environment", "production"],
      ana,
    );
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(
      `api-release on production is locked by run ${holderRun}, whose relctl is still running: pid ${holder.pid} on ${hostname()}, since `,
    );
    expect(refused.stderr).toContain(": relctl promote --yes");
    expect(refused.stderr).toContain("relctl unlock --force --even-if-alive");
    expect(audit(p).map((entry) => entry.action)).toEqual(["acquire"]);
    expect(p.lines("steps.log")).toEqual([]);

    const unlocked = await p.run(
      ["unlock", "--force", "--even-if-alive", "--reason", "runner lost", "--environment", "production"],
      ana,
    );

    expect(unlocked.exitCode).toBe(0);
    expect(unlocked.stdout).toContain(
      `unlocked api-release on production (was run ${holderRun}, pid ${holder.pid} on `,
    );
    expect(audit(p).at(-1)).toMatchObject({
      action: "force-unlock",
      by: "Ana Lima <ana@example.com>",
      reason: "runner lost",
      previous: { runId: holderRun, pid: holder.pid },
      holderAlive: true,
      evenIfAlive: true,
    });

    // The target is free: a new run takes it, and the old holder ending does not remove it.
    const next: ResultPromise = p.start(["promote", "--yes"]);
    const nextRun = await waitFor("the next run to start", () => p.runIds().find((id) => id !== holderRun));
    await waitFor("the next run to be in its step", inStep(p, nextRun));
    p.write("go", "");
    expect((await holder).exitCode).toBe(0);
    expect((await next).exitCode).toBe(0);
    expect(audit(p).map((entry) => [entry.action, entry.lock?.runId ?? entry.previous?.runId])).toEqual([
      ["acquire", holderRun],
      ["force-unlock", holderRun],
      ["acquire", nextRun],
      ["release", nextRun],
    ]);

    const free = await p.run(["unlock", "--force", "--reason", "again", "--environment", "production"], ana);
    expect(free.exitCode).toBe(2);
    expect(free.stderr).toContain("api-release on production is not locked");
  });
});
