// prometheus.query and prometheus.query_range against a real Prometheus.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../helpers/action-context.js";
import { at, errorRatio, startPrometheus, type TestPrometheus } from "./fixture.js";
import { action, context, failAction, recordsOf, runAction } from "./run-action.js";

let prom: TestPrometheus;
beforeAll(async () => {
  prom = await startPrometheus();
});
afterAll(async () => {
  await prom?.stop();
});

describe("prometheus.query", () => {
  it("returns the value of a single series at the evaluation time given", async () => {
    const { outputs, ctx } = await runAction("query", {
      url: prom.url,
      query: 'slo:error_budget_remaining{service="api"}',
      time: "2026-11-22T10:00:00Z",
    });
    expect(outputs).toEqual({
      value: 0.35,
      series: [{ labels: { __name__: "slo:error_budget_remaining", service: "api" }, value: 0.35 }],
      count: 1,
      result_type: "vector",
      warnings: [],
      time: "2026-11-22T10:00:00Z",
    });
    expect(recordsOf(ctx, "prometheus.query")).toHaveLength(1);
  });

  it("evaluates at the clock's now when no time is given", async () => {
    const ctx = await context({ clock: manualClock(at(2)) });
    const { outputs } = await runAction("query", { url: prom.url, query: errorRatio("checkout") }, ctx);
    expect(outputs).toMatchObject({ value: 0.015000000000000003, time: "2026-11-22T10:02:00Z" });
  });

  it("gives every series and no single value when there are several, keeping NaN and +Inf as text", async () => {
    const { outputs } = await runAction("query", {
      url: prom.url,
      query: 'relctl_test_ratio{case=~"nan|inf"}',
      time: 1795341600,
    });
    expect(outputs).toMatchObject({ value: null, count: 2 });
    expect((outputs.series as { value: unknown }[]).map((s) => s.value).sort()).toEqual(["+Inf", "NaN"]);
  });

  it("fails the step with Prometheus' own message when the query is wrong", async () => {
    const { failure } = await failAction("query", { url: prom.url, query: "sum(rate(", time: 1795341600 });
    expect(failure.kind).toBe("failed");
    expect(failure.message).toMatch(/^Prometheus query failed: HTTP 400: bad_data: .*parse error/);
  });

  it("plans a read-only POST that a dry-run may run", () => {
    const query = action("query");
    const input = query.input.parse({ query: "up" });
    expect(query.plan(input)).toEqual({
      summary: "query Prometheus: up",
      request: { method: "POST", url: "$RELCTL_PROMETHEUS_URL/api/v1/query" },
      query: "up",
    });
    expect(query.mutates).toBe(false);
    expect(query.dryRunSafe).toBe(true);
  });
});

describe("prometheus.query_range", () => {
  it("returns each series' points over a range ending now", async () => {
    const ctx = await context({ clock: manualClock(at(4)) });
    const { outputs } = await runAction(
      "query_range",
      { url: prom.url, query: errorRatio("checkout"), range: "4m", step: "1m" },
      ctx,
    );
    expect(outputs).toMatchObject({ count: 1, start: "2026-11-22T10:00:00Z", end: "2026-11-22T10:04:00Z" });
    const [series] = outputs.series as { values: [string, number][] }[];
    expect(series!.values.map(([time, value]) => [time, Number(value.toFixed(4))])).toEqual([
      ["2026-11-22T10:00:00Z", 0.005],
      ["2026-11-22T10:01:00Z", 0.005],
      ["2026-11-22T10:02:00Z", 0.015],
      ["2026-11-22T10:03:00Z", 0.005],
      ["2026-11-22T10:04:00Z", 0.005],
    ]);
  });

  it("takes an explicit start and end", async () => {
    const { outputs } = await runAction("query_range", {
      url: prom.url,
      query: 'slo:error_budget_remaining{service="web"}',
      start: "2026-11-22T09:00:00Z",
      end: "2026-11-22T10:00:00Z",
      step: "30m",
    });
    expect(outputs.series).toEqual([
      {
        labels: { __name__: "slo:error_budget_remaining", service: "web" },
        values: [
          ["2026-11-22T09:00:00Z", 0.05],
          ["2026-11-22T09:30:00Z", 0.05],
          ["2026-11-22T10:00:00Z", 0.05],
        ],
      },
    ]);
  });

  it.each([
    [{ query: "up" }, "give start or range (not both)"],
    [{ query: "up", range: "1h", start: 0 }, "give start or range (not both)"],
    [{ query: "up", range: "1h", step: "0s" }, "must be longer than 0s"],
    [{ query: "up", range: "an hour" }, "must be a duration like 30s, 5m or 1h30m"],
    [{ query: "up", range: "1h", end: "yesterday" }, "must be unix seconds or an RFC 3339 time with a zone"],
  ])("rejects the input %j", (input, message) => {
    const result = action("query_range").input.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});
