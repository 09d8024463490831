import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "../../../src/executors/http.js";
import {
  actionMutates,
  actionRunsInDryRun,
  StepFailure,
  type Outputs,
} from "../../../src/executors/contract.js";
import { manualClock, testContext, type TestContext } from "../../helpers/action-context.js";
import { freePort } from "../../helpers/servers.js";
import { refusal } from "../tool-fakes.js";
import { loopbackServer, type LoopbackServer } from "../loopback.js";

const probe = http.actions.probe!;
const HEALTH = {
  status: "ok",
  version: "1.2.3",
  checks: { db: { status: "up" }, "cache.primary": { status: "up" } },
  regions: ["us-east", "eu-west"],
  replicas: 3,
};

let server: LoopbackServer;
let flakyCount = 0;

beforeAll(async () => {
  server = await loopbackServer(async (request, response, body) => {
    const url = new URL(request.url ?? "/", "http://x");
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    switch (url.pathname) {
      case "/health":
        return json(200, HEALTH);
      case "/old":
        return json(200, { ...HEALTH, version: "1.2.2" });
      case "/rolling":
        // The new version answers from the third request on, as pods of a rollout come up.
        flakyCount++;
        return flakyCount < 3 ? json(503, { status: "starting" }) : json(200, HEALTH);
      case "/slow":
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return json(200, HEALTH);
      case "/status":
        return json(Number(url.searchParams.get("code")), { status: "degraded" });
      case "/echo":
        return json(200, { method: request.method, headers: request.headers, body });
      case "/login":
        // A sign-in page that sends the browser on to the service, as a front proxy does.
        response.writeHead(302, { location: "/health", "content-type": "text/plain" });
        return response.end("Found");
      case "/text":
        response.writeHead(200, { "content-type": "text/plain" });
        return response.end("OK version 1.2.3");
      default:
        return json(404, {});
    }
  });
});
afterAll(() => server.close());

async function context(overrides: Partial<TestContext> = {}): Promise<TestContext> {
  return testContext({ clock: manualClock(), ...overrides });
}

async function run(input: Record<string, unknown>, ctx?: TestContext): Promise<Outputs> {
  return probe.run(ctx ?? (await context()), probe.input.parse(input));
}

async function failure(input: Record<string, unknown>, ctx?: TestContext): Promise<StepFailure> {
  const error = await run(input, ctx).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return error;
}

describe("http.probe", () => {
  it("passes when the status and every expected JSON value are as expected", async () => {
    const outputs = await run({
      url: `${server.url}/health`,
      expect: {
        status: 200,
        json: [
          { path: ".version", equals: "1.2.3" },
          { path: ".checks.db.status", equals: "up" },
          { path: '.checks["cache.primary"].status', matches: "^up$" },
          { path: ".regions", contains: "eu-west" },
          { path: ".regions[0]", equals: "us-east" },
          { path: ".replicas", equals: "3" },
          { path: ".maintenance", exists: false },
        ],
      },
    });
    expect(outputs).toMatchObject({
      status: 200,
      attempts: 1,
      json: HEALTH,
      values: { ".version": "1.2.3", ".regions[0]": "us-east", ".replicas": 3, ".maintenance": null },
    });
  });

  it("accepts the short form {path: value} for equality", async () => {
    expect(
      await run({ url: `${server.url}/health`, expect: { json: { ".version": "1.2.3", status: "ok" } } }),
    ).toMatchObject({
      values: { ".version": "1.2.3", status: "ok" },
    });
  });

  it("retries every interval until the service answers, timing the waits with the run's clock", async () => {
    flakyCount = 0;
    const clock = manualClock();
    const ctx = await context({ clock });
    const outputs = await run(
      {
        url: `${server.url}/rolling`,
        expect: { json: { ".version": "1.2.3" } },
        attempts: 5,
        interval: "10s",
      },
      ctx,
    );
    expect(outputs).toMatchObject({ status: 200, attempts: 3, duration_ms: 20_000 });
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(ctx.logs.map((log) => log.message)).toContain(
      "attempt 1: status 503 is not 2xx; .version is missing; next in 10.0s",
    );
  });

  it("fails after the last attempt and says what the service answered", async () => {
    const error = await failure({
      url: `${server.url}/old`,
      expect: { json: [{ path: ".version", equals: "1.2.3" }] },
      attempts: 3,
      interval: "10s",
    });
    expect(error.message).toBe(
      `GET ${server.url}/old did not pass after 3 attempts over 20.0s: .version is "1.2.2", expected "1.2.3"`,
    );
    expect(error.outputs).toMatchObject({ status: 200, attempts: 3, values: { ".version": "1.2.2" } });
    expect(error.hint).toMatch(/raise attempts or deadline/);
  });

  it("keeps trying until the deadline when no attempt count is given", async () => {
    const clock = manualClock();
    const error = await failure(
      {
        url: `${server.url}/old`,
        expect: { json: { ".version": "1.2.3" } },
        interval: "10s",
        deadline: "30s",
      },
      await context({ clock }),
    );
    expect(error.message).toMatch(/did not pass after 4 attempts over 30.0s/);
    expect(clock.sleeps).toEqual([10_000, 10_000, 10_000]);
  });

  it("counts an answer slower than the timeout as a failed attempt", async () => {
    const error = await failure({ url: `${server.url}/slow`, timeout: "200ms" });
    expect(error.message).toBe(`GET ${server.url}/slow did not pass after 1 attempt: no answer within 200ms`);
  });

  it.each([
    [503, "2xx", false],
    [503, [200, 503], true],
    [503, "500-599", true],
    [204, "200-204", true],
    [301, 200, false],
  ])("judges status %s against %j", async (code, status, passes) => {
    const input = { url: `${server.url}/status?code=${code}`, expect: { status } };
    if (passes) expect(await run(input)).toMatchObject({ status: code });
    else expect((await failure(input)).message).toMatch(new RegExp(`status ${code} is not`));
  });

  it("sends a header value from a secret, and the plan never shows it", async () => {
    const ctx = await context({
      secrets: { get: (name) => (name === "api_token" ? "tok-123456" : undefined) },
    });
    const input = {
      url: `${server.url}/echo`,
      headers: { Authorization: { secret: "api_token", prefix: "Bearer " }, "X-Release": "v1.2.3" },
    };
    const outputs = await run(input, ctx);
    expect((outputs.json as { headers: Record<string, string> }).headers).toMatchObject({
      authorization: "Bearer tok-123456",
      "x-release": "v1.2.3",
    });
    const plan = probe.plan(probe.input.parse(input));
    expect(plan.details?.headers).toEqual({
      Authorization: "Bearer <secret api_token>",
      "X-Release": "v1.2.3",
    });
    expect(JSON.stringify(plan)).not.toContain("tok-123456");
  });

  it("sends an object body as JSON", async () => {
    const outputs = await run({ url: `${server.url}/echo`, method: "post", body: { version: "1.2.3" } });
    expect(outputs.json).toMatchObject({
      method: "POST",
      body: '{"version":"1.2.3"}',
      headers: { "content-type": "application/json" },
    });
  });

  it("fails JSON expectations on a body that is not JSON, and reads text with body_contains", async () => {
    expect(
      (await failure({ url: `${server.url}/text`, expect: { json: { ".version": "1.2.3" } } })).message,
    ).toMatch(/the body is not JSON$/);
    expect(
      await run({ url: `${server.url}/text`, expect: { body_contains: "version 1.2.3" } }),
    ).toMatchObject({
      body: "OK version 1.2.3",
      json: null,
    });
  });

  it("says when nothing listens", async () => {
    const port = await freePort();
    expect((await failure({ url: `http://127.0.0.1:${port}/health` })).message).toBe(
      `GET http://127.0.0.1:${port}/health did not pass after 1 attempt: could not connect: ECONNREFUSED`,
    );
  });

  it("stops at once, as cancelled, when the step is aborted mid-request", async () => {
    const ctx = await context();
    let hungUp: Promise<void> | undefined;
    const slow = await loopbackServer((_request, response) => {
      // The request has arrived and is waiting for its answer: abort the step now.
      const socket = response.socket!;
      hungUp = new Promise((resolve) => socket.once("close", () => resolve()));
      ctx.abort(new Error("interrupted by SIGINT"));
      // The service answers just after: a probe still waiting would pass on it.
      setImmediate(() => response.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    try {
      const error = await failure({ url: `${slow.url}/slow`, attempts: 10 }, ctx);
      expect(error.kind).toBe("cancelled");
      expect(error.message).toBe("interrupted by SIGINT");
      expect(slow.requests).toHaveLength(1);
      // The probe hung up on the request in flight.
      await hungUp;
    } finally {
      await slow.close();
    }
  });

  it("follows a redirect by default, and checks the redirect itself with follow_redirects: false", async () => {
    expect(
      await run({ url: `${server.url}/login`, expect: { json: { ".version": "1.2.3" } } }),
    ).toMatchObject({
      status: 200,
      location: "",
    });
    const followed = await failure({ url: `${server.url}/login`, expect: { status: 302 } });
    expect(followed.message).toBe(
      `GET ${server.url}/login did not pass after 1 attempt: status 200 is not 302`,
    );

    const before = server.requests.length;
    expect(
      await run({ url: `${server.url}/login`, follow_redirects: false, expect: { status: 302 } }),
    ).toMatchObject({ status: 302, location: "/health", body: "Found", attempts: 1 });
    // The probe stopped at the redirect: the page it points to was not requested.
    expect(server.requests.slice(before).map((request) => request.url)).toEqual(["/login"]);
    expect(
      probe.plan(probe.input.parse({ url: `${server.url}/login`, follow_redirects: false })).details,
    ).toMatchObject({
      follow_redirects: false,
    });
  });

  it("makes one request in a dry-run preview and reports instead of failing", async () => {
    const outputs = await probe.preview!(
      await context(),
      probe.input.parse({
        url: `${server.url}/old`,
        expect: { json: { ".version": "1.2.3" } },
        attempts: 30,
      }),
    );
    expect(outputs).toMatchObject({
      passed: false,
      reason: '.version is "1.2.2", expected "1.2.3"',
      attempts: 1,
    });
  });

  it("is read-only for GET, HEAD and OPTIONS, and mutates for other methods unless declared read-only", () => {
    const parse = (input: Record<string, unknown>) =>
      probe.input.parse({ url: "https://api.example.com/health", ...input });
    expect(actionRunsInDryRun(probe, parse({}))).toBe(true);
    expect(actionRunsInDryRun(probe, parse({ method: "HEAD" }))).toBe(true);
    expect(actionMutates(probe, parse({ method: "POST" }))).toBe(true);
    expect(actionRunsInDryRun(probe, parse({ method: "POST" }))).toBe(false);
    expect(actionRunsInDryRun(probe, parse({ method: "POST", read_only: true }))).toBe(true);
  });

  it.each([
    [{ url: "ftp://example.com/x" }, "an http:// or https:// URL"],
    [
      { url: "https://x", expect: { json: [{ path: ".a", equals: 1, matches: "x" }] } },
      "give exactly one of equals, contains, matches and exists",
    ],
    [
      { url: "https://x", expect: { json: { "version..x": 1 } } },
      '"version..x" is not a path like .version, .checks.db.status or .items[0].name',
    ],
    [
      { url: "https://x", expect: { status: "2XX" } },
      'a status is a code (200), a class ("2xx") or a range ("200-299")',
    ],
    [
      { url: "https://x", expect: { json: [{ path: ".a", matches: "(" }] } },
      "not a valid regular expression",
    ],
    [{ url: "https://x", headers: { "Bad Header": "x" } }, "not a valid header name"],
  ])("refuses %j", (input, message) => {
    expect(refusal(http, "probe", input)).toContain(message);
  });
});
