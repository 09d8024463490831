// What the CLI says about gates, through the built binary against a real Prometheus (Debian
// `prometheus`): a dry-run's gate that would not pass, `relctl gate --watch` with its journal
// and a person's decision, and a step timeout that stops a gate while it waits.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relctl, startRelctl, tempProject } from "../helpers/cli.js";
import { startServer, tempDir, type RunningServer } from "../helpers/servers.js";
import { waitFor } from "./safety/helpers.js";

let prometheus: RunningServer;
beforeAll(async () => {
  // The gates' queries need no stored data (vector(…)): an empty TSDB answers them at any time.
  const dir = tempDir("gate-cli-prometheus");
  writeFileSync(join(dir, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
  prometheus = await startServer({
    binary: "prometheus",
    debianPackage: "prometheus",
    readyPath: "/-/ready",
    args: (port) => [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
  });
});
afterAll(async () => {
  await prometheus?.stop();
});

/** A playbook whose canary stage is one gate on `query` (<= 1%), with extra step keys. */
function project(query: string, gate: string[] = [], step: string[] = []): string {
  return tempProject({
    "relctl.yaml": [
      "apiVersion: relctl/v1",
      "name: gates",
      "stages:",
      "  canary:",
      "    steps:",
      "      - id: slo",
      "        name: Canary SLOs",
      "        uses: prometheus.gate",
      ...step.map((line) => `        ${line}`),
      "        with:",
      `          url: ${prometheus.url}`,
      "          interval: 1s",
      `          metrics: [{ name: error_rate, query: "${query}", unit: ratio, max: 0.01 }]`,
      ...gate.map((line) => `          ${line}`),
      "",
    ].join("\n"),
  });
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1) ?? "";

describe("a dry-run's gate", () => {
  it("says on its line that it would not pass now, instead of a ✓", async () => {
    const dir = project("vector(0.03)", ["hold: 1m"]);
    const result = await relctl(["run", "canary", "--dry-run"], { cwd: dir });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      / {2}✗ slo Canary SLOs \S+\n {4}would not pass now: .*error_rate: 3% > 1%\n/,
    );
    expect(result.stdout).not.toMatch(/✓ slo/);
  });

  it("keeps the ✓ for a gate that would pass now", async () => {
    const dir = project("vector(0.005)", ["hold: 1m"]);
    const result = await relctl(["run", "canary", "--dry-run"], { cwd: dir });
    expect(result.stdout).toMatch(/ {2}✓ slo Canary SLOs /);
  });
});

describe("relctl gate --watch", () => {
  it("keeps a journal in --state-dir, so the decide hint it prints works, and ends as it exits", async () => {
    // 0/0: NaN, inconclusive; the gate pauses for a person.
    const dir = project("vector(0) / 0", [
      "on_inconclusive: { action: pause, deadline: 5m, default: abort }",
    ]);
    const state = join(tempDir("gate-watch"), "state");
    const watching = startRelctl(["gate", "canary", "--watch", "--state-dir", state], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    let stderr = "";
    watching.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const hint = await waitFor(
      "the gate to pause",
      () => /relctl decide (\S+) slo continue\|abort/.exec(stderr) ?? undefined,
      30_000,
    );
    const runId = hint[1]!;
    expect(existsSync(join(state, "runs", runId, "journal.jsonl"))).toBe(true);
    const decided = await relctl(
      ["decide", runId, "slo", "continue", "--reason", "low traffic is expected", "--state-dir", state],
      { cwd: dir, env: { RELCTL_USER: "alice" } },
    );
    expect(decided.exitCode, decided.stdout + decided.stderr).toBe(0);
    const result = await watching;
    expect(result.exitCode, `${String(result.stdout)}${stderr}`).toBe(0);
    expect(lastLine(String(result.stdout))).toMatch(/^succeeded in .* \(exit 0\)$/);
  });

  it("says the exit code it exits with when a gate fails", async () => {
    const dir = project("vector(0.03)");
    const state = join(tempDir("gate-watch"), "state");
    const result = await relctl(["gate", "canary", "--watch", "--state-dir", state], { cwd: dir });
    expect(result.exitCode, result.stdout + result.stderr).toBe(3);
    expect(lastLine(result.stdout)).toMatch(/\(exit 3\)$/);
  });
});

describe("a step timeout that fires while a gate waits", () => {
  it("is a gate that could not decide (exit 3), with what it measured", async () => {
    const dir = project("vector(0.005)", ["hold: 1m"], ["timeout: 3s"]);
    const state = join(tempDir("gate-timeout"), "state");
    const result = await relctl(["run", "canary", "--yes", "--state-dir", state], { cwd: dir });
    expect(result.exitCode, result.stdout + result.stderr).toBe(3);
    expect(result.stdout).toMatch(
      /gate could not decide: the step timed out after 3\.0s while the gate was waiting on Prometheus, after \d+ evaluations? \(held \d+s\); last: error_rate 0\.5% <= 1%/,
    );
    expect(result.stdout).not.toMatch(/^\s+timed out after 3\.0s$/m);
  });

  it("is a gate that could not decide when Prometheus never answers its first query", async () => {
    // A Prometheus behind a proxy that accepts the connection and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const dir = project("vector(0.005)", ["hold: 1m"], ["timeout: 3s"]);
      const playbook = join(dir, "relctl.yaml");
      writeFileSync(
        playbook,
        readFileSync(playbook, "utf8").replace(prometheus.url, `http://127.0.0.1:${port}`),
      );
      const state = join(tempDir("gate-timeout"), "state");
      const result = await relctl(["run", "canary", "--yes", "--state-dir", state], { cwd: dir });
      expect(result.exitCode, result.stdout + result.stderr).toBe(3);
      expect(result.stdout).toContain(
        "gate could not decide: the step timed out after 3.0s while the gate was waiting on Prometheus, before its first evaluation",
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("relctl lint on gates", () => {
  const lookback = (limit: string) =>
    tempProject({
      "relctl.yaml": [
        "apiVersion: relctl/v1",
        "name: gates",
        "stages:",
        "  validate:",
        "    steps:",
        "      - id: no-breach",
        "        uses: prometheus.gate",
        "        with:",
        "          url: http://127.0.0.1:9090",
        "          lookback: 2h",
        `          failure_limit: ${limit}`,
        "          metrics: [{ name: error_rate, query: error_ratio, unit: ratio, max: 0.01 }]",
        "",
      ].join("\n"),
    });

  it("warns when a look-back gate turns failure_limit off, and still passes", async () => {
    const result = await relctl(["lint"], { cwd: lookback("-1") });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "warning relctl.yaml:6:9 [step no-breach]: a look-back gate with failure_limit: -1 passes however many steps of its window breached its metrics\n",
    );
    expect(result.stdout).toMatch(/no problems, 1 warning\n$/);
    const json = await relctl(["lint", "--json"], { cwd: lookback("-1") });
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      warnings: [{ stepId: "no-breach", location: { file: "relctl.yaml", line: 6 } }],
    });
  });

  it("says nothing of a look-back gate that keeps a failure limit", async () => {
    const result = await relctl(["lint"], { cwd: lookback("2") });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("warning");
  });
});
