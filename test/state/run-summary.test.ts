import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/run/events.js";
import { formatHistory, formatStatus } from "../../src/state/format.js";
import { openJournal } from "../../src/state/journal.js";
import { acquireLock } from "../../src/state/lock.js";
import { journalPath } from "../../src/state/paths.js";
import { listRuns, runSummary } from "../../src/state/run-summary.js";
import { eventFactory, runStart, sampleRun, stepCarriedOver, stepStart } from "./events.js";

function writeRun(stateDir: string, events: RunEvent[]): void {
  const journal = openJournal(stateDir, events[0]!.runId);
  for (const event of events) journal.emit(event);
  journal.close();
}

describe("run summaries", () => {
  it("says where a finished run stands: stages, steps with status and timing, outputs of succeeded steps", () => {
    const summary = runSummary(sampleRun("r1"));
    expect(summary).toMatchObject({
      runId: "r1",
      name: "api",
      outcome: "succeeded",
      exitCode: 0,
      starts: 1,
      stages: ["build", "canary"],
    });
    expect(
      summary.stageSummaries.map((stage) => [
        stage.stage,
        stage.status,
        stage.steps.map((step) => step.step),
      ]),
    ).toEqual([
      ["build", "succeeded", ["compile"]],
      ["canary", "succeeded", ["error-rate", "promote"]],
    ]);
    expect(summary.stageSummaries[1]!.steps[1]).toMatchObject({
      status: "succeeded",
      durationMs: 30000,
      outputs: { revision: 7 },
    });
    expect(summary.lastEvent?.type).toBe("run.end");
  });

  it("calls a run without run.end crashed, or running while a live process holds it, and marks the step in flight", () => {
    const cut = sampleRun("r1").slice(0, 8);
    expect(runSummary(cut).outcome).toBe("crashed");
    expect(runSummary(cut).stageSummaries[1]!.steps[0]).toMatchObject({
      step: "error-rate",
      status: "unfinished",
    });
    expect(runSummary(cut, { live: true }).outcome).toBe("running");
    expect(runSummary(cut, { live: true }).stageSummaries[1]!.steps[0]!.status).toBe("running");
  });

  it("merges a resumed run: a step completed earlier keeps its record, a re-run step shows its new result", () => {
    const e = eventFactory("r1");
    const events = [
      e(runStart(["build"])),
      e({ type: "stage.start", stage: "build", role: "requested", steps: 2 }),
      e(stepStart("build", "a")),
      e({
        type: "step.end",
        stage: "build",
        step: "a",
        name: "a",
        status: "succeeded",
        durationMs: 900,
        attempts: 1,
        outputs: { x: 1 },
      }),
      e(stepStart("build", "b")),
      e(runStart(["build"])),
      e({ type: "stage.start", stage: "build", role: "requested", steps: 2 }),
      e(stepCarriedOver("build", "a", { x: 1 })),
      e(stepStart("build", "b")),
      e({
        type: "step.end",
        stage: "build",
        step: "b",
        name: "b",
        status: "failed",
        durationMs: 5,
        attempts: 1,
        error: { kind: "failed", message: "exit 2" },
      }),
      e({ type: "stage.end", stage: "build", status: "failed", durationMs: 10, failedStep: "b" }),
      e({
        type: "run.end",
        status: "failed",
        exitCode: 1,
        durationMs: 20,
        failedStage: "build",
        failedStep: "b",
      }),
    ];
    const summary = runSummary(events);
    expect(summary.starts).toBe(2);
    expect(summary.outcome).toBe("failed");
    const [a, b] = summary.stageSummaries[0]!.steps;
    expect(a).toMatchObject({ status: "succeeded", durationMs: 900, attempts: 1, outputs: { x: 1 } });
    expect(b).toMatchObject({ status: "failed", error: { message: "exit 2" } });
    expect(b!.outputs).toBeUndefined();
  });

  it("prints a status a person can act on", () => {
    const text = formatStatus(runSummary(sampleRun("20261122T101500Z-3fa2").slice(0, 12)));
    expect(text).toBe(
      [
        "run 20261122T101500Z-3fa2  api (relctl.yaml)",
        "status: crashed",
        "  the run stopped without finishing (killed or crashed); `relctl resume 20261122T101500Z-3fa2` continues it",
        "started 2026-11-22T10:15:01.000Z",
        "stages requested: build, canary",
        "  build  succeeded 1.6s",
        "    ✓ compile     succeeded 1.5s  exec.run",
        "  canary  unfinished",
        "    ✓ error-rate  succeeded 2m00s  prometheus.gate",
        "    ? promote     unfinished  helm.upgrade",
        "last event: #12 step.start promote at 2026-11-22T10:15:12.000Z",
        "",
      ].join("\n"),
    );
  });
});

describe("run history", () => {
  it("lists every run newest first, live ones as running, and a damaged journal without hiding the others", () => {
    const dir = mkdtempSync(join(tmpdir(), "relctl-history-"));
    writeRun(dir, sampleRun("20261122T101500Z-aaaa"));
    const e = eventFactory("20261121T080000Z-bbbb", Date.parse("2026-11-21T08:00:00Z"));
    writeRun(dir, [
      e({
        type: "run.start",
        playbook: "relctl.yaml",
        name: "api",
        stages: ["promote"],
        dryRun: false,
        vars: {},
      }),
    ]);
    const live = eventFactory("20261123T080000Z-cccc", Date.parse("2026-11-23T08:00:00Z"));
    writeRun(dir, [
      live({
        type: "run.start",
        playbook: "relctl.yaml",
        name: "api",
        stages: ["canary"],
        dryRun: false,
        vars: {},
      }),
    ]);
    acquireLock(
      dir,
      { playbook: "api", environment: "production" },
      { runId: "20261123T080000Z-cccc", command: [] },
    );
    openJournal(dir, "20261119T080000Z-dddd").close();
    writeFileSync(journalPath(dir, "20261119T080000Z-dddd"), "garbage\n{}\n");

    const runs = listRuns(dir);

    expect(runs.map((run) => [run.runId, run.outcome])).toEqual([
      ["20261123T080000Z-cccc", "running"],
      ["20261122T101500Z-aaaa", "succeeded"],
      ["20261121T080000Z-bbbb", "crashed"],
      ["20261119T080000Z-dddd", "crashed"],
    ]);
    expect(runs[3]!.problem).toMatch(/journal\.jsonl:1: not valid JSON/);
    const text = formatHistory(runs);
    expect(text.split("\n")[0]).toMatch(/^RUN\s+PLAYBOOK\s+ENV\s+STAGES\s+STATUS\s+STARTED\s+TOOK$/);
    expect(text).toContain("20261122T101500Z-aaaa  api");
    expect(text).toMatch(
      /20261122T101500Z-aaaa .*build,canary\s+succeeded \(0\)\s+2026-11-22T10:15:01.000Z\s+2m40s/,
    );
  });

  it("says so when there are no runs", () => {
    expect(listRuns(join(tmpdir(), "relctl-does-not-exist"))).toEqual([]);
    expect(formatHistory([])).toBe("no runs recorded in this state directory\n");
  });
});

describe("whether a run's records are written", () => {
  const runWithStages = (runId: string) => sampleRun(runId);

  it("flags a run whose journal ends in run.end without run.records (relctl stopped in between)", () => {
    const summary = runSummary(runWithStages("r1"));
    expect(summary.records).toBe("missing");
    expect(formatStatus(summary)).toContain(
      "records: NOT written: the run ended, but relctl was stopped (or failed) before its train record, last known good and evidence bundle were all written; relctl resume r1 writes them",
    );
  });

  it("does not flag a run whose records are marked, nor one refused before any stage, nor one still going", () => {
    const events = runWithStages("r2");
    const last = events.at(-1)!;
    const marked = [
      ...events,
      { ...last, seq: last.seq + 1, type: "run.records", evidence: "evidence" } as RunEvent,
    ];
    expect(runSummary(marked).records).toBe("written");
    expect(formatStatus(runSummary(marked))).not.toContain("records:");

    const e = eventFactory("r3");
    const refused = [
      e(runStart(["promote"])),
      e({ type: "run.end", status: "blocked", exitCode: 4, durationMs: 0, message: "approvals missing" }),
    ];
    expect(runSummary(refused).records).toBeUndefined();
    expect(runSummary(events.slice(0, -1)).records).toBeUndefined();
  });

  it("asks again of a resumed start: a mark of an earlier start does not cover a later run.end", () => {
    const events = runWithStages("r4");
    const last = events.at(-1)!;
    const e = eventFactory("r4", Date.parse(last.at) + 1000);
    const resumed = [
      ...events,
      { ...last, seq: last.seq + 1, type: "run.records", evidence: "evidence" } as RunEvent,
      ...[
        e({ ...runStart(["build", "canary"]), resumed: true } as never),
        e({ type: "stage.start", stage: "build", role: "requested", steps: 1 }),
        e({ type: "stage.end", stage: "build", status: "succeeded", durationMs: 1 }),
        e({ type: "run.end", status: "succeeded", exitCode: 0, durationMs: 1 }),
      ].map((event, index) => ({ ...event, seq: last.seq + 2 + index })),
    ];
    expect(runSummary(resumed).records).toBe("missing");
  });
});
