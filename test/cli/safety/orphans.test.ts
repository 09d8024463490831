// A step must never outlive relctl unnoticed, nor run beside its own orphan. Through the built
// binary, with real signals: the step is a shell script that starts a grandchild (`sleep`), the
// way `sh -c '…; sleep 40; …'` does, and writes the grandchild's pid to gc.pid.
//
// - SIGTERM to relctl's pid alone stops the whole step (grandchild included), relctl exits long
//   before the step would have ended, and its lock goes only after the step's processes are gone.
// - SIGKILL to relctl's pid alone leaves the step running (a real orphan); `relctl resume` and a
//   new run that would take the stale lock over refuse (exit 4) naming the step and its pid, and
//   `--stop-orphans` stops it, records that, and runs the step again — never beside it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { describe, expect, it } from "vitest";
import { lockFile as lockPath } from "../../../src/state/lock.js";
import { cliEnv, relctlBin } from "../../helpers/cli.js";
import { isRunning, waitUntilGone } from "../../helpers/processes.js";
import { project, readJsonLines, waitFor, type Project } from "./helpers.js";

// The step: refuses to start while an earlier attempt of itself (or its grandchild) still runs
// ("overlap" in the ledger), then holds for as long as the file `hold` says.
const STEP_SCRIPT = `alive() { s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ -n "$s" ] && [ "$s" != Z ]; }
for pid in $(cat current gc.pid 2>/dev/null); do
  if alive "$pid"; then echo "overlap $$ $pid" >> ledger; fi
done
echo $$ > current
echo "start $$" >> ledger
sh -c 'echo $$ > gc.pid; exec sleep "$(cat hold)"'
echo "end $$" >> ledger
`;

// The same, with a grandchild that ignores SIGTERM: only SIGKILL ends it.
const STUBBORN_SCRIPT = `echo "start $$" >> ledger
sh -c 'trap "" TERM; echo $$ > gc.pid; while :; do sleep 0.05; done'
echo "end $$" >> ledger
`;

const PLAYBOOK = (script: string) => `apiVersion: relctl/v1
name: orphans
stages:
  build:
    environment: staging
    steps:
      - id: slow
        uses: exec.run
        with: { argv: [sh, ${script}] }
      - id: after
        uses: exec.run
        with: { argv: [sh, -c, 'echo after >> ledger'] }
`;

/** relctl alone, in the test's process group: a signal to its pid reaches relctl only. */
function startAlone(p: Project, args: string[]): ResultPromise {
  return execa(process.execPath, [relctlBin, ...args], {
    cwd: p.dir,
    env: cliEnv(),
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    timeout: 60_000,
  });
}

const lockFile = (p: Project) => () =>
  existsSync(lockPath(p.state, { playbook: "orphans", environment: "staging" }));

async function grandchildOf(p: Project): Promise<number> {
  await waitFor("the step's grandchild to start", () => p.lines("gc.pid").length > 0, 20_000);
  return Number(p.lines("gc.pid")[0]);
}

function stepPids(p: Project): number[] {
  return p
    .lines("ledger")
    .filter((line) => line.startsWith("start "))
    .map((line) => Number(line.split(" ")[1]));
}

interface AuditEntry {
  action: string;
  step?: string;
  pid?: number;
  signal?: string;
  runId?: string;
}

const audit = (p: Project) => readJsonLines<AuditEntry>(join(p.state, "locks", "audit.jsonl"));

describe.concurrent("a step's processes and relctl", () => {
  it.each([
    ["SIGTERM", "a grandchild that stops on SIGTERM", STEP_SCRIPT],
    ["SIGHUP", "a grandchild that stops on SIGTERM", STEP_SCRIPT],
    ["SIGINT", "a grandchild that stops on SIGTERM", STEP_SCRIPT],
    ["SIGTERM", "a grandchild that ignores SIGTERM (killed after the grace period)", STUBBORN_SCRIPT],
  ] as const)(
    "%s to relctl's pid alone stops the whole step, %s, and the lock goes only after it",
    async (signal, _, script) => {
      const p = project(PLAYBOOK("step.sh"), { "step.sh": script, hold: "40" });
      const run = startAlone(p, ["build", "--yes"]);
      const grandchild = await grandchildOf(p);
      const locked = lockFile(p);
      expect(locked()).toBe(true);

      run.kill(signal);
      // While relctl shuts down, its lock must never be gone while the grandchild still runs.
      let releasedEarly = false;
      let exited = false;
      void run.finally(() => (exited = true));
      while (!exited) {
        const lockGone = !locked();
        if (lockGone && isRunning(grandchild)) releasedEarly = true;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const result = await run;

      expect(result.exitCode).toBe(130);
      await waitUntilGone(grandchild);
      expect(releasedEarly).toBe(false);
      // It exited well before the step's own end (sleep 40 or forever).
      expect(p.lines("ledger").filter((line) => line.startsWith("end"))).toEqual([]);
      expect(p.lines("ledger")).not.toContain("after");
      expect(audit(p).map((entry) => entry.action)).toEqual(["acquire", "release"]);
    },
    60_000,
  );

  it("a step's timeout stops its whole process group, grandchild included", async () => {
    const p = project(
      PLAYBOOK("step.sh").replace(
        "uses: exec.run\n        with: { argv: [sh, step.sh] }",
        "uses: exec.run\n        timeout: 1s\n        with: { argv: [sh, step.sh] }",
      ),
      {
        "step.sh": STEP_SCRIPT,
        hold: "40",
      },
    );
    const run = startAlone(p, ["build", "--yes"]);
    const grandchild = await grandchildOf(p);
    const result = await run;

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("timed out after 1.0s");
    await waitUntilGone(grandchild);
    expect(p.lines("ledger").filter((line) => line.startsWith("end"))).toEqual([]);
  }, 60_000);

  it("SIGKILL to relctl leaves the step running; resume refuses (exit 4) naming it, and --stop-orphans stops it and completes", async () => {
    const p = project(PLAYBOOK("step.sh"), { "step.sh": STEP_SCRIPT, hold: "40" });
    const run = startAlone(p, ["build", "--yes"]);
    const grandchild = await grandchildOf(p);
    const [orphan] = stepPids(p);
    run.kill("SIGKILL");
    expect((await run).signal).toBe("SIGKILL");
    const [runId] = p.runIds();
    // A real orphan: the kill reached relctl only.
    expect(isRunning(grandchild)).toBe(true);
    expect(isRunning(orphan!)).toBe(true);

    const refused = await p.run(["resume", runId!, "--yes"]);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toMatch(
      new RegExp(
        `step slow of run ${runId} is still running as pid ${orphan} \\(sh, process group ${orphan}\\) for \\d`,
      ),
    );
    expect(refused.stderr).toContain(`relctl resume ${runId} --stop-orphans`);
    // Refused before it says anything about skipping or re-running steps.
    expect(refused.stderr).not.toContain("resuming run");
    expect(stepPids(p)).toEqual([orphan]);
    expect(isRunning(grandchild)).toBe(true);

    p.write("hold", "0");
    const resumed = await p.run(["resume", runId!, "--yes", "--stop-orphans"]);

    expect(resumed.stderr).toContain(`stopping step slow of run ${runId}: process group ${orphan}`);
    expect(resumed.exitCode).toBe(0);
    expect(isRunning(grandchild)).toBe(false);
    const ledger = p.lines("ledger");
    expect(ledger.filter((line) => line.startsWith("overlap"))).toEqual([]);
    const [, again] = stepPids(p);
    expect(ledger).toEqual([`start ${orphan}`, `start ${again}`, `end ${again}`, "after"]);
    expect(audit(p).find((entry) => entry.action === "stop-orphan")).toMatchObject({
      runId,
      step: "slow",
      pid: orphan,
      signal: "SIGTERM",
    });
  }, 60_000);

  it("a new run that would take over the killed run's stale lock refuses while its step runs, and --stop-orphans stops it first", async () => {
    const p = project(PLAYBOOK("step.sh"), { "step.sh": STEP_SCRIPT, hold: "40" });
    const run = startAlone(p, ["build", "--yes"]);
    const grandchild = await grandchildOf(p);
    const [orphan] = stepPids(p);
    run.kill("SIGKILL");
    await run;
    const [lostRun] = p.runIds();

    const refused = await p.run(["build", "--yes"]);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(`step slow of run ${lostRun} is still running as pid ${orphan}`);
    expect(refused.stderr).toContain("run the same command with --stop-orphans");
    expect(stepPids(p)).toEqual([orphan]);
    // Refused before the takeover: the stale lock still names the lost run and its step.
    expect(audit(p).map((entry) => entry.action)).toEqual(["acquire"]);

    p.write("hold", "0");
    const next = await p.run(["build", "--yes", "--stop-orphans"]);

    expect(next.exitCode).toBe(0);
    expect(isRunning(grandchild)).toBe(false);
    expect(p.lines("ledger").filter((line) => line.startsWith("overlap"))).toEqual([]);
    expect(audit(p).map((entry) => entry.action)).toEqual(["acquire", "stop-orphan", "takeover", "release"]);
  }, 60_000);

  it("a step's program runs only once the journal holds its process", async () => {
    const p = project(`apiVersion: relctl/v1
name: recorded
stages:
  build:
    steps:
      - id: check
        uses: exec.run
        with:
          argv: [sh, -c, 'grep -q "\\"type\\":\\"step.process\\".*\\"pid\\":$$," "$1" && echo recorded >> ledger || echo unrecorded >> ledger', sh, '.relctl/runs/\${{ run.id }}/journal.jsonl']
`);
    for (let round = 0; round < 3; round++) {
      expect((await p.run(["build", "--yes"])).exitCode).toBe(0);
    }
    expect(p.lines("ledger")).toEqual(["recorded", "recorded", "recorded"]);
  }, 60_000);

  it("a missing cwd says that the directory does not exist, with the step and the path", async () => {
    const p = project(`apiVersion: relctl/v1
name: nowhere
stages:
  build:
    steps:
      - { id: list, uses: exec.run, with: { argv: [ls], cwd: ./nope } }
`);
    const result = await p.run(["build", "--yes"]);

    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toMatch(
      new RegExp(`✗ list .*\\n\\s+working directory ${join(p.dir, "nope")} does not exist`),
    );
    expect(result.stdout + result.stderr).not.toMatch(/command not found|install ls/);
  });
});
