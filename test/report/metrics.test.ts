import { register } from "prom-client";
import { describe, expect, it } from "vitest";
import { metricsReporter } from "../../src/report/metrics.js";
import { failedCanaryRun, parseSamples, sampleValue, succeededRun } from "./run-events.js";
import type { RunEvent } from "../../src/run/events.js";

async function samplesAfter(events: RunEvent[], options: { environment?: string } = {}) {
  const reporter = metricsReporter(options);
  for (const event of events) reporter.emit(event);
  return { reporter, samples: parseSamples(await reporter.registry.metrics()) };
}

describe("the metrics reporter", () => {
  it("records the run's duration by playbook, stages and final status", async () => {
    const { samples } = await samplesAfter(failedCanaryRun());
    expect(
      sampleValue(samples, "relctl_run_duration_seconds", {
        playbook: "canary",
        stages: "canary",
        status: "rolled_back",
      }),
    ).toBe(311);
  });

  it("observes step durations by executor and action, leaving out steps that never started", async () => {
    const { samples } = await samplesAfter(failedCanaryRun());
    const count = (labels: Record<string, string>) =>
      sampleValue(samples, "relctl_step_duration_seconds_count", labels);
    const sum = (labels: Record<string, string>) =>
      sampleValue(samples, "relctl_step_duration_seconds_sum", labels);
    expect(count({ executor: "prometheus", action: "gate", status: "failed" })).toBe(1);
    expect(sum({ executor: "prometheus", action: "gate", status: "failed" })).toBe(300);
    expect(count({ executor: "exec", action: "run", status: "succeeded" })).toBe(2);
    expect(sum({ executor: "exec", action: "run", status: "succeeded" })).toBe(10.5);
    expect(
      sampleValue(samples, "relctl_step_duration_seconds_bucket", {
        executor: "exec",
        action: "run",
        status: "succeeded",
        le: "5",
      }),
    ).toBe(1);
    expect(samples.some((sample) => sample.labels.status === "skipped")).toBe(false);
  });

  it("counts gate evaluations (not the measurements in them) by verdict, starting every verdict at zero", async () => {
    const events = failedCanaryRun();
    const measurement = events.find(
      (event) => event.type === "step.record" && event.kind === "gate.measurement",
    )!;
    // A third measurement in the same evaluations must not count as another evaluation.
    const { samples } = await samplesAfter([...events.slice(0, -1), { ...measurement }, events.at(-1)!]);
    const verdict = (name: string) => sampleValue(samples, "relctl_run_gate_evaluations", { verdict: name });
    expect([verdict("passed"), verdict("failed"), verdict("inconclusive"), verdict("error")]).toEqual([
      1, 1, 0, 0,
    ]);
  });

  it("counts a rollback when an on_failure stage starts", async () => {
    const failed = await samplesAfter(failedCanaryRun());
    const succeeded = await samplesAfter(succeededRun());
    expect(sampleValue(failed.samples, "relctl_run_rollbacks", { playbook: "canary" })).toBe(1);
    expect(sampleValue(succeeded.samples, "relctl_run_rollbacks", { playbook: "promote" })).toBe(0);
  });

  it("sets the last successful release time for the environment when a real run succeeds", async () => {
    const { samples } = await samplesAfter(succeededRun(), { environment: "production" });
    expect(
      sampleValue(samples, "relctl_last_successful_release_timestamp_seconds", { environment: "production" }),
    ).toBe(Date.parse("2026-11-22T10:15:05Z") / 1000);
  });

  it("leaves the last successful release time unset for a failed run, a dry-run, or no environment", async () => {
    const runs = [
      await samplesAfter(failedCanaryRun(), { environment: "production" }),
      await samplesAfter(succeededRun({ dryRun: true }), { environment: "production" }),
      await samplesAfter(succeededRun()),
    ];
    for (const { samples } of runs) {
      expect(
        samples.some((sample) => sample.name === "relctl_last_successful_release_timestamp_seconds"),
      ).toBe(false);
    }
  });

  it("keeps its metrics out of prom-client's global registry", async () => {
    await samplesAfter(succeededRun(), { environment: "production" });
    expect(await register.metrics()).not.toContain("relctl_");
  });
});
