// relctl's own metrics: an EventSink that turns the run's events into prom-client metrics in a
// registry of its own (never the global default one), ready to push to a Pushgateway or write as
// a node_exporter textfile at the end of the run (metrics-export.ts). Names and labels:
// docs/metrics.md.
import { Gauge, Histogram, Registry } from "prom-client";
import type { EventSink } from "../run/events.js";
import { handlerSink, type EventHandlers } from "./handlers.js";

export const GATE_VERDICTS = ["passed", "failed", "inconclusive", "error"] as const;

/** Release steps run from milliseconds (a tag) to an hour (a canary hold). */
const STEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

export interface MetricsOptions {
  /** The environment the run releases to; without it the last-successful-release gauge is not set. */
  environment?: string;
}

export interface MetricsReporter extends EventSink {
  /** The registry the sink fills; push or write it once the run has ended. */
  readonly registry: Registry;
}

export function metricsReporter(options: MetricsOptions = {}): MetricsReporter {
  const registry = new Registry();
  const runDuration = new Gauge({
    name: "relctl_run_duration_seconds",
    help: "How long the last relctl run took, by playbook, requested stages and final status.",
    labelNames: ["playbook", "stages", "status"] as const,
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: "relctl_step_duration_seconds",
    help: "How long the run's steps took, by executor, action and status (steps that did not start are not counted).",
    labelNames: ["executor", "action", "status"] as const,
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  // Counts of one run are gauges, not counters: every run starts them at zero and its push
  // replaces the previous run's, so a counter would "reset" at each run and increase() or
  // rate() over them would undercount. Sum them over runs with sum_over_time() instead.
  const gateEvaluations = new Gauge({
    name: "relctl_run_gate_evaluations",
    help: "Gate evaluations taken during the last run, by verdict.",
    labelNames: ["verdict"] as const,
    registers: [registry],
  });
  const rollbacks = new Gauge({
    name: "relctl_run_rollbacks",
    help: "Rollbacks during the last run: on_failure stages started, by playbook.",
    labelNames: ["playbook"] as const,
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: "relctl_last_successful_release_timestamp_seconds",
    help: "When a run that released to the environment last succeeded (Unix time).",
    labelNames: ["environment"] as const,
    registers: [registry],
  });

  let playbook = "";
  let stages = "";
  let dryRun = false;
  /** stage/step → "executor.action", from step.plan or step.start (step.end does not repeat it). */
  const uses = new Map<string, string>();
  const started = new Set<string>();

  const handlers: EventHandlers = {
    "run.start": (event) => {
      playbook = event.name;
      stages = event.stages.join(",");
      dryRun = event.dryRun;
      // Every series a run may set exists from the start, at 0: a Pushgateway keeps a metric
      // family that a push leaves empty, so an empty family would show the previous run's counts.
      for (const verdict of GATE_VERDICTS) gateEvaluations.inc({ verdict }, 0);
      rollbacks.inc({ playbook }, 0);
    },
    "step.plan": (event) => void uses.set(`${event.stage}/${event.step}`, event.uses),
    "step.start": (event) => {
      uses.set(`${event.stage}/${event.step}`, event.uses);
      started.add(`${event.stage}/${event.step}`);
    },
    "step.end": (event) => {
      const key = `${event.stage}/${event.step}`;
      if (!started.has(key)) return;
      const [executor = "", action = ""] = (uses.get(key) ?? "").split(".");
      stepDuration.observe({ executor, action, status: event.status }, event.durationMs / 1000);
    },
    "step.record": (event) => {
      // One evaluation measures every metric of the gate; it is the evaluation that has a verdict.
      if (event.kind !== "gate.evaluation") return;
      const verdict = typeof event.data.verdict === "string" ? event.data.verdict : "unknown";
      gateEvaluations.inc({ verdict });
    },
    "stage.start": (event) => {
      // A dry-run only plans its on_failure stages: nothing was rolled back.
      if (event.role === "on_failure" && !dryRun) rollbacks.inc({ playbook });
    },
    "run.end": (event) => {
      runDuration.set({ playbook, stages, status: event.status }, event.durationMs / 1000);
      if (event.status === "succeeded" && !dryRun && options.environment) {
        lastSuccess.set({ environment: options.environment }, Date.parse(event.at) / 1000);
      }
    },
  };

  return { registry, ...handlerSink(handlers) };
}

export {
  MetricsExportError,
  pushMetrics,
  pushgatewayGroupUrl,
  writeTextfile,
  type PushOptions,
} from "./metrics-export.js";
