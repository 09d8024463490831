// The terminal reporter's live line for a gate: the gate's own events (a gate.evaluation record,
// then its progress line) put the latest values and the hold on the step's line, in place.
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { RunEvent, RunEventBody } from "../../src/run/events.js";
import { terminalReporter } from "../../src/report/terminal.js";

function feed(live: boolean) {
  let screen = "";
  const write = (text: string) => void (screen += text);
  const sink = terminalReporter({
    out: write,
    err: write,
    color: new Chalk({ level: 0 }),
    verbose: false,
    live,
  });
  let seq = 0;
  const emit = (body: RunEventBody) =>
    sink.emit({ v: 1, seq: ++seq, at: new Date().toISOString(), runId: "r1", ...body } as RunEvent);
  return { emit, screen: () => screen };
}

const gateSteps = (emit: (body: RunEventBody) => void) => {
  emit({ type: "run.start", playbook: "p.yaml", name: "p", stages: ["canary"], dryRun: false, vars: {} });
  emit({ type: "stage.start", stage: "canary", role: "requested", steps: 1 });
  emit({
    type: "step.start",
    stage: "canary",
    step: "gate",
    name: "gate",
    uses: "prometheus.gate",
    attempt: 1,
    input: {},
    location: { file: "p.yaml", line: 1, column: 1 },
  });
  emit({
    type: "step.log",
    stage: "canary",
    step: "gate",
    level: "info",
    message: "gate: evaluating every 30s, hold 5m",
  });
  emit({
    type: "step.record",
    stage: "canary",
    step: "gate",
    kind: "gate.evaluation",
    data: { held_ms: 180_000, hold_ms: 300_000 },
  });
  emit({
    type: "step.log",
    stage: "canary",
    step: "gate",
    level: "info",
    message: "error_rate 0.42% <= 1% ok, held 3m/5m",
  });
};

describe("a gate's live line", () => {
  it("shows the latest evaluation in place on a terminal", () => {
    const { emit, screen } = feed(true);
    gateSteps(emit);
    const shown = screen();
    // The evaluation is on the step's live line, not a line of its own; the announcement stays.
    expect(shown).toMatch(/▸ gate \d+s · error_rate 0\.42% <= 1% ok, held 3m\/5m\n$/);
    expect(shown).not.toContain("· gate: error_rate");
    expect(shown).toContain("· gate: gate: evaluating every 30s, hold 5m\n");
    emit({
      type: "step.end",
      stage: "canary",
      step: "gate",
      name: "gate",
      status: "succeeded",
      durationMs: 1,
      attempts: 1,
    });
    emit({ type: "run.end", status: "succeeded", exitCode: 0, durationMs: 1 });
    expect(screen()).toContain("\u001b[?25h");
  });

  it("appends every evaluation where output is not a terminal", () => {
    const { emit, screen } = feed(false);
    gateSteps(emit);
    expect(screen()).toContain("    · gate: error_rate 0.42% <= 1% ok, held 3m/5m\n");
    expect(screen()).not.toContain("\u001b[");
    emit({ type: "run.end", status: "succeeded", exitCode: 0, durationMs: 1 });
  });
});
