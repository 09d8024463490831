// Building run events for tests without an engine: the same envelope the engine stamps.
import type { RunEvent, RunEventBody } from "../../src/run/events.js";

export function eventFactory(runId = "20261122T101500Z-3fa2", start = Date.parse("2026-11-22T10:15:00Z")) {
  let seq = 0;
  return (body: RunEventBody): RunEvent =>
    ({
      v: 1,
      seq: ++seq,
      at: new Date(start + seq * 1000).toISOString(),
      runId,
      ...body,
    }) as RunEvent;
}

export const location = { file: "relctl.yaml", line: 1, column: 1 };

/** A small finished run: build (compile), canary (a gate with two measurements, then promote). */
export function sampleRun(runId?: string, secret = "no-secret-here"): RunEvent[] {
  const e = eventFactory(runId);
  return [
    e({
      type: "run.start",
      playbook: "relctl.yaml",
      name: "api",
      stages: ["build", "canary"],
      dryRun: false,
      vars: { service: "api" },
    }),
    e({ type: "stage.start", stage: "build", role: "requested", steps: 1 }),
    e({
      type: "step.start",
      stage: "build",
      step: "compile",
      name: "compile",
      uses: "exec.run",
      attempt: 1,
      input: { argv: ["make", secret] },
      location,
    }),
    e({ type: "step.log", stage: "build", step: "compile", level: "info", message: `token ${secret}` }),
    e({
      type: "step.end",
      stage: "build",
      step: "compile",
      name: "compile",
      status: "succeeded",
      durationMs: 1500,
      attempts: 1,
      outputs: { digest: "sha256:1", note: secret },
    }),
    e({ type: "stage.end", stage: "build", status: "succeeded", durationMs: 1600 }),
    e({ type: "stage.start", stage: "canary", role: "requested", steps: 2 }),
    e({
      type: "step.start",
      stage: "canary",
      step: "error-rate",
      name: "error rate",
      uses: "prometheus.gate",
      attempt: 1,
      input: {},
      location,
    }),
    e({
      type: "step.record",
      stage: "canary",
      step: "error-rate",
      kind: "gate.measurement",
      data: { at: "2026-11-22T10:16:00Z", query: "rate(errors[5m])", value: 0.002, verdict: "passed" },
    }),
    e({
      type: "step.record",
      stage: "canary",
      step: "error-rate",
      kind: "gate.measurement",
      data: {
        at: "2026-11-22T10:17:00Z",
        query: "rate(errors[5m])",
        value: 0.004,
        verdict: "passed",
        reason: secret,
      },
    }),
    e({
      type: "step.end",
      stage: "canary",
      step: "error-rate",
      name: "error rate",
      status: "succeeded",
      durationMs: 120000,
      attempts: 1,
      outputs: { verdict: "passed" },
    }),
    e({
      type: "step.start",
      stage: "canary",
      step: "promote",
      name: "promote",
      uses: "helm.upgrade",
      attempt: 1,
      input: {},
      location,
    }),
    e({
      type: "step.end",
      stage: "canary",
      step: "promote",
      name: "promote",
      status: "succeeded",
      durationMs: 30000,
      attempts: 1,
      outputs: { revision: 7 },
    }),
    e({ type: "stage.end", stage: "canary", status: "succeeded", durationMs: 150000 }),
    e({ type: "run.end", status: "succeeded", exitCode: 0, durationMs: 160000 }),
  ];
}

/** The body of a run.start for `stages` of the playbook "api". */
export function runStart(stages: string[], vars: Record<string, unknown> = {}): RunEventBody {
  return { type: "run.start", playbook: "p", name: "api", stages, dryRun: false, vars };
}

/** The body of a step's first attempt starting. */
export function stepStart(stage: string, step: string, uses = "exec.run"): RunEventBody {
  return { type: "step.start", stage, step, name: step, uses, attempt: 1, input: {}, location };
}

/** The body of a step's end; succeeded steps carry their outputs. */
export function stepEnd(
  stage: string,
  step: string,
  status: "succeeded" | "failed" | "cancelled",
  outputs: Record<string, unknown> = {},
): RunEventBody {
  return {
    type: "step.end",
    stage,
    step,
    name: step,
    status,
    durationMs: 1,
    attempts: 1,
    ...(status === "succeeded" ? { outputs } : {}),
  };
}

/** The body of the step.end a resumed run emits for a step it carries over from an earlier attempt. */
export function stepCarriedOver(stage: string, step: string, outputs: Record<string, unknown>): RunEventBody {
  return {
    type: "step.end",
    stage,
    step,
    name: step,
    status: "succeeded",
    durationMs: 0,
    attempts: 0,
    outputs,
    reason: "completed in an earlier attempt of this run",
  };
}
