// Event streams for reporter tests, numbered and timed as the engine emits them, and a reader
// for Prometheus text exposition (what a Pushgateway, a textfile or a registry gives back).
import type { RunEvent, RunEventBody } from "../../src/run/events.js";
import { eventFactory } from "../state/events.js";

/** The events of one run whose first event is at `start`, a second apart. */
export function stream(bodies: RunEventBody[], start = Date.parse("2026-11-22T10:15:00Z")): RunEvent[] {
  return bodies.map(eventFactory(undefined, start - 1000));
}

const location = (line: number) => ({ file: "playbooks/canary.yaml", line, column: 9 });

/** A canary run whose error-rate gate fails and whose rollback stage then succeeds. */
export function failedCanaryRun(): RunEvent[] {
  return stream([
    {
      type: "run.start",
      playbook: "playbooks/canary.yaml",
      name: "canary",
      stages: ["canary"],
      dryRun: false,
      vars: { service: "api" },
    },
    { type: "stage.start", stage: "canary", role: "requested", steps: 2 },
    {
      type: "step.start",
      stage: "canary",
      step: "shift-10",
      name: "Shift 10%",
      uses: "exec.run",
      attempt: 1,
      input: {},
      location: location(12),
    },
    {
      type: "step.end",
      stage: "canary",
      step: "shift-10",
      name: "Shift 10%",
      status: "succeeded",
      durationMs: 2500,
      attempts: 1,
      outputs: { exit_code: 0, stdout: "weight=10\nready", stderr: "" },
    },
    {
      type: "step.start",
      stage: "canary",
      step: "error-rate",
      name: "Error rate below 1%",
      uses: "prometheus.gate",
      attempt: 1,
      input: {},
      location: location(20),
    },
    {
      type: "step.record",
      stage: "canary",
      step: "error-rate",
      kind: "gate.measurement",
      data: {
        metric: "error_rate",
        role: "metric",
        at: "2026-11-22T10:16:00Z",
        query: 'sum(rate(http_requests_total{code=~"5.."}[5m]))',
        verdict: "passed",
        reason: "0.004 <= 0.01",
        values: [{ labels: {}, value: 0.004, raw: "0.004", verdict: "passed", text: "0.4% <= 1%" }],
      },
    },
    {
      type: "step.record",
      stage: "canary",
      step: "error-rate",
      kind: "gate.measurement",
      data: {
        metric: "error_rate_critical",
        role: "abort",
        at: "2026-11-22T10:17:00Z",
        query: 'sum by (pod) (rate(http_requests_total{code=~"5.."}[5m]))',
        verdict: "failed",
        reason: "0.034 > 0.01",
        values: [
          { labels: { pod: "a" }, value: 0.034, raw: "0.034", verdict: "failed", text: "3.4% > 1%" },
          { labels: { pod: "b" }, value: "NaN", raw: "NaN", verdict: "inconclusive", text: "NaN" },
        ],
      },
    },
    {
      type: "step.record",
      stage: "canary",
      step: "error-rate",
      kind: "helm.revision",
      data: { revision: 4 },
    },
    {
      type: "step.log",
      stage: "canary",
      step: "error-rate",
      level: "warn",
      message: "the query returned 2 series; using the first",
    },
    {
      type: "step.end",
      stage: "canary",
      step: "error-rate",
      name: "Error rate below 1%",
      status: "failed",
      durationMs: 300_000,
      attempts: 1,
      error: {
        kind: "gate-failed",
        message: "gate error-rate failed: failed (1) > failureLimit (0)",
        command: ["promtool", "query", "instant", "http://prom:9090", "up"],
        exitCode: 3,
        stderrTail: "line one\nline | two",
        hint: "look at the canary's dashboard",
      },
    },
    { type: "stage.end", stage: "canary", status: "failed", durationMs: 302_600, failedStep: "error-rate" },
    { type: "stage.start", stage: "rollback", role: "on_failure", steps: 2 },
    {
      type: "step.start",
      stage: "rollback",
      step: "undo",
      name: "undo",
      uses: "exec.run",
      attempt: 1,
      input: {},
      location: { file: "playbooks/rollback.yaml", line: 10, column: 9 },
    },
    {
      type: "step.end",
      stage: "rollback",
      step: "undo",
      name: "undo",
      status: "succeeded",
      durationMs: 8000,
      attempts: 1,
      outputs: { exit_code: 0 },
    },
    {
      type: "step.end",
      stage: "rollback",
      step: "announce",
      name: "announce",
      status: "skipped",
      durationMs: 0,
      attempts: 0,
      reason: "if: was false",
    },
    { type: "stage.end", stage: "rollback", status: "succeeded", durationMs: 8000 },
    // The gate's two evaluations (each one measured the metrics recorded above).
    ...evaluations(["passed", "failed"]),
    {
      type: "run.end",
      status: "rolled_back",
      exitCode: 3,
      durationMs: 311_000,
      failedStage: "canary",
      failedStep: "error-rate",
    },
  ]);
}

function evaluations(verdicts: string[]): RunEventBody[] {
  return verdicts.map((verdict, index) => ({
    type: "step.record" as const,
    stage: "canary",
    step: "error-rate",
    kind: "gate.evaluation",
    data: {
      at: `2026-11-22T10:1${6 + index}:00Z`,
      verdict,
      counted: true,
      reason: `evaluation ${index + 1}`,
    },
  }));
}

/** A promote run that succeeds. */
export function succeededRun(options: { dryRun?: boolean; at?: number } = {}): RunEvent[] {
  return stream(
    [
      {
        type: "run.start",
        playbook: "playbooks/promote.yaml",
        name: "promote",
        stages: ["promote"],
        dryRun: options.dryRun ?? false,
        vars: {},
      },
      { type: "stage.start", stage: "promote", role: "requested", steps: 1 },
      {
        type: "step.start",
        stage: "promote",
        step: "github-release",
        name: "Publish the GitHub release",
        uses: "github.release",
        attempt: 1,
        input: {},
        location: { file: "playbooks/promote.yaml", line: 70, column: 9 },
      },
      {
        type: "step.end",
        stage: "promote",
        step: "github-release",
        name: "Publish the GitHub release",
        status: "succeeded",
        durationMs: 1200,
        attempts: 1,
        outputs: { id: 7, url: "https://github.example/acme/api/releases/tag/v1.2.0" },
      },
      { type: "stage.end", stage: "promote", status: "succeeded", durationMs: 1200 },
      { type: "run.end", status: "succeeded", exitCode: 0, durationMs: 1500 },
    ],
    options.at,
  );
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of Prometheus text exposition (enough of the format for what prom-client writes). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) throw new Error(`unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1]!] = label[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with that name whose labels include `labels`. */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
