// Telling an orphan from a process that only has its pid, with real processes: a recorded step
// process is an orphan only while it runs on this host, its relctl is gone, and it is still the
// process that was recorded (same start time).
import { spawn, type ChildProcess } from "node:child_process";
import { hostname } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { processStartTime } from "../../src/run/process-identity.js";
import { checkOrphan, inFlightProcesses, type StepProcess } from "../../src/state/orphans.js";
import type { RunEvent } from "../../src/run/events.js";
import { waitUntilGone } from "../helpers/processes.js";

const started: ChildProcess[] = [];

/** A process in a group of its own, as relctl starts a step's program. */
function startGroup(): ChildProcess {
  const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
  started.push(child);
  return child;
}

afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
});

/** A relctl pid that no longer runs: a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((resolve) => child.on("exit", resolve));
  await waitUntilGone(child.pid!);
  return child.pid!;
}

function recorded(pid: number, overrides: Partial<StepProcess> = {}): StepProcess {
  return {
    runId: "20261208T000000Z-0000",
    stage: "build",
    step: "deploy",
    program: "sleep",
    pid,
    pgid: pid,
    startTime: processStartTime(pid),
    hostname: hostname(),
    at: new Date().toISOString(),
    relctl: { pid: 1, startTime: "linux:0" },
    ...overrides,
  };
}

describe("orphans", () => {
  it("is an orphan while its group runs and its relctl is gone", async () => {
    const child = startGroup();
    const relctl = { pid: await deadPid() };
    expect(checkOrphan(recorded(child.pid!, { relctl }))).toBe("orphan");

    process.kill(-child.pid!, "SIGKILL");
    await waitUntilGone(child.pid!);
    expect(checkOrphan(recorded(child.pid!, { relctl, startTime: "linux:1" }))).toBe("gone");
  });

  it("is not an orphan while the relctl that started it still runs it", () => {
    const child = startGroup();
    const relctl = { pid: process.pid, startTime: processStartTime(process.pid) };
    expect(checkOrphan(recorded(child.pid!, { relctl }))).toBe("owned");
  });

  it("tells a later process with the same pid apart by its start time", async () => {
    const child = startGroup();
    const relctl = { pid: await deadPid() };
    // The group is there, but its leader is not the process that was recorded.
    expect(checkOrphan(recorded(child.pid!, { relctl, startTime: "linux:1" }))).toBe("gone");
  });

  it("cannot judge a process recorded on another host", async () => {
    const child = startGroup();
    const relctl = { pid: await deadPid() };
    expect(checkOrphan(recorded(child.pid!, { relctl, hostname: "elsewhere.example" }))).toBe("elsewhere");
  });

  it("looks only at the processes of steps that had not ended", () => {
    const base = { v: 1 as const, at: "2026-12-08T00:00:00.000Z", runId: "r", stage: "build" };
    const proc = (seq: number, step: string, pid: number): RunEvent => ({
      ...base,
      seq,
      type: "step.process",
      step,
      program: "sh",
      pid,
      pgid: pid,
      hostname: "h",
      relctl: { pid: 9 },
    });
    const events: RunEvent[] = [
      proc(1, "a", 101),
      {
        ...base,
        seq: 2,
        type: "step.end",
        step: "a",
        name: "a",
        status: "succeeded",
        durationMs: 1,
        attempts: 1,
      },
      proc(3, "b", 102),
      proc(4, "b", 103),
    ];
    expect(inFlightProcesses(events).map((entry) => [entry.step, entry.pid])).toEqual([
      ["b", 102],
      ["b", 103],
    ]);
  });
});
