// A Prometheus that is down, slow, failing or talking nonsense must never let a gate pass:
// each case is an error measurement, and errors in a row beyond the limit fail the gate.
import { afterEach, describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { manualClock } from "../../helpers/action-context.js";
import { freePort } from "../../helpers/servers.js";
import { at, errorRatio, startPrometheus } from "./fixture.js";
import { json, startLoopback, vectorAnswer, type Handler, type Loopback } from "./loopback.js";
import { context, failAction, messages, recordsOf, runAction } from "./run-action.js";

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The most permissive gate a playbook could write: even it must not pass on a broken server. */
const permissive = (url: string, overrides: Record<string, unknown> = {}) => ({
  url,
  query_timeout: "300ms",
  consecutive_error_limit: 2,
  metrics: [
    { name: "error_rate", query: "error_ratio", unit: "ratio", max: 0.01, on_empty: "pass", on_nan: "pass" },
  ],
  ...overrides,
});

const hang: Handler = () => {
  // never answers
};

const FAULTS: [string, Handler, RegExp][] = [
  [
    "a 500 with a text body",
    (_req, res) => res.writeHead(500).end("internal error"),
    /HTTP 500: the answer is not JSON: "internal error"/,
  ],
  [
    "a 503 query timeout",
    (_req, res) =>
      json(res, 503, { status: "error", errorType: "timeout", error: "query timed out in query execution" }),
    /HTTP 503: timeout: query timed out in query execution/,
  ],
  [
    "a 422 execution error",
    (_req, res) =>
      json(res, 422, { status: "error", errorType: "execution", error: "found duplicate series" }),
    /HTTP 422: execution: found duplicate series/,
  ],
  [
    "a 400 bad request",
    (_req, res) => json(res, 400, { status: "error", errorType: "bad_data", error: "invalid parameter" }),
    /HTTP 400: bad_data: invalid parameter/,
  ],
  [
    "garbage JSON",
    (_req, res) => json(res, 200, '{"status":"success","data":{"resultType":"vector","result":[{"met'),
    /HTTP 200: the answer is not JSON/,
  ],
  [
    "an HTML login page",
    (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>"),
    /the answer is not JSON/,
  ],
  [
    "a 200 that is not a Prometheus answer",
    (_req, res) => json(res, 200, { ok: true }),
    /not a Prometheus API answer/,
  ],
  [
    "an answer slower than the query timeout",
    hang,
    /no answer from http:\/\/127\.0\.0\.1:\d+ within 300ms \(query_timeout\)/,
  ],
  [
    "headers that arrive but a body that never ends",
    (_req, res: ServerResponse) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"status":"success",');
    },
    /within 300ms \(query_timeout\)/,
  ],
];

describe("a gate against a broken Prometheus", () => {
  it.each(FAULTS)("fails, never passes, on %s", async (_case, handler, problem) => {
    server = await startLoopback(handler);
    const { failure, ctx } = await failAction(
      "gate",
      permissive(server.url),
      await context({ clock: manualClock(at(0)) }),
    );
    expect(failure.kind).toBe("gate-failed");
    expect(failure.message).toMatch(
      /^gate failed: consecutive errors \(3\) > consecutive_error_limit \(2\); last: error_rate: query error: /,
    );
    expect(failure.message).toMatch(problem);
    expect(recordsOf(ctx, "gate.measurement").map((m) => m.verdict)).toEqual(["error", "error", "error"]);
  });

  it("fails, never passes, when nothing listens on the address", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { failure } = await failAction(
      "gate",
      permissive(url),
      await context({ clock: manualClock(at(0)) }),
    );
    expect(failure.message).toContain(`query error: cannot reach ${url}: connect ECONNREFUSED`);
  });

  it("makes a query error inconclusive when the playbook says on_error: inconclusive", async () => {
    server = await startLoopback((_req, res) => res.writeHead(502).end());
    const gate = permissive(server.url, {
      metrics: [{ name: "error_rate", query: "q", max: 0.01, on_error: "inconclusive" }],
    });
    const { failure } = await failAction("gate", gate, await context({ clock: manualClock(at(0)) }));
    expect(failure.message).toBe(
      "gate inconclusive: inconclusive (1) > inconclusive_limit (0); " +
        "last: error_rate: query error: HTTP 502: the answer is not JSON: (empty body) (on_error: inconclusive)",
    );
  });

  it("recovers when the errors stop before the limit", async () => {
    let calls = 0;
    server = await startLoopback((_req, res) => {
      calls += 1;
      if (calls <= 2) res.writeHead(500).end("warming up");
      else json(res, 200, vectorAnswer("0.004"));
    });
    const { outputs } = await runAction(
      "gate",
      permissive(server.url),
      await context({ clock: manualClock(at(0)) }),
    );
    expect(outputs).toMatchObject({ passed: true, measurements: { evaluations: 3, errors: 2, passed: 1 } });
  });

  it("asks a failed look-back range query again before deciding", async () => {
    let calls = 0;
    server = await startLoopback((req, res) => {
      calls += 1;
      if (calls <= 2)
        return json(res, 503, { status: "error", errorType: "unavailable", error: "store down" });
      const [start, end, step] = ["start", "end", "step"].map((key) => Number(req.body.get(key)));
      const values: [number, string][] = [];
      for (let t = start!; t <= end!; t += step!) values.push([t, "0.004"]);
      json(res, 200, { status: "success", data: { resultType: "matrix", result: [{ metric: {}, values }] } });
    });
    const ctx = await context({ clock: manualClock(at(0)) });
    const gate = permissive(server.url, { lookback: "10m", consecutive_error_limit: 2 });
    const { outputs } = await runAction("gate", gate, ctx);
    expect(outputs.reason).toMatch(/^no breach in the last 10m: 11 evaluations/);
    expect(server.requests.map((r) => r.path)).toEqual(Array(3).fill("/api/v1/query_range"));
    expect(messages(ctx, "warn")).toEqual([
      "range query failed (1 of 3): HTTP 503: unavailable: store down; asking again in 1m",
      "range query failed (2 of 3): HTTP 503: unavailable: store down; asking again in 1m",
    ]);
  });

  it("fails a look-back whose range query keeps failing", async () => {
    server = await startLoopback((_req, res) =>
      json(res, 503, { status: "error", errorType: "unavailable", error: "store down" }),
    );
    const gate = permissive(server.url, { lookback: "10m", consecutive_error_limit: 1 });
    const { failure } = await failAction("gate", gate, await context({ clock: manualClock(at(0)) }));
    expect(failure.message).toBe(
      "gate failed: error_rate: range query error: HTTP 503: unavailable: store down (on_error: error)",
    );
    expect(server.requests).toHaveLength(2);
  });

  it("fails with errors when Prometheus is killed in the middle of a gate", async () => {
    const prom = await startPrometheus();
    try {
      // From minute 3 the checkout canary is healthy: the gate is on its way to passing.
      const clock = manualClock(at(3));
      let sleeps = 0;
      const ctx = await context({
        clock: {
          now: () => clock.now(),
          sleep: async (ms, signal) => {
            sleeps += 1;
            if (sleeps === 3) await prom.stop();
            return clock.sleep(ms, signal);
          },
        },
      });
      const gate = {
        url: prom.url,
        hold: "5m",
        metrics: [{ name: "error_rate", query: errorRatio("checkout"), unit: "ratio", max: 0.01 }],
      };
      const { failure } = await failAction("gate", gate, ctx);
      expect(failure.message).toMatch(
        /^gate failed: consecutive errors \(5\) > consecutive_error_limit \(4\); last: error_rate: query error: cannot reach http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/,
      );
      expect(recordsOf(ctx, "gate.evaluation").map((e) => e.verdict)).toEqual([
        "passed",
        "passed",
        "passed",
        "error",
        "error",
        "error",
        "error",
        "error",
      ]);
    } finally {
      await prom.stop();
    }
  });

  it("stops at once when the step is cancelled during a slow query, without turning it into a verdict", async () => {
    const ctx = await context({ clock: manualClock(at(0)) });
    const interrupt = new Error("interrupted by SIGINT");
    let hungUp: Promise<void> | undefined;
    server = await startLoopback((_req, res) => {
      // The query has reached Prometheus, which is still working on it: cancel the step now.
      const socket = res.socket!;
      hungUp = new Promise((resolve) => socket.once("close", () => resolve()));
      ctx.abort(interrupt);
      // Prometheus answers just after: a client still waiting would take it as a measurement.
      setImmediate(() => json(res, 200, vectorAnswer("0.004")));
    });
    await expect(runAction("gate", permissive(server.url, { query_timeout: "30s" }), ctx)).rejects.toBe(
      interrupt,
    );
    expect(server.requests).toHaveLength(1);
    expect(
      recordsOf(ctx, "gate.measurement"),
      "the answer after the cancel was measured: the abort did not reach the request",
    ).toEqual([]);
    expect(recordsOf(ctx, "gate.verdict")).toEqual([]);
    // The client hung up on the query in flight instead of keeping the connection for another.
    await hungUp;
  });
});

describe("talking to Prometheus", () => {
  it("sends the query as a form POST with an explicit evaluation time and a server-side timeout", async () => {
    server = await startLoopback((_req, res) => json(res, 200, vectorAnswer("0.004")));
    await runAction(
      "gate",
      permissive(server.url, { query_timeout: "10s" }),
      await context({ clock: manualClock(at(0)) }),
    );
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path: "/api/v1/query" });
    expect(request!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(request!.body)).toEqual({
      query: "error_ratio",
      time: "1795341600.000",
      timeout: "10s",
      partial_response: "false",
    });
  });

  it("keeps a path prefix of the address (Prometheus behind /prometheus)", async () => {
    server = await startLoopback((_req, res) => json(res, 200, vectorAnswer("0.004")));
    await runAction(
      "gate",
      permissive(`${server.url}/prometheus/`),
      await context({ clock: manualClock(at(0)) }),
    );
    expect(server.requests[0]!.path).toBe("/prometheus/api/v1/query");
  });

  it("sends a bearer token from a secret and extra headers", async () => {
    server = await startLoopback((_req, res) => json(res, 200, vectorAnswer("0.004")));
    const gate = permissive(server.url, {
      bearer_token_secret: "PROM_TOKEN",
      headers: { "X-Scope-OrgID": "team-api" },
    });
    const ctx = await context({
      clock: manualClock(at(0)),
      secrets: { get: (name) => (name === "PROM_TOKEN" ? "t0ken-s3cret" : undefined) },
    });
    await runAction("gate", gate, ctx);
    expect(server.requests[0]!.headers).toMatchObject({
      authorization: "Bearer t0ken-s3cret",
      "x-scope-orgid": "team-api",
    });
  });

  it("sends basic auth with the password from a secret", async () => {
    server = await startLoopback((_req, res) => json(res, 200, vectorAnswer("0.004")));
    const gate = permissive(server.url, {
      basic_auth: { username: "relctl", password_secret: "PROM_PASSWORD" },
    });
    const ctx = await context({ clock: manualClock(at(0)), secrets: { get: () => "pa55word" } });
    await runAction("gate", gate, ctx);
    expect(server.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from("relctl:pa55word").toString("base64")}`,
    );
  });

  it("refuses to run when a named secret has no value", async () => {
    const gate = permissive("http://127.0.0.1:9", { bearer_token_secret: "PROM_TOKEN" });
    const { failure } = await failAction("gate", gate, await context({ clock: manualClock(at(0)) }));
    expect(failure.message).toBe("the secret PROM_TOKEN has no value");
  });

  it("never puts the token into a measurement or a failure, even when Prometheus rejects it", async () => {
    server = await startLoopback((req, res) =>
      json(res, 401, {
        status: "error",
        errorType: "unauthorized",
        error: `bad token in ${String(req.headers["x-echo"] ?? "")}`,
      }),
    );
    const gate = permissive(server.url, { bearer_token_secret: "PROM_TOKEN" });
    const ctx = await context({ clock: manualClock(at(0)), secrets: { get: () => "t0ken-s3cret" } });
    const { failure } = await failAction("gate", gate, ctx);
    expect(failure.message).toContain("HTTP 401: unauthorized");
    const everything = JSON.stringify({
      message: failure.message,
      outputs: failure.outputs,
      records: ctx.records,
      logs: ctx.logs,
    });
    expect(everything).not.toContain("t0ken-s3cret");
  });

  it("keeps Prometheus' warnings with every measurement", async () => {
    server = await startLoopback((_req, res) =>
      json(res, 200, vectorAnswer("0.004", { warnings: ["partial response: store down"] })),
    );
    const ctx = await context({ clock: manualClock(at(0)) });
    await runAction("gate", permissive(server.url, { on_warning: "ignore" }), ctx);
    expect(recordsOf(ctx, "gate.measurement")[0]).toMatchObject({
      verdict: "passed",
      warnings: ["partial response: store down"],
    });
  });
});
