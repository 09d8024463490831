// Against a real Pushgateway (Debian package prometheus-pushgateway) on loopback: what relctl
// pushes is read back from the gateway's own /metrics.
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsReporter, pushgatewayGroupUrl, pushMetrics } from "../../src/report/metrics.js";
import { freePort, startPushgateway, type RunningServer } from "../helpers/servers.js";
import { failedCanaryRun, parseSamples, sampleValue, succeededRun, type Sample } from "./run-events.js";
import type { RunEvent } from "../../src/run/events.js";

let gateway: RunningServer;

beforeAll(async () => {
  gateway = await startPushgateway();
});
afterAll(() => gateway?.stop());

function registryAfter(events: RunEvent[], environment?: string) {
  const reporter = metricsReporter(environment ? { environment } : {});
  for (const event of events) reporter.emit(event);
  return reporter.registry;
}

async function gatewaySamples(): Promise<Sample[]> {
  const response = await fetch(`${gateway.url}/metrics`);
  return parseSamples(await response.text());
}

describe("pushing metrics to a Pushgateway", () => {
  it("pushes the run's metrics under the job and grouping key, where Prometheus would scrape them", async () => {
    const grouping = { environment: "production", playbook: "playbooks/promote.yaml" };
    await pushMetrics(registryAfter(succeededRun(), "production"), gateway.url, "relctl", grouping);

    const samples = await gatewaySamples();
    const group = { job: "relctl", ...grouping };
    expect(sampleValue(samples, "relctl_run_duration_seconds", { ...group, status: "succeeded" })).toBe(1.5);
    expect(
      sampleValue(samples, "relctl_step_duration_seconds_count", {
        ...group,
        executor: "github",
        action: "release",
      }),
    ).toBe(1);
    expect(sampleValue(samples, "relctl_last_successful_release_timestamp_seconds", group)).toBe(
      Date.parse("2026-11-22T10:15:05Z") / 1000,
    );
    expect(sampleValue(samples, "push_failure_time_seconds", group)).toBe(0);
  });

  it("keeps the last successful release time when a later run of the group fails", async () => {
    const grouping = { environment: "staging" };
    await pushMetrics(registryAfter(succeededRun(), "staging"), gateway.url, "relctl", grouping);
    await pushMetrics(registryAfter(failedCanaryRun(), "staging"), gateway.url, "relctl", grouping);

    const samples = await gatewaySamples();
    const group = { job: "relctl", environment: "staging" };
    expect(sampleValue(samples, "relctl_last_successful_release_timestamp_seconds", group)).toBe(
      Date.parse("2026-11-22T10:15:05Z") / 1000,
    );
    expect(sampleValue(samples, "relctl_run_duration_seconds", { ...group, status: "rolled_back" })).toBe(
      311,
    );
    expect(
      sampleValue(samples, "relctl_run_duration_seconds", { ...group, status: "succeeded" }),
    ).toBeUndefined();
    expect(sampleValue(samples, "relctl_run_rollbacks", { ...group, playbook: "canary" })).toBe(1);
    expect(sampleValue(samples, "relctl_run_gate_evaluations", { ...group, verdict: "failed" })).toBe(1);
  });

  it("pushes the per-run counts as gauges, since each run starts them again from zero", async () => {
    // A counter that restarts at every push makes increase() and rate() undercount.
    await pushMetrics(registryAfter(failedCanaryRun(), "types"), gateway.url, "relctl", {
      environment: "types",
    });
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/^# TYPE relctl_run_gate_evaluations gauge$/m);
    expect(text).toMatch(/^# TYPE relctl_run_rollbacks gauge$/m);
    expect(text).not.toMatch(/^# TYPE relctl_\w+ counter$/m);
  });

  it("replaces a previous run's gate counts with this run's zeros", async () => {
    const grouping = { environment: "qa" };
    await pushMetrics(registryAfter(failedCanaryRun(), "qa"), gateway.url, "relctl", grouping);
    await pushMetrics(registryAfter(succeededRun(), "qa"), gateway.url, "relctl", grouping);

    const samples = await gatewaySamples();
    expect(
      sampleValue(samples, "relctl_run_gate_evaluations", { environment: "qa", verdict: "failed" }),
    ).toBe(0);
  });

  it("says what the Pushgateway answered when it refuses a push", async () => {
    await pushMetrics(registryAfter(succeededRun()), gateway.url, "relctl", { environment: "dev" });
    // Another job pushing a counter under the name of relctl's gauge is inconsistent.
    const clash = new Registry();
    new Counter({ name: "relctl_run_rollbacks", help: "Rollbacks.", registers: [clash] }).inc(1);

    await expect(pushMetrics(clash, gateway.url, "impostor", { environment: "dev" })).rejects.toThrow(
      /^the Pushgateway at http:\/\/127\.0\.0\.1:\d+ answered 400 to POST \/metrics\/job\/impostor\/environment\/dev: pushed metrics are invalid or inconsistent with existing metrics: [\s\S]*relctl_run_rollbacks[\s\S]* is not a (?:COUNTER|GAUGE)/,
    );
  });

  it("says it could not reach the Pushgateway", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(pushMetrics(new Registry(), closed, "relctl")).rejects.toThrow(
      new RegExp(`^could not push metrics to ${closed.replace(/\./g, "\\.")}: .*ECONNREFUSED`),
    );
  });
});

describe("the Pushgateway group URL", () => {
  it("encodes values with a slash or nothing in them as base64url, as the Pushgateway asks", () => {
    expect(
      pushgatewayGroupUrl("http://gw:9091/", "relctl", {
        playbook: "playbooks/a.yaml",
        stage: "",
        env: "prod",
      }),
    ).toBe(
      "http://gw:9091/metrics/job/relctl/playbook@base64/cGxheWJvb2tzL2EueWFtbA/stage@base64/=/env/prod",
    );
  });

  it("rejects a grouping label Prometheus would not accept", () => {
    expect(() => pushgatewayGroupUrl("http://gw:9091", "relctl", { "bad-label": "x" })).toThrow(
      '"bad-label" is not a valid Prometheus label name',
    );
  });
});
