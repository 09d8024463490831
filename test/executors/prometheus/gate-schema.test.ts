// The gate's `with:` as a playbook author writes it: fail-closed defaults, every mistake
// reported with its path, and the plan line `relctl plan` shows.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { gateInput, toGateConfig } from "../../../src/executors/prometheus/gate-schema.js";
import { action } from "./run-action.js";

const metric = { name: "error_rate", query: "q", max: 0.01 };

function problems(input: Record<string, unknown>): string[] {
  const result = gateInput.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("the gate's input", () => {
  it("fills fail-closed defaults", () => {
    const config = toGateConfig(gateInput.parse({ metrics: [metric] }));
    expect(config).toEqual({
      metrics: [
        {
          name: "error_rate",
          query: "q",
          unit: "number",
          max: 0.01,
          onEmpty: "inconclusive",
          onNaN: "inconclusive",
          onError: "error",
          series: "all",
        },
      ],
      abort: [],
      limits: { failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
      timing: { intervalMs: 60_000, holdMs: 0, initialDelayMs: 0, minDurationMs: 0, timeoutMs: 600_000 },
      onWarning: "inconclusive",
    });
  });

  it("defaults the timeout to the earliest possible pass + 10 intervals", () => {
    const config = toGateConfig(
      gateInput.parse({ metrics: [metric], hold: "5m", initial_delay: "2m", interval: "30s" }),
    );
    expect(config.timing).toEqual({
      intervalMs: 30_000,
      holdMs: 300_000,
      initialDelayMs: 120_000,
      minDurationMs: 0,
      timeoutMs: 720_000,
    });
    const canary = toGateConfig(gateInput.parse({ metrics: [metric], hold: "5m", min_duration: "2h" }));
    expect(canary.timing.timeoutMs).toBe(2 * 3_600_000 + 10 * 60_000);
  });

  it.each([
    [{}, "metrics: give at least one metric or abort criterion"],
    [{ metrics: [{ name: "e", query: "q" }] }, "metrics.0: give min, max or baseline"],
    [{ metrics: [{ ...metric, min: 0.5 }] }, "metrics.0: min must not be greater than max"],
    [{ metrics: [{ ...metric, maks: 1 }] }, 'metrics.0: Unrecognized key: "maks"'],
    [{ metrics: [{ ...metric, on_error: "pass" }] }, "metrics.0.on_error"],
    [{ metrics: [{ ...metric, on_empty: "ignore" }] }, "metrics.0.on_empty"],
    [{ metrics: [{ ...metric, series: "last" }] }, "metrics.0.series"],
    [
      { metrics: [{ name: "e", query: "q", baseline: { query: "b" } }] },
      "metrics.0.baseline: give max_ratio or max_difference",
    ],
    [{ metrics: [metric, metric] }, "metrics.1.name: the name error_rate is used twice"],
    [
      { metrics: [metric], abort: [{ ...metric, for: "5m" }] },
      "abort.0.name: the name error_rate is used twice",
    ],
    [{ metrics: [{ ...metric, query: " " }] }, "metrics.0.query: must not be empty"],
    [{ metrics: [metric], hold: "five minutes" }, "hold: must be a duration like 30s, 5m or 1h30m"],
    [
      { metrics: [metric], hold: "10m", timeout: "5m" },
      "timeout: is shorter than initial_delay + hold (or min_duration), so the gate could never pass",
    ],
    [{ metrics: [metric], min_duration: "2h", timeout: "1h" }, "timeout: is shorter than"],
    [{ metrics: [metric], lookback: "2h", min_duration: "1h" }, "min_duration: does not apply with lookback"],
    [{ metrics: [metric], interval: "0s" }, "interval: must be longer than 0s"],
    [
      { metrics: [metric], lookback: "2h", hold: "5m" },
      "hold: does not apply with lookback, which decides at once from the past window",
    ],
    [
      { metrics: [metric], lookback: "30d", interval: "1m" },
      "interval: (lookback + the longest abort for:) / interval exceeds the 11,000 points",
    ],
    [{ metrics: [metric], failure_limit: -2 }, "failure_limit"],
    [
      { metrics: [metric], on_inconclusive: { action: "pause" } },
      "on_inconclusive.deadline: a pause needs a deadline",
    ],
    [{ metrics: [metric], min_traffic: { query: "t", min: 1, on_low: "pass" } }, "min_traffic.on_low"],
    [{ metrics: [metric], freshness: { selector: "up" } }, "freshness: give max_age or newer_than"],
    [
      { metrics: [metric], freshness: { selector: "up", newer_than: "10:00" } },
      "freshness.newer_than: must be unix seconds or an RFC 3339 time",
    ],
    [
      { metrics: [metric], bearer_token_secret: "T", basic_auth: { username: "u", password_secret: "P" } },
      "basic_auth: give bearer_token_secret or basic_auth, not both",
    ],
    [
      { metrics: [metric], bearer_token_secret: "T", headers: { Authorization: "x" } },
      "headers: an Authorization header conflicts",
    ],
    [
      { metrics: [metric], headers: { "bad header": "x" } },
      "headers.bad header: must be an HTTP header name",
    ],
  ])("rejects %j", (input, expected) => {
    expect(problems(input).join("\n")).toContain(expected);
  });

  it("accepts the runbook's canary gate", () => {
    expect(
      problems({
        hold: "5m",
        timeout: "30m",
        metrics: [
          metric,
          { name: "p95", query: "p", unit: "seconds", max: 0.5 },
          { name: "vs_stable", query: "q", baseline: { query: "s", max_ratio: 2 } },
        ],
        abort: [{ name: "error_rate_critical", query: "q", max: 0.02, for: "5m" }],
        min_traffic: { query: "t", min: 1 },
        on_inconclusive: { action: "pause", deadline: "30m" },
      }),
    ).toEqual([]);
  });

  it("plans a read-only gate described in words", () => {
    const gate = action("gate");
    const input = gate.input.parse({
      url: "https://prometheus.example.com",
      hold: "5m",
      metrics: [{ ...metric, unit: "ratio" }],
      abort: [{ name: "error_rate_critical", query: "q", unit: "ratio", max: 0.02, for: "5m" }],
    });
    expect(gate.plan(input)).toMatchObject({
      summary:
        "gate: error_rate <= 1%, held 5m (every 1m, timeout 15m); abort if error_rate_critical > 2% for 5m",
      request: { method: "POST", url: "https://prometheus.example.com/api/v1/query" },
      query: "error_rate: q\nerror_rate_critical: q",
    });
    expect([gate.mutates, gate.dryRunSafe, typeof gate.preview]).toEqual([false, true, "function"]);
  });

  it("can be turned into JSON Schema for editors", () => {
    const schema = z.toJSONSchema(gateInput, { io: "input" }) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["metrics", "abort", "hold", "lookback", "on_inconclusive"]),
    );
  });
});

describe("numbers that arrive as text", () => {
  it("reads bounds and limits rendered from --var as numbers (a hotfix's stricter 0.5%)", () => {
    const config = toGateConfig(
      gateInput.parse({
        metrics: [{ name: "error_rate", query: "q", max: "0.005", min: "1e-4" }],
        failure_limit: "2",
        min_traffic: { query: "t", min: "1" },
      }),
    );
    expect(config.metrics[0]).toMatchObject({ max: 0.005, min: 0.0001 });
    expect(config.limits.failureLimit).toBe(2);
    expect(config.minTraffic?.min).toBe(1);
  });

  it.each(["", "0.5%", "five", "1.5"])(
    "still refuses %j where a number (or an integer limit) belongs",
    (text) => {
      const input = {
        metrics: [{ name: "e", query: "q", max: text === "1.5" ? 1 : text }],
        failure_limit: text === "1.5" ? text : 0,
      };
      expect(gateInput.safeParse(input).success).toBe(false);
    },
  );
});
