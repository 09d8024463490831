import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFreezeCalendar } from "../../../src/release/freeze/calendar.js";
import {
  httpJsonIncidentCheck,
  incidentChecksFromCalendar,
  prometheusIncidentCheck,
} from "../../../src/release/freeze/incidents.js";
import { freePort, startServer, tempDir, type RunningServer } from "../../helpers/servers.js";

// A loopback endpoint that answers whatever the test puts at a path.
let server: Server;
let base: string;
const answers = new Map<string, { status: number; body: string; delayMs?: number }>();
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request);
    const answer = answers.get(request.url ?? "") ?? { status: 404, body: "{}" };
    setTimeout(() => {
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(answer.body);
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // The slow answer is still pending; do not wait for it.
      server.closeAllConnections();
    }),
);

function serve(path: string, body: unknown, status = 200, delayMs?: number): string {
  answers.set(path, {
    status,
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(delayMs ? { delayMs } : {}),
  });
  return `${base}${path}`;
}

describe("HTTP JSON incident checks", () => {
  it.each([
    [{ active: true }, "active", true],
    [{ active: false }, "active", false],
    [{ incidents: [{ name: "API degraded" }] }, "incidents", true],
    [{ incidents: [] }, "incidents", false],
    [{ summary: { open: 2 } }, "summary.open", true],
    [{ summary: { open: 0 } }, "summary.open", false],
  ])("reads %j at %s as active: %s", async (body, field, active) => {
    const url = serve(`/case-${field}-${String(active)}`, body);
    expect((await httpJsonIncidentCheck({ name: "status", url, field }).check()).active).toBe(active);
  });

  it("uses the reason field in its message", async () => {
    const url = serve("/statuspage", { incidents: [{ name: "Elevated 5xx on checkout" }] });
    const status = await httpJsonIncidentCheck({
      name: "status-page",
      url,
      field: "incidents",
      reasonField: "incidents.0.name",
    }).check();
    expect(status).toEqual({ active: true, reason: "status-page: Elevated 5xx on checkout" });
  });

  it.each([
    [
      "a missing field",
      "/missing",
      { other: 1 },
      200,
      "status: active is missing; expected true/false, a count or a list",
    ],
    [
      "a string",
      "/string",
      { active: "yes" },
      200,
      'status: active is "yes"; expected true/false, a count or a list',
    ],
    ["an HTTP error", "/error", { error: "maintenance" }, 503, "/error answered HTTP 503: maintenance"],
    ["something that is not JSON", "/html", "<html>oops</html>", 200, "/html did not answer JSON"],
  ])("throws on %s instead of guessing", async (_what, path, body, status, message) => {
    const url = serve(path, body, status);
    await expect(httpJsonIncidentCheck({ name: "status", url }).check()).rejects.toThrow(message);
  });

  it("throws when the source cannot be reached", async () => {
    const url = `http://127.0.0.1:${await freePort()}/incidents`;
    await expect(httpJsonIncidentCheck({ name: "status", url }).check()).rejects.toThrow(
      /^status: cannot reach http:\/\/127\.0\.0\.1:\d+\/incidents: /,
    );
  });

  it("gives up after its timeout", async () => {
    const url = serve("/slow", { active: false }, 200, 2_000);
    await expect(httpJsonIncidentCheck({ name: "status", url, timeoutMs: 100 }).check()).rejects.toThrow(
      "no answer within 100ms",
    );
  });

  it("sends the bearer token from the calendar's environment variable and hands it to the redactor first", async () => {
    const url = serve("/authed", { active: false });
    const calendar = parseFreezeCalendar(
      `environments: [production]\nincidents: [{ name: status, url: "${url}", bearer_token_env: STATUS_TOKEN }]`,
    );
    const secrets: string[] = [];
    const [check] = incidentChecksFromCalendar(calendar, {
      env: { STATUS_TOKEN: "tok-123456" },
      onSecret: (value) => secrets.push(value),
    });
    await check!.check();
    expect(secrets).toEqual(["tok-123456"]);
    expect(seen.at(-1)?.headers.authorization).toBe("Bearer tok-123456");
  });

  it("fails (closed) when the token variable is not set", async () => {
    const calendar = parseFreezeCalendar(
      `environments: [production]\nincidents: [{ name: status, url: "${base}/x", bearer_token_env: STATUS_TOKEN }]`,
    );
    const [check] = incidentChecksFromCalendar(calendar, { env: {} });
    await expect(check!.check()).rejects.toThrow(
      "environment variable STATUS_TOKEN (its bearer token) is not set",
    );
  });
});

describe("Prometheus incident checks (real Prometheus on loopback)", () => {
  let prometheus: RunningServer;

  beforeAll(async () => {
    const dir = tempDir("freeze-prom");
    const config = join(dir, "prometheus.yml");
    writeFileSync(config, "global:\n  scrape_interval: 15s\n");
    prometheus = await startServer({
      binary: "prometheus",
      debianPackage: "prometheus",
      args: (port) => [
        `--config.file=${config}`,
        `--storage.tsdb.path=${mkdtempSync(join(dir, "data-"))}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      readyPath: "/-/ready",
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it("reports an incident while the query returns series, naming them", async () => {
    const query =
      'label_replace(label_replace(vector(1), "alertname", "HighErrorRate", "", ""), "severity", "P1", "", "")';
    const status = await prometheusIncidentCheck({ name: "paging", url: prometheus.url, query }).check();
    expect(status).toEqual({
      active: true,
      reason: "paging: 1 series firing: alertname=HighErrorRate severity=P1",
    });
  });

  it("reports no incident when the query returns nothing", async () => {
    const status = await prometheusIncidentCheck({
      name: "paging",
      url: `${prometheus.url}/`,
      query: "vector(1) == 2",
    }).check();
    expect(status).toEqual({ active: false, reason: "paging: vector(1) == 2 is empty" });
  });

  it("throws on a query Prometheus rejects", async () => {
    await expect(
      prometheusIncidentCheck({ name: "paging", url: prometheus.url, query: "rate(" }).check(),
    ).rejects.toThrow(/paging: .*answered HTTP 400: invalid parameter "query": 1:6: parse error/);
  });

  it("throws on a result that is not a vector", async () => {
    await expect(
      prometheusIncidentCheck({ name: "paging", url: prometheus.url, query: "scalar(vector(1))" }).check(),
    ).rejects.toThrow("expected a vector result from scalar(vector(1)), got scalar");
  });
});
