import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { metricsReporter, writeTextfile } from "../../src/report/metrics.js";
import { mergeWithPrevious } from "../../src/report/metrics-export.js";
import { tempDir } from "../helpers/servers.js";
import { failedCanaryRun, parseSamples, sampleValue, succeededRun } from "./run-events.js";
import type { RunEvent } from "../../src/run/events.js";

function registryAfter(events: RunEvent[]) {
  const reporter = metricsReporter({ environment: "production" });
  for (const event of events) reporter.emit(event);
  return reporter.registry;
}

describe("the node_exporter textfile", () => {
  it("holds the run's metrics in Prometheus text format", async () => {
    const dir = tempDir("textfile");
    const path = join(dir, "relctl.prom");

    await writeTextfile(registryAfter(failedCanaryRun()), path);

    const samples = parseSamples(readFileSync(path, "utf8"));
    expect(sampleValue(samples, "relctl_run_duration_seconds", { status: "rolled_back" })).toBe(311);
    expect(sampleValue(samples, "relctl_run_rollbacks", { playbook: "canary" })).toBe(1);
    expect(readFileSync(path, "utf8")).toContain("# TYPE relctl_step_duration_seconds histogram\n");
  });

  it("is written through a temporary file in the same directory that is renamed, leaving nothing behind", async () => {
    const dir = tempDir("textfile");
    writeFileSync(join(dir, "other.prom"), "# HELP x x\n# TYPE x gauge\nx 1\n");

    await writeTextfile(registryAfter(succeededRun()), join(dir, "relctl.prom"));
    await writeTextfile(registryAfter(succeededRun()), join(dir, "relctl.prom"));

    expect(readdirSync(dir).sort()).toEqual(["other.prom", "relctl.prom"]);
  });

  it("keeps the last successful release time when a later run fails", async () => {
    const path = join(tempDir("textfile"), "relctl.prom");
    await writeTextfile(registryAfter(succeededRun()), path);
    await writeTextfile(registryAfter(failedCanaryRun()), path);

    const samples = parseSamples(readFileSync(path, "utf8"));
    expect(
      sampleValue(samples, "relctl_last_successful_release_timestamp_seconds", { environment: "production" }),
    ).toBe(Date.parse("2026-11-22T10:15:05Z") / 1000);
    expect(sampleValue(samples, "relctl_run_duration_seconds", { status: "succeeded" })).toBeUndefined();
    expect(sampleValue(samples, "relctl_run_duration_seconds", { status: "rolled_back" })).toBe(311);
  });

  it("refuses a file name the textfile collector would ignore", async () => {
    await expect(
      writeTextfile(registryAfter(succeededRun()), join(tempDir("textfile"), "relctl.txt")),
    ).rejects.toThrow("does not end in .prom: node_exporter's textfile collector would ignore it");
  });

  it("says why it could not write the file", async () => {
    await expect(
      writeTextfile(registryAfter(succeededRun()), "/nonexistent-dir/relctl.prom"),
    ).rejects.toThrow(/^could not write the metrics textfile \/nonexistent-dir\/relctl\.prom: ENOENT/);
  });

  it("merges by metric family, leaving families that have samples now as they are", () => {
    const previous =
      "# HELP a a\n# TYPE a gauge\na 1\n\n# HELP b b\n# TYPE b gauge\nb 2\n\n# HELP gone g\n# TYPE gone gauge\ngone 3\n";
    const next = "# HELP a a\n# TYPE a gauge\na 9\n\n# HELP b b\n# TYPE b gauge\n";
    expect(mergeWithPrevious(next, previous)).toBe(
      "# HELP a a\n# TYPE a gauge\na 9\n\n# HELP b b\n# TYPE b gauge\nb 2\n",
    );
  });
});
