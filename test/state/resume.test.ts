import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunEvent, RunEventBody } from "../../src/run/events.js";
import { readJournal } from "../../src/state/journal.js";
import { assertResumable, completedOutputs, resumePoint } from "../../src/state/resume.js";
import { childScript } from "./helpers/child-modules.js";
import { eventFactory, location, runStart, stepCarriedOver, stepEnd, stepStart } from "./events.js";

const isGate = (uses: string) => uses === "prometheus.gate";

interface PlannedStep {
  stage: string;
  step: string;
  uses: string;
}

const PLAN: PlannedStep[] = [
  { stage: "build", step: "compile", uses: "exec.run" },
  { stage: "build", step: "push", uses: "oci.push" },
  { stage: "canary", step: "error-rate", uses: "prometheus.gate" },
  { stage: "canary", step: "promote", uses: "helm.upgrade" },
];

/** A miniature engine: runs every planned step that is not completed, journaling as the engine does. */
function runPlan(
  emit: (body: Parameters<ReturnType<typeof eventFactory>>[0]) => void,
  skip: ReadonlySet<string>,
): string[] {
  const ran: string[] = [];
  emit({
    type: "run.start",
    playbook: "relctl.yaml",
    name: "api",
    stages: ["build", "canary"],
    dryRun: false,
    vars: { v: 1 },
  });
  for (const step of PLAN) {
    if (skip.has(step.step)) continue;
    emit({ type: "step.start", ...step, name: step.step, attempt: 1, input: {}, location });
    ran.push(step.step);
    emit({
      type: "step.end",
      stage: step.stage,
      step: step.step,
      name: step.step,
      status: "succeeded",
      durationMs: 5,
      attempts: 1,
      outputs: { from: step.step },
    });
  }
  emit({ type: "run.end", status: "succeeded", exitCode: 0, durationMs: 20 });
  return ran;
}

function fullJournal(): RunEvent[] {
  const events: RunEvent[] = [];
  const e = eventFactory("r1");
  runPlan((body) => events.push(e(body)), new Set());
  return events;
}

describe("resume points", () => {
  it("over a journal cut after every line, resuming runs each step that had not succeeded exactly once more and never one that had", () => {
    const full = fullJournal();
    for (let cut = 1; cut < full.length; cut++) {
      const before = full.slice(0, cut);
      const point = resumePoint(before, { isGate });
      const succeededBefore = new Set(
        before.flatMap((event) =>
          event.type === "step.end" && event.status === "succeeded" ? [event.step] : [],
        ),
      );

      const e = eventFactory("r1");
      const resumedEvents: RunEvent[] = [];
      const ranAgain = runPlan(
        (body) => resumedEvents.push(e(body)),
        new Set(completedOutputs(point).keys()),
      );

      for (const step of PLAN) {
        const finishedEarlier = succeededBefore.has(step.step) && !isGate(step.uses);
        // Never repeated when it finished; never skipped when it did not; gates always re-measured.
        expect(ranAgain.includes(step.step), `cut ${cut}, step ${step.step}`).toBe(!finishedEarlier);
      }
      expect(point.completed.map((entry) => entry.step)).toEqual(
        PLAN.filter((step) => succeededBefore.has(step.step) && !isGate(step.uses)).map((step) => step.step),
      );
      expect(resumePoint([...before, ...resumedEvents], { isGate }).inFlight).toEqual([]);
    }
  });

  it("keeps the outputs of completed steps, the requested stages and the vars of the first start", () => {
    const point = resumePoint(fullJournal().slice(0, 4), { isGate });
    expect(point.stages).toEqual(["build", "canary"]);
    expect(point.vars).toEqual({ v: 1 });
    expect(point.completed).toEqual([
      {
        stage: "build",
        step: "compile",
        uses: "exec.run",
        outputs: { from: "compile" },
        endedAt: expect.any(String),
        redactedOutputs: [],
      },
    ]);
    expect(point.inFlight).toEqual([{ stage: "build", step: "push", uses: "oci.push" }]);
    expect(point.resumable).toBe(true);
  });

  it("lists a passed gate as one to re-check, not as completed", () => {
    const full = fullJournal();
    const afterGate = full.findIndex((event) => event.type === "step.end" && event.step === "error-rate") + 1;
    const point = resumePoint(full.slice(0, afterGate), { isGate });
    expect(point.recheck).toEqual([{ stage: "canary", step: "error-rate", uses: "prometheus.gate" }]);
    expect(point.completed.map((entry) => entry.step)).not.toContain("error-rate");
  });

  it("does not count a step that ran again after a resume and failed", () => {
    const e = eventFactory("r1");
    const events = [
      e(runStart(["build"])),
      e(stepStart("build", "compile")),
      e(stepEnd("build", "compile", "succeeded")),
      e(runStart(["build"])),
      e(stepStart("build", "compile")),
      e(stepEnd("build", "compile", "failed")),
    ];
    expect(resumePoint(events, { isGate }).completed).toEqual([]);
  });

  it("keeps a completed step that a resumed run passed over without starting it", () => {
    const e = eventFactory("r1");
    const events = [
      e(runStart(["build"])),
      e(stepStart("build", "compile")),
      e(stepEnd("build", "compile", "succeeded", { n: 1 })),
      e(runStart(["build"])),
      e(stepCarriedOver("build", "compile", { n: 1 })),
    ];
    expect(resumePoint(events, { isGate }).completed.map((entry) => [entry.step, entry.outputs])).toEqual([
      ["compile", { n: 1 }],
    ]);
  });

  it("flags outputs that hold a redacted secret, which a resumed run cannot reuse", () => {
    const e = eventFactory("r1");
    const point = resumePoint(
      [
        e(runStart(["build"])),
        e(stepStart("build", "login")),
        e(stepEnd("build", "login", "succeeded", { token: "***", user: "ci" })),
      ],
      { isGate },
    );
    expect(point.completed[0]!.redactedOutputs).toEqual(["token"]);
  });

  it.each([
    ["a run that already succeeded", "succeeded", /already ended \(succeeded\)/],
    ["a run that rolled back", "rolled_back", /already ended \(rolled_back\)/],
  ] as const)("refuses to resume %s", (_name, status, message) => {
    const e = eventFactory("r1");
    const point = resumePoint(
      [e(runStart(["build"])), e({ type: "run.end", status, exitCode: 0, durationMs: 1 })],
      { isGate },
    );
    expect(point.resumable).toBe(false);
    expect(() => assertResumable(point, { playbookDigest: "sha256:a" })).toThrow(message);
  });

  it("resumes an interrupted run only with the playbook it started with", () => {
    const e = eventFactory("r1");
    // The digest the engine is asked to add to run.start (docs/release-safety.md).
    const start: RunEventBody & { playbookDigest: string } = {
      type: "run.start",
      playbook: "p",
      name: "api",
      stages: ["build"],
      dryRun: false,
      vars: {},
      playbookDigest: "sha256:aaaaaaaaaaaaaaaaaaaa",
    };
    const point = resumePoint(
      [e(start), e({ type: "run.end", status: "interrupted", exitCode: 130, durationMs: 1 })],
      { isGate },
    );
    expect(point.resumable).toBe(true);
    expect(() => assertResumable(point, { playbookDigest: "sha256:aaaaaaaaaaaaaaaaaaaa" })).not.toThrow();
    expect(() => assertResumable(point, { playbookDigest: "sha256:bbbbbbbbbbbbbbbbbbbb" })).toThrow(
      /the playbook changed since it started \(sha256:aaaaaaaaaaaa then, sha256:bbbbbbbbbbbb now\)/,
    );
  });

  it("refuses to resume a journal that does not say which playbook it ran", () => {
    const e = eventFactory("r1");
    const point = resumePoint([e(runStart([]))], { isGate });
    expect(() => assertResumable(point, { playbookDigest: "sha256:a" })).toThrow(
      /does not record which playbook/,
    );
  });
});

// The same miniature engine in a real process, with real side effects, killed with SIGKILL at
// a chosen boundary (after the N-th journal line or side effect), then resumed.
const engineScript = () =>
  childScript(
    "mini-engine",
    `import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { openJournal, readJournal } from "./src/state/journal.js";
import { resumePoint } from "./src/state/resume.js";
const [stateDir, runId, effects, killAt, mode] = process.argv.slice(2);
const PLAN = ${JSON.stringify(PLAN)};
let done = new Set();
let seq = 0;
if (mode === "resume") {
  const read = readJournal(stateDir, runId);
  const point = resumePoint(read.events, { isGate: (uses) => uses === "prometheus.gate" });
  if (!point.resumable) throw new Error(point.reason);
  done = new Set(point.completed.map((entry) => entry.step));
  seq = read.events.at(-1)?.seq ?? 0;
}
const journal = openJournal(stateDir, runId);
let boundary = 0;
const boundaryPassed = () => { if (++boundary === Number(killAt)) process.kill(process.pid, "SIGKILL"); };
const emit = (body) => { journal.emit({ v: 1, seq: ++seq, at: new Date().toISOString(), runId, ...body }); boundaryPassed(); };
const effect = (step) => { const fd = openSync(effects, "a"); writeSync(fd, step + "\\n"); fsyncSync(fd); closeSync(fd); boundaryPassed(); };
emit({ type: "run.start", playbook: "relctl.yaml", name: "api", stages: ["build", "canary"], dryRun: false, vars: {}, playbookDigest: "sha256:abc" });
for (const step of PLAN) {
  if (done.has(step.step)) continue;
  emit({ type: "step.start", ...step, name: step.step, attempt: 1, input: {}, location: { file: "relctl.yaml", line: 1, column: 1 } });
  effect(step.step);
  emit({ type: "step.end", stage: step.stage, step: step.step, name: step.step, status: "succeeded", durationMs: 1, attempts: 1, outputs: { from: step.step } });
}
emit({ type: "run.end", status: "succeeded", exitCode: 0, durationMs: 1 });
`,
  );

function runChild(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [engineScript(), ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      signal === "SIGKILL" ? resolve(null) : code === 0 ? resolve(0) : reject(new Error(stderr)),
    );
  });
}

/**
 * What the mini engine had done when it was killed at boundary `killAt`, worked out from its
 * order alone (not from resumePoint): run.start, then per step its step.start line, its side
 * effect and its step.end line, then run.end. A kill lands right after the boundary's write
 * returned, so exactly the first `killAt` boundaries happened.
 */
function stateAtKill(killAt: number) {
  const order = [
    { journal: "run.start" },
    ...PLAN.flatMap((step) => [
      { journal: `step.start ${step.step}` },
      { effect: step.step },
      { journal: `step.end ${step.step}` },
    ]),
    { journal: "run.end" },
  ].slice(0, killAt);
  const journaled = order.flatMap((boundary) => ("journal" in boundary ? [boundary.journal] : []));
  const effects = new Set(order.flatMap((boundary) => ("effect" in boundary ? [boundary.effect] : [])));
  const started = (step: PlannedStep) => journaled.includes(`step.start ${step.step}`);
  const ended = (step: PlannedStep) => journaled.includes(`step.end ${step.step}`);
  return {
    journaled,
    /** Succeeded with a durable end: never to run again. */
    completed: PLAN.filter((step) => ended(step) && !isGate(step.uses)).map((step) => step.step),
    /** Passed gates: measured again. */
    recheck: PLAN.filter((step) => ended(step) && isGate(step.uses)).map((step) => step.step),
    /** Started without a durable end: to run again (its effect may or may not have happened). */
    inFlight: PLAN.filter((step) => started(step) && !ended(step)).map((step) => step.step),
    /** How often each step's effect must have happened once the resumed run has finished. */
    expectedRuns: (step: PlannedStep) =>
      effects.has(step.step) && (!ended(step) || isGate(step.uses)) ? 2 : 1,
  };
}

const journalLine = (event: RunEvent) =>
  event.type === "step.start" || event.type === "step.end" ? `${event.type} ${event.step}` : event.type;

describe("resuming after kill -9", () => {
  // 1 run.start + per step (start, effect, end) + run.end: kill after every one of them but the last.
  const boundaries = Array.from({ length: 1 + PLAN.length * 3 }, (_, index) => index + 1);

  it("at every step boundary: no completed step runs twice, none is skipped, and only the step in flight repeats", async () => {
    await Promise.all(
      boundaries.map(async (killAt) => {
        const stateDir = mkdtempSync(join(tmpdir(), "relctl-resume-"));
        const effects = join(stateDir, "effects.log");
        expect(
          await runChild([stateDir, "r1", effects, String(killAt), "first"]),
          `kill at ${killAt}`,
        ).toBeNull();
        const expected = stateAtKill(killAt);
        const before = readJournal(stateDir, "r1").events;
        // The journal holds exactly what had been written when the kill landed.
        expect(before.map(journalLine), `killed at boundary ${killAt}`).toEqual(expected.journaled);
        const point = resumePoint(before, { isGate });
        expect(
          {
            completed: point.completed.map((entry) => entry.step),
            recheck: point.recheck.map((ref) => ref.step),
            inFlight: point.inFlight.map((ref) => ref.step),
          },
          `resume point after a kill at boundary ${killAt}`,
        ).toEqual({ completed: expected.completed, recheck: expected.recheck, inFlight: expected.inFlight });

        expect(await runChild([stateDir, "r1", effects, "0", "resume"])).toBe(0);

        const ran = readFileSync(effects, "utf8").trim().split("\n");
        for (const step of PLAN) {
          // Once, or twice for the step in flight whose effect happened (its end was not
          // journaled) and for a gate that passed (re-measured); a completed step never again.
          expect(
            ran.filter((entry) => entry === step.step).length,
            `killed at boundary ${killAt}, step ${step.step}`,
          ).toBe(expected.expectedRuns(step));
        }
        const after = resumePoint(readJournal(stateDir, "r1").events, { isGate });
        expect(after.resumable).toBe(false);
        expect(after.completed.map((entry) => entry.step)).toEqual(["compile", "push", "promote"]);
      }),
    );
  });
});
