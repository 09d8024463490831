// State files damaged by hand, by a newer relctl or by the file system: each is refused or
// flagged with its file and line, never a crash inside the command that happens to read it.
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode, RelctlError } from "../../src/errors.js";
import { formatHistory, formatStatus } from "../../src/state/format.js";
import { openJournal, readJournal, readJournalFile } from "../../src/state/journal.js";
import { acquireLock, lockFile, lockHeldError, type LockHeld } from "../../src/state/lock.js";
import { journalPath } from "../../src/state/paths.js";
import { listRuns, runSummary } from "../../src/state/run-summary.js";
import { assertStateWritable } from "../../src/state/writable.js";
import { eventFactory, sampleRun } from "./events.js";

const stateDir = () => mkdtempSync(join(tmpdir(), "relctl-damaged-"));

function writeLines(dir: string, runId: string, lines: unknown[]): string {
  const file = journalPath(dir, runId);
  mkdirSync(join(dir, "runs", runId), { recursive: true });
  writeFileSync(file, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  return file;
}

function thrown(fn: () => unknown): RelctlError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RelctlError);
    return error as RelctlError;
  }
  throw new Error("expected an error");
}

describe("journal validation on read", () => {
  const start = sampleRun("r1")[0]!;

  it.each([
    [
      "stages is a string, not a list",
      { ...start, stages: "build" },
      /:1: damaged run\.start event \(stages:/,
    ],
    ["vars is missing", { ...start, vars: undefined }, /:1: damaged run\.start event \(vars:/],
    [
      "a step.end with an unknown status",
      { ...sampleRun("r1")[4]!, seq: 1, status: "done" },
      /:1: damaged step\.end event \(status:/,
    ],
    ["seq is zero", { ...start, seq: 0 }, /:1: not a run event \(seq:/],
  ])("refuses a journal whose line %s, naming the file and line (exit 2)", (_, line, expected) => {
    const dir = stateDir();
    writeLines(dir, "r1", [line]);
    const error = thrown(() => readJournal(dir, "r1"));
    expect(error.exitCode).toBe(ExitCode.invalid);
    expect(error.message).toMatch(expected);
    expect(error.message).toContain(journalPath(dir, "r1"));
  });

  it("refuses a journal written by a newer event format instead of guessing at it", () => {
    const dir = stateDir();
    writeLines(dir, "r1", [start, { ...sampleRun("r1")[1]!, v: 99 }]);
    const error = thrown(() => readJournal(dir, "r1"));
    expect(error.code).toBe("E_STATE_TOO_NEW");
    expect(error.exitCode).toBe(ExitCode.invalid);
    expect(error.message).toMatch(
      /journal\.jsonl:2: written by a newer relctl \(event format v99; this relctl reads v1\)/,
    );
    // Resuming it would append to a file this relctl cannot read: refused as well.
    expect(() => openJournal(dir, "r1")).toThrow(/newer relctl/);
  });

  it("accepts a field added within v1 and an event type it does not know", () => {
    const dir = stateDir();
    const file = writeLines(dir, "r1", [
      { ...start, addedLater: { any: "thing" } },
      { v: 1, seq: 2, at: start.at, runId: "r1", type: "run.checkpoint", note: "from a later v1" },
    ]);
    expect(readJournalFile(file).events).toHaveLength(2);
  });

  it("says a journal that is a directory cannot be read, and how to restore it", () => {
    const dir = stateDir();
    mkdirSync(journalPath(dir, "r1"), { recursive: true });
    const error = thrown(() => readJournal(dir, "r1"));
    expect(error.exitCode).toBe(ExitCode.invalid);
    expect(error.message).toMatch(/cannot read the journal of run r1 at .*journal\.jsonl: it is a directory/);
    expect(error.hint).toMatch(/evidence/);
  });
});

describe("history with a damaged run", () => {
  it("lists every run, the damaged and the empty one flagged with their problem", () => {
    const dir = stateDir();
    const good = openJournal(dir, "20261122T101500Z-aaaa");
    for (const event of sampleRun("20261122T101500Z-aaaa")) good.emit(event);
    good.close();
    writeLines(dir, "20261122T111500Z-bbbb", [
      { ...sampleRun("20261122T111500Z-bbbb")[0]!, stages: "build" },
    ]);
    mkdirSync(join(dir, "runs", "20261122T121500Z-cccc"));
    writeFileSync(journalPath(dir, "20261122T121500Z-cccc"), "");

    const runs = listRuns(dir);

    expect(runs.map((run) => [run.runId, run.problem !== undefined])).toEqual([
      ["20261122T101500Z-aaaa", false],
      ["20261122T121500Z-cccc", true],
      ["20261122T111500Z-bbbb", true],
    ]);
    expect(runs[1]!.problem).toMatch(/its journal is empty/);
    expect(runs[2]!.problem).toMatch(/damaged run\.start event \(stages:/);
    expect(() => formatHistory(runs)).not.toThrow();
  });
});

describe("status of a run with warnings", () => {
  it("shows a warning recorded after the run ended (evidence that could not be signed)", () => {
    const events = sampleRun("r1");
    const e = eventFactory("r1");
    const warning = {
      ...e({ type: "run.warning", message: "evidence bundle could not be signed" }),
      seq: 99,
    };
    const summary = runSummary([...events, warning], { runId: "r1" });
    expect(summary.outcome).toBe("succeeded");
    expect(summary.warnings).toEqual(["evidence bundle could not be signed"]);
    expect(formatStatus(summary)).toMatch(
      /status: succeeded \(exit 0\)\n {2}warning: evidence bundle could not be signed/,
    );
  });

  it("names the run from its folder when the journal names none", () => {
    expect(runSummary([], { runId: "r9" }).runId).toBe("r9");
  });
});

describe("a damaged lock file", () => {
  const target = { playbook: "api", environment: "production" };

  it("is refused as damaged, with how to clear it, and never taken over, however old", () => {
    const dir = stateDir();
    expect(acquireLock(dir, target, { runId: "first", command: [] }).kind).toBe("acquired");
    writeFileSync(lockFile(dir, target), "garbage\n");
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lockFile(dir, target), old, old);

    const result = acquireLock(dir, target, { runId: "x", command: [] });

    expect(result).toMatchObject({ kind: "held", damaged: true, stale: false });
    const error = lockHeldError(result as LockHeld);
    expect(error.message).toMatch(
      /cannot be locked: the lock file .* is damaged: it does not hold a relctl lock \(it starts "garbage"\)/,
    );
    expect(error.hint).toBe(
      'if no relctl run is using api on production, clear it: relctl unlock --force --reason "…" --environment production',
    );
    expect(readFileSync(lockFile(dir, target), "utf8")).toBe("garbage\n");
  });
});

describe("whether a run can write its state", () => {
  it("accepts a state directory that does not exist yet under a writable parent", () => {
    expect(() => assertStateWritable(join(stateDir(), "new", ".relctl"))).not.toThrow();
  });

  it("refuses a state directory that is a file, naming it (exit 2)", () => {
    const file = join(stateDir(), "state");
    writeFileSync(file, "");
    const error = thrown(() => assertStateWritable(file));
    expect(error.exitCode).toBe(ExitCode.invalid);
    expect(error.message).toBe(
      `cannot write run state to ${file}: it is a file, not a directory; nothing was run`,
    );
  });

  it("refuses a part of the state that is a file where a folder belongs", () => {
    const dir = stateDir();
    writeFileSync(join(dir, "trains"), "");
    expect(() => assertStateWritable(dir)).toThrow(
      `cannot write run state to ${join(dir, "trains")}: it is a file`,
    );
  });
});
