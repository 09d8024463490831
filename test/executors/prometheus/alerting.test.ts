// A gate decides as Prometheus alerting would. Each case backfills its series into a real
// Prometheus for relctl to query and gives the same series to `promtool test rules`, whose own
// alerting-rule evaluation says when the rollback trigger fires: relctl must trip then too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../helpers/action-context.js";
import { freePort } from "../../helpers/servers.js";
import { at, MINUTE, om, startPrometheus, T0, type TestPrometheus } from "./fixture.js";
import { startProxy, type PrometheusProxy } from "./proxy.js";
import { expectAlert, promtoolAgrees, promtoolValues } from "./promtool.js";
import { context, failAction, messages, recordsOf, runAction } from "./run-action.js";

const INF = Number.POSITIVE_INFINITY;
/** P95 in seconds a minute from T0: beyond 1s from minute 3 to 10, +Inf where it is past the top bucket. */
const P95_INF = [0.05, 0.05, 0.05, 2, INF, 2, 2, INF, 2, 2, 2, ...Array<number>(20).fill(0.05)];
/** The same breach with two minutes that cannot be measured (0/0 in a recording rule). */
const P95_NAN = P95_INF.map((v) => (v === INF ? Number.NaN : v));
/** A 3% error ratio every minute from T0: a breach that never ends. */
const BREACH = Array<number>(31).fill(0.03);
/** From 140 minutes before T0 to T0: 3% from 135 to 118 minutes before T0, 0.5% otherwise. */
const WARM = Array.from({ length: 141 }, (_, k) => (k - 140 >= -135 && k - 140 <= -118 ? 0.03 : 0.005));

function samples(name: string, labels: string, fromMinute: number, values: number[]): string[] {
  return values.map((v, k) => `${name}{${labels}} ${om(v)} ${(T0 + (fromMinute + k) * MINUTE) / 1000}`);
}

function data(): string {
  return [
    "# TYPE relctl_alert_p95_seconds gauge",
    ...samples("relctl_alert_p95_seconds", 'case="inf"', 0, P95_INF),
    ...samples("relctl_alert_p95_seconds", 'case="nan"', 0, P95_NAN),
    "# TYPE relctl_alert_ratio gauge",
    ...samples("relctl_alert_ratio", 'case="breach"', 0, BREACH),
    ...samples("relctl_alert_ratio", 'case="warm"', -140, WARM),
    ...samples("relctl_alert_ratio", 'case="healthy"', -140, Array<number>(171).fill(0.005)),
    "# EOF",
    "",
  ].join("\n");
}

let prom: TestPrometheus;
let proxy: PrometheusProxy | undefined;
beforeAll(async () => {
  prom = await startPrometheus({ data: data() });
});
afterAll(async () => {
  await prom?.stop();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const clockAt = (minutes: number) => manualClock(at(minutes));
const minutesSinceT0 = (now: Date) => (now.getTime() - T0) / MINUTE;

/** A gate that only watches one rollback trigger: never passes, every limit off. */
function abortGate(
  url: string,
  query: string,
  bounds: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    url,
    hold: "14m",
    timeout: "14m",
    failure_limit: -1,
    inconclusive_limit: -1,
    abort: [{ name: "breach", query, for: "5m", ...bounds }],
    ...extra,
  };
}

/** promtool's view: the alert `expr` with for: 5m fires at exactly the minutes in `firing`. */
function oracle(
  series: string,
  values: (number | null)[],
  expr: string,
  minutes: number,
  firing: (m: number) => boolean,
) {
  const labels = Object.fromEntries(
    [...series.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]),
  );
  labels.__name__ = series.slice(0, series.indexOf("{"));
  const { __name__: _name, ...alertLabels } = labels;
  const expectations = Array.from({ length: minutes + 1 }, (_, m) =>
    expectAlert(m, "Breach", firing(m), alertLabels),
  );
  return promtoolAgrees(
    [{ series, values: promtoolValues(values) }],
    [{ alert: "Breach", expr, for: "5m" }],
    expectations,
  );
}

describe("an abort criterion's for: is not restarted by what cannot be measured", () => {
  it("counts +Inf above max as a breach and trips when Prometheus' alert fires", async () => {
    const query = 'relctl_alert_p95_seconds{case="inf"}';
    const gate = abortGate(prom.url, query, { unit: "seconds", max: 1 });
    const { failure, ctx } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    expect(failure.message).toBe(
      "gate failed: abort criterion breach held for 5m (for 5m, since 2026-11-22T10:03:00Z): 2s > 1s",
    );
    const trippedAt = minutesSinceT0(ctx.clock.now());
    expect(trippedAt).toBe(8);
    expect(messages(ctx, "info")).toContain("abort breach +Inf > 1s breaching 1m/5m, held 4m/14m");
    const promtool = oracle(query, P95_INF, `${query} > 1`, trippedAt, (m) => m >= 8);
    expect(promtool.ok, promtool.output).toBe(true);
  });

  it("keeps a breach pending through NaN, as Prometheus keeps a pending alert through a missed scrape", async () => {
    const query = 'relctl_alert_p95_seconds{case="nan"}';
    const gate = abortGate(prom.url, query, { unit: "seconds", max: 1 });
    const { failure, ctx } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    expect(failure.message).toBe(
      "gate failed: abort criterion breach held for 5m (for 5m, since 2026-11-22T10:03:00Z): 2s > 1s",
    );
    const trippedAt = minutesSinceT0(ctx.clock.now());
    expect(trippedAt).toBe(8);
    expect(messages(ctx, "info")).toContain(
      "abort breach NaN (on_nan: inconclusive) inconclusive, breach kept 1m/5m, hold reset (0s/14m), inconclusive 1",
    );
    // The oracle: the minutes that cannot be measured as missing samples of the same series.
    const asMissing = P95_NAN.map((v) => (Number.isNaN(v) ? null : v));
    const promtool = oracle(query, asMissing, `${query} > 1`, trippedAt, (m) => m >= 8);
    expect(promtool.ok, promtool.output).toBe(true);
  });

  it("leaves a pending breach untouched by a query error: every third query failing still trips", async () => {
    proxy = await startProxy(prom.url, { fail: (index) => index % 3 === 2 });
    const query = 'relctl_alert_ratio{case="breach"}';
    const gate = abortGate(proxy.url, query, { unit: "ratio", max: 0.02 });
    const { failure, ctx } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    // Minute 5, where the alert starts firing, is a failed query: Prometheus, too, fires only at
    // its next evaluation that succeeds.
    expect(failure.message).toBe(
      "gate failed: abort criterion breach held for 6m (for 5m, since 2026-11-22T10:00:00Z): 3% > 2%",
    );
    const trippedAt = minutesSinceT0(ctx.clock.now());
    expect(trippedAt).toBe(6);
    expect(recordsOf(ctx, "gate.evaluation").map((e) => e.verdict)).toEqual([
      "passed",
      "passed",
      "error",
      "passed",
      "passed",
      "error",
      "passed",
    ]);
    const promtool = oracle(query, BREACH, `${query} > 0.02`, trippedAt, (m) => m >= 5);
    expect(promtool.ok, promtool.output).toBe(true);
  });
});

describe("a look-back gate", () => {
  it("sees a breach that was already running when its window started", async () => {
    const query = 'relctl_alert_ratio{case="warm"}';
    const gate = {
      url: prom.url,
      lookback: "2h",
      interval: "1m",
      abort: [{ name: "breach", query, unit: "ratio", max: 0.02, for: "5m" }],
    };
    const { failure, ctx } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    expect(failure.message).toBe(
      "gate failed: in the last 2h, at 2026-11-22T08:00:00Z: abort criterion breach held for 5m " +
        "(for 5m, since 2026-11-22T07:55:00Z): 3% > 2%",
    );
    expect(recordsOf(ctx, "gate.lookback")[0]).toMatchObject({
      start: "2026-11-22T08:00:00Z",
      warmup_start: "2026-11-22T07:55:00Z",
    });
    // promtool's series start 140 minutes before T0: the window starts at its minute 20, when
    // the alert has been firing since minute 10.
    const promtool = oracle(query, WARM, `${query} > 0.02`, 22, (m) => m >= 10 && m <= 22);
    expect(promtool.ok, promtool.output).toBe(true);
  });

  it("reads a range answer whose points a caching front-end aligned to the step", async () => {
    // As Thanos' and Mimir's query front-ends do: start and end rounded down to the step.
    proxy = await startProxy(prom.url, {
      rewrite: (path, params) => {
        if (!path.endsWith("/query_range")) return;
        const step = Number(params.get("step"));
        for (const key of ["start", "end"]) {
          params.set(key, String(Math.floor(Number(params.get(key)) / step) * step));
        }
      },
    });
    const gate = {
      url: proxy.url,
      lookback: "10m",
      interval: "1m",
      metrics: [
        { name: "error_rate", query: 'relctl_alert_ratio{case="healthy"}', unit: "ratio", max: 0.01 },
      ],
    };
    const ctx = await context({ clock: manualClock(new Date(T0 + 30_000)) });
    const { outputs } = await runAction("gate", gate, ctx);
    expect(outputs.reason).toBe(
      "no breach in the last 10m: 11 evaluations from 2026-11-22T09:50:30Z to 2026-11-22T10:00:30Z: " +
        "failed 0, inconclusive 0, errors 0",
    );
    expect(proxy.bodies[0]!.get("start")).toBe(String((T0 - 10 * MINUTE + 30_000) / 1000) + ".000");
  });
});

describe("partial answers", () => {
  let partial: TestPrometheus;
  beforeAll(async () => {
    // A remote-read store that is down: Prometheus answers with what it has, plus a warning.
    const closed = await freePort();
    partial = await startPrometheus({
      data: data(),
      config: `remote_read:\n  - url: http://127.0.0.1:${closed}/api/v1/read\n    read_recent: true\n    remote_timeout: 5s\n`,
    });
  });
  afterAll(async () => {
    await partial?.stop();
  });

  const healthy = (url: string, extra: Record<string, unknown> = {}) => ({
    url,
    metrics: [{ name: "error_rate", query: 'relctl_alert_ratio{case="healthy"}', unit: "ratio", max: 0.01 }],
    ...extra,
  });

  it("asks for partial_response=false on every query", async () => {
    proxy = await startProxy(prom.url);
    await runAction("gate", healthy(proxy.url), await context({ clock: clockAt(0) }));
    await runAction("gate", healthy(proxy.url, { lookback: "5m" }), await context({ clock: clockAt(0) }));
    expect(proxy.bodies.map((body) => body.get("partial_response"))).toEqual(["false", "false"]);
  });

  it("is inconclusive on an answer that carries warnings, and shows the warning", async () => {
    const { failure, ctx } = await failAction(
      "gate",
      healthy(partial.url),
      await context({ clock: clockAt(0) }),
    );
    expect(failure.message).toMatch(
      /^gate inconclusive: inconclusive \(1\) > inconclusive_limit \(0\); last: error_rate: 0\.5% <= 1%, but Prometheus warned: remote_read: .*connection refused.* \(on_warning: inconclusive\)$/,
    );
    expect(messages(ctx, "warn")).toEqual([
      expect.stringMatching(/^Prometheus warned about error_rate: remote_read: /),
    ]);
  });

  it("judges the value alone with on_warning: ignore, still showing the warning", async () => {
    const ctx = await context({ clock: clockAt(0) });
    const { outputs } = await runAction("gate", healthy(partial.url, { on_warning: "ignore" }), ctx);
    expect(outputs.passed).toBe(true);
    expect(messages(ctx, "warn")).toEqual([
      expect.stringMatching(/^Prometheus warned about error_rate: remote_read: /),
    ]);
  });

  it("fails with on_warning: fail, in look-back mode too", async () => {
    const gate = healthy(partial.url, { on_warning: "fail", lookback: "5m" });
    const { failure } = await failAction("gate", gate, await context({ clock: clockAt(0) }));
    expect(failure.message).toMatch(
      /^gate failed: in the last 5m, at 2026-11-22T09:55:00Z: failed \(1\) > failure_limit \(0\); last: error_rate: 0\.5% <= 1%, but Prometheus warned: remote_read: /,
    );
  });
});
