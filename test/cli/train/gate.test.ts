// `relctl gate canary`: the shipped canary's gates measured once against the real Prometheus,
// read-only, saying whether each would pass now — exit 0 when they would, 3 when one would not
// (including when Prometheus cannot be asked: a gate never passes by accident).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../helpers/servers.js";
import { waitForSeries } from "./prometheus.js";
import { canaryMetricsScraped, startTrainWorld, type TrainWorld } from "./world.js";

let world: TrainWorld;

beforeAll(async () => {
  world = await startTrainWorld();
  // A second service whose canary fails 3% of its requests.
  world.metrics.setErrorRatio("search", "canary", 0.03);
  world.metrics.setErrorRatio("search", "stable", 0.004);
  await canaryMetricsScraped(world);
  await waitForSeries(world.prometheus.url, [
    'sum(rate(http_requests_total{service="search",track="canary"}[5m]))',
    'sum(rate(http_requests_total{service="search",track="stable"}[5m]))',
  ]);
});
afterAll(async () => {
  await world?.close();
});

describe("relctl gate canary", () => {
  it("exits 0 and says each gate would pass now when the canary is healthy", async () => {
    const result = await world.relctl(["gate", "canary"]);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    for (const weight of [10, 50]) {
      expect(result.stdout).toContain(
        `✓ slo-${weight} Canary SLOs hold at ${weight}%\n    would pass now: every metric passes; a real run must hold it for 3s and run at least 1s\n`,
      );
    }
    expect(result.stdout).toMatch(/every gate would pass now \(exit 0\)\n$/);
    // What each evaluation measured, against its bounds.
    expect(result.stderr).toMatch(
      /slo-10: error_rate 0\.5% <= 1% ok, p95_latency 2\d\d(?:\.\d)?ms <= 500ms ok/,
    );
  });

  it("exits 3 and names the failing metric with its value and bound when the canary's error rate is too high", async () => {
    const result = await world.relctl(["gate", "canary", "--var", "service=search"]);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(3);
    expect(result.stdout).toContain(
      "✗ slo-10 Canary SLOs hold at 10%\n    would not pass now: error_rate: 3% > 1%; abort criterion error_rate_critical is breaching\n",
    );
    expect(result.stdout).toMatch(/2 of 2 gates would not pass now \(exit 3\)\n$/);
    expect(result.stdout).not.toMatch(/exit 0/);
  });

  it("exits 3 when Prometheus cannot be reached: an unanswered gate does not pass", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await world.relctl(["gate", "canary", "--var", `prometheus_url=${closed}`]);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(3);
    expect(result.stdout).toMatch(
      /✗ slo-10 .*\n {4}would not pass now: .*cannot reach http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(result.stdout).toMatch(/2 of 2 gates would not pass now \(exit 3\)/);
  });

  it("runs nothing else of the stage and leaves no run state behind", () => {
    expect(world.fakeCalls("helm").filter((argv) => argv.includes(`api-canary`))).toEqual([]);
    expect(existsSync(join(world.dir, ".relctl", "trains"))).toBe(false);
  });
});
