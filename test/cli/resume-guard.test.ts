// What a resume decides once it holds the lock, from the journal as it is then (real journal
// files, real lock files; the processes racing for them are in test/cli/safety/resume-race).
import { mkdtempSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { refuseLiveRun, settleResume } from "../../src/cli/resume-guard.js";
import { openJournal, readJournal } from "../../src/state/journal.js";
import { acquireLock } from "../../src/state/lock.js";
import { resumePoint } from "../../src/state/resume.js";
import type { RunEventBody } from "../../src/run/events.js";
import { eventFactory, runStart, stepEnd, stepStart } from "../state/events.js";

const RUN = "20261122T101500Z-3fa2";
const isGate = () => false;

function journalWith(
  stateDir: string,
  e: ReturnType<typeof eventFactory>,
  bodies: Parameters<typeof e>[0][],
) {
  const journal = openJournal(stateDir, RUN);
  for (const body of bodies) journal.emit(e(body));
  journal.close();
}

/** A run.start of the build stage, with the fields a real run adds. */
function start(extra: Record<string, unknown>): RunEventBody {
  return { ...runStart(["build"]), ...extra } as RunEventBody;
}

function pointNow(stateDir: string) {
  return resumePoint(readJournal(stateDir, RUN).events, { isGate });
}

describe("settling a resume under the lock", () => {
  it("skips what the journal says is done now, and says so when that moved on since the prompt", () => {
    const stateDir = mkdtempSync(join(tmpdir(), "relctl-guard-"));
    const e = eventFactory(RUN);
    journalWith(stateDir, e, [
      start({ playbookDigest: "sha256:abc" }),
      stepStart("build", "a"),
      stepEnd("build", "a", "succeeded"),
      stepStart("build", "b"),
    ]);
    const before = pointNow(stateDir);
    // Another resume ran b and was interrupted before c.
    journalWith(stateDir, e, [
      start({ resumed: true }),
      stepStart("build", "b"),
      stepEnd("build", "b", "succeeded", { n: 2 }),
      { type: "run.end", status: "interrupted", exitCode: 130, durationMs: 1 },
    ]);
    const said: string[] = [];

    const completed = settleResume(stateDir, before, { isGate, say: (text) => said.push(text) });

    expect([...completed.keys()]).toEqual(["a", "b"]);
    expect(completed.get("b")).toEqual({ outputs: { n: 2 } });
    expect(said).toEqual([`run ${RUN} moved on while this resume waited: skipping a, b instead\n`]);
  });

  it("refuses with exit 4 when the run ended meanwhile, naming the start that finished it", () => {
    const stateDir = mkdtempSync(join(tmpdir(), "relctl-guard-"));
    const e = eventFactory(RUN);
    journalWith(stateDir, e, [start({ playbookDigest: "sha256:abc" }), stepStart("build", "a")]);
    const before = pointNow(stateDir);
    journalWith(stateDir, e, [
      start({ resumed: true, pid: 4243, hostname: "ci-7" }),
      stepStart("build", "a"),
      stepEnd("build", "a", "succeeded"),
      { type: "run.end", status: "succeeded", exitCode: 0, durationMs: 1 },
    ]);
    const end = readJournal(stateDir, RUN).events.at(-1)!;

    expect(() => settleResume(stateDir, before, { isGate })).toThrow(
      expect.objectContaining({
        exitCode: 4,
        message: `run ${RUN} ended while this resume waited: succeeded at ${end.at}, finished by relctl pid 4243 on ci-7; nothing was run`,
      }),
    );
  });
});

describe("a resume of a live run", () => {
  it("is refused with exit 4 naming the live holder of the run's lock, and allowed once it is gone", () => {
    const stateDir = mkdtempSync(join(tmpdir(), "relctl-guard-"));
    const held = acquireLock(
      stateDir,
      { playbook: "api", environment: "production" },
      { runId: RUN, command: ["relctl", "promote"] },
    );
    if (held.kind !== "acquired") throw new Error("expected the lock");

    expect(() => refuseLiveRun(stateDir, RUN)).toThrow(
      expect.objectContaining({
        exitCode: 4,
        message: expect.stringContaining(
          `run ${RUN} is still running: its relctl is alive (pid ${process.pid} on ${hostname()}, since `,
        ),
      }),
    );
    expect(() => refuseLiveRun(stateDir, "20261122T101500Z-0000")).not.toThrow();
    held.lock.release();
    expect(() => refuseLiveRun(stateDir, RUN)).not.toThrow();
  });
});
