// Kill -9 and Ctrl-C, then `relctl resume`, through the built binary. Every step appends its id
// to steps.log, so a step that runs twice or not at all shows there. Steps wait for a go-<id>
// file before doing their work, which lets the test stop relctl exactly at a step boundary; the
// slow step does its work first and then waits, so it is cut off half-way.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, killGroup, project, readJson, waitFor, type Project } from "./helpers.js";

const STEPS = ["a", "b", "slow", "c", "d"];

const step = (id: string) => `      - id: ${id}
        uses: exec.run
        with:
          argv: [sh, -c, 'until [ -e "go-$1" ]; do sleep 0.01; done; echo "$1" >> steps.log', sh, ${id}]
`;

const PLAYBOOK = `apiVersion: relctl/v1
name: resumable
stages:
  build:
    steps:
${step("a")}${step("b")}      - id: slow
        uses: exec.run
        with:
          argv: [sh, -c, 'echo slow >> steps.log; until [ -e go-slow ]; do sleep 0.01; done']
${step("c")}${step("d")}`;

const started = (p: Project, id: string) => () =>
  p.runIds().length === 1 && p.journal().some((event) => event.type === "step.start" && event.step === id);

function releaseAll(p: Project): void {
  for (const id of STEPS) p.write(`go-${id}`, "");
}

// Each test has its own project; they wait on child processes, so they run side by side.
describe.concurrent("kill -9 and resume", () => {
  it.each(STEPS)(
    "a run killed -9 while step %s is in flight resumes without repeating a finished step or skipping one",
    async (victim) => {
      const p = project(PLAYBOOK);
      const index = STEPS.indexOf(victim);
      for (const id of STEPS.slice(0, index)) p.write(`go-${id}`, "");
      const child = p.start(["run", "build", "--yes", "--json"]);
      // The boundary: every earlier step's end is journaled (fsync'd) and the victim has started.
      await waitFor(`step ${victim} to start`, started(p, victim));
      if (victim === "slow")
        await waitFor("slow to do its work", () => p.lines("steps.log").includes("slow"));
      killGroup(child);
      expect((await child).signal).toBe("SIGKILL");

      const done = STEPS.slice(0, index);
      const [runId] = p.runIds();
      const ends = p.journal().filter((event) => event.type === "step.end");
      expect(ends.map((event) => [event.step, event.status])).toEqual(done.map((id) => [id, "succeeded"]));
      expect(p.journal().some((event) => event.type === "run.end")).toBe(false);
      const cutOff = victim === "slow" ? ["slow"] : [];
      expect(p.lines("steps.log")).toEqual([...done, ...cutOff]);

      const crashed = await p.run(["status", runId!]);
      expect(crashed.stdout).toMatch(/^status: crashed$/m);
      expect(crashed.stdout).toMatch(new RegExp(`\\? ${victim}\\s+unfinished`));
      expect(crashed.stdout).toContain(`relctl resume ${runId}`);
      // The rest of the story (history, status after the resume) once, for the slow step.
      const story = victim === "slow";
      if (story) {
        expect((await p.run(["history"])).stdout).toMatch(
          new RegExp(`${runId}\\s+resumable\\s+build\\s+crashed`),
        );
      }

      releaseAll(p);
      const resumed = await p.run(["resume", runId!, "--yes", "--json"]);
      expect(resumed.stderr).not.toMatch(/error/);
      expect(resumed.exitCode).toBe(0);

      // Finished steps ran once; the victim ran again (at-least-once), which shows only when it
      // had done its work before the kill; nothing was skipped.
      expect(p.lines("steps.log")).toEqual([...done, ...cutOff, ...STEPS.slice(index)]);
      const again = events(resumed);
      expect(again[0]).toMatchObject({ type: "run.start", runId, resumed: true });
      expect(again.filter((event) => event.type === "step.start").map((event) => event.step)).toEqual(
        STEPS.slice(index),
      );
      expect(again.at(-1)).toMatchObject({ type: "run.end", status: "succeeded", exitCode: 0 });
      if (!story) return;

      const status = await p.run(["status", runId!]);
      expect(status.stdout).toMatch(/^status: succeeded \(exit 0\)$/m);
      expect(status.stdout).toContain("started 2 times (resumed)");
      for (const id of STEPS) expect(status.stdout).toMatch(new RegExp(`✓ ${id}\\s+succeeded`));
      expect((await p.run(["history"])).stdout).toMatch(
        new RegExp(`${runId}\\s+resumable\\s+build\\s+succeeded \\(0\\) resumed`),
      );
    },
  );

  it("refuses to resume when the playbook changed since the run started, and runs nothing", async () => {
    const p = project(PLAYBOOK);
    const child = p.start(["run", "build", "--yes", "--json"]);
    await waitFor("step a to start", started(p, "a"));
    killGroup(child);
    await child;
    const [runId] = p.runIds();
    releaseAll(p);
    p.write("relctl.yaml", PLAYBOOK.replace("echo slow", "echo SLOW"));

    const refused = await p.run(["resume", runId!, "--yes"]);

    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(`run ${runId} cannot be resumed: the playbook changed since it started \\(sha256:`),
    );
    expect(refused.stderr).toContain("restore the playbook the run started with, or start a new run");
    expect(p.lines("steps.log")).toEqual([]);

    p.write("relctl.yaml", PLAYBOOK);
    expect((await p.run(["resume", runId!, "--yes"])).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(STEPS);
  });

  it("refuses to resume a run killed during its rollback, which would retry the failed step instead of finishing the rollback", async () => {
    const p = project(`apiVersion: relctl/v1
name: rolling-back
stages:
  promote:
    on_failure: rollback
    steps:
      - id: deploy
        uses: exec.run
        with: { argv: [sh, -c, 'echo deploy >> steps.log; [ -e healthy ]'] }
  rollback:
    steps:
${step("a")}${step("b")}`);
    const child = p.start(["promote", "--yes"]);
    await waitFor("the rollback's first step to start", started(p, "a"));
    killGroup(child);
    await child;
    const [runId] = p.runIds();
    p.write("healthy", ""); // a retried deploy would pass now, hiding the half-done rollback
    releaseAll(p);

    const refused = await p.run(["resume", runId!, "--yes"]);

    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      `run ${runId} cannot be resumed: stage promote failed and its on_failure stage rollback was cut off`,
    );
    expect(refused.stderr).toContain("relctl run rollback");
    expect(p.lines("steps.log")).toEqual(["deploy"]);
    expect((await p.run(["rollback", "--yes"])).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["deploy", "a", "b"]);
  });

  it("refuses to resume a run that already ended", async () => {
    const p = project(PLAYBOOK);
    releaseAll(p);
    expect((await p.run(["build", "--yes"])).exitCode).toBe(0);
    const [runId] = p.runIds();

    const refused = await p.run(["resume", runId!, "--yes"]);

    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`run ${runId} cannot be resumed: it already ended (succeeded)`);
    expect(p.lines("steps.log")).toEqual(STEPS);
  });
});

describe("Ctrl-C and resume", () => {
  it("SIGINT stops the run with exit 130, and resume runs the interrupted step again and the rest once", async () => {
    const p = project(PLAYBOOK);
    for (const id of ["a", "b"]) p.write(`go-${id}`, "");
    const child = p.start(["build", "--yes", "--json"]);
    await waitFor("slow to do its work", () => p.lines("steps.log").includes("slow"));

    child.kill("SIGINT");
    const interrupted = await child;

    expect(interrupted.exitCode).toBe(130);
    expect(events(interrupted).at(-1)).toMatchObject({
      type: "run.end",
      status: "interrupted",
      exitCode: 130,
    });
    expect(p.lines("steps.log")).toEqual(["a", "b", "slow"]);
    const [runId] = p.runIds();
    const status = await p.run(["status", runId!]);
    expect(status.stdout).toMatch(/^status: interrupted \(exit 130\)$/m);
    expect(status.stdout).toMatch(/slow\s+cancelled/);

    releaseAll(p);
    const resumed = await p.run(["resume", runId!, "--yes"]);

    expect(resumed.exitCode).toBe(0);
    expect(resumed.stderr).toContain(`resuming run ${runId}: skipping a, b`);
    expect(p.lines("steps.log")).toEqual(["a", "b", "slow", "slow", "c", "d"]);
    expect((await p.run(["status", runId!])).stdout).toMatch(/^status: succeeded \(exit 0\)$/m);

    // Each start left its own evidence; the resumed one's journal covers both starts.
    const runDir = join(p.state, "runs", runId!);
    for (const bundle of ["evidence", "evidence-2"]) {
      expect((await p.run(["evidence", "verify", join(runDir, bundle)])).exitCode, bundle).toBe(0);
    }
    const manifest = readJson<{ run: { status: string; starts: number } }>(
      join(runDir, "evidence-2", "manifest.json"),
    );
    expect(manifest.run).toMatchObject({ status: "succeeded", starts: 2 });
  });
});
