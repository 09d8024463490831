// Freeze windows, incidents and break-glass through the built binary. Windows are computed from
// the current time (a weekly window from two hours ago to two hours ahead, a holiday from
// yesterday to tomorrow), so the tests mean the same at any time of day or week.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../helpers/servers.js";
import {
  filesUnder,
  json,
  loopbackServer,
  person,
  project,
  readJson,
  readJsonLines,
  type LoopbackServer,
} from "./helpers.js";

const PLAYBOOK = `apiVersion: relctl/v1
name: api-release
freeze_calendar: freeze.yaml
stages:
  stage:
    environment: staging
    steps:
      - id: deploy-staging
        uses: exec.run
        with: { argv: [touch, staged] }
  promote:
    environment: production
    steps:
      - id: deploy-production
        uses: exec.run
        with: { argv: [touch, promoted] }
`;

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const HOUR = 3_600_000;

/** "Wed 14:05" in UTC, to the minute. */
function weekTime(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[at.getUTCDay()]} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

/** A weekly window around now; `ends` is its end as relctl prints it in UTC. */
function windowAroundNow(): { calendar: string; ends: string } {
  const now = Date.now();
  const to = new Date(Math.floor((now + 2 * HOUR) / 60_000) * 60_000);
  const calendar = `environments: [production]
windows:
  - name: release-freeze
    from: "${weekTime(new Date(now - 2 * HOUR))}"
    to: "${weekTime(to)}"
    timezone: UTC
`;
  return { calendar, ends: `${to.toISOString().slice(0, 16)}Z` };
}

const day = (offset: number) => new Date(Date.now() + offset * 24 * HOUR).toISOString().slice(0, 10);

const HOLIDAY = `environments: [production]
holidays:
  - name: launch-week
    from: ${day(-1)}
    to: ${day(1)}
`;

// The tests run side by side, so the servers they start are closed when the file is done.
const servers: LoopbackServer[] = [];
afterAll(() => Promise.all(servers.map((server) => server.close())));

async function statusPage(answer: () => { status: number; body: unknown }): Promise<LoopbackServer> {
  const server = await loopbackServer((_request, response) => {
    const { status, body } = answer();
    json(response, status, body);
  });
  servers.push(server);
  return server;
}

const incidentCalendar = (url: string) => `environments: [production]
incidents:
  - name: status-page
    url: ${url}
    field: incidents
    reason_field: incidents.0.name
    bearer_token_env: STATUS_TOKEN
    timeout: 2
`;

describe.concurrent("freeze windows", () => {
  it("a window covering now blocks a production stage with exit 4, naming the window and when it ends, before anything runs", async () => {
    const { calendar, ends } = windowAroundNow();
    const p = project(PLAYBOOK, { "freeze.yaml": calendar });

    const refused = await p.run(["promote", "--yes"]);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("production is frozen by weekly window release-freeze (");
    expect(refused.stderr).toContain(`until `);
    expect(refused.stderr).toContain(`UTC (${ends})`);
    expect(refused.stderr).toContain('override with --break-glass --reason "…" (recorded)');
    expect(existsSync(join(p.dir, "promoted"))).toBe(false);
    expect(p.runIds()).toEqual([]);
  });

  it("an environment the calendar does not protect runs, and its incident sources are not asked", async () => {
    const page = await statusPage(() => ({ status: 200, body: { incidents: [{ name: "db down" }] } }));
    const { calendar } = windowAroundNow();
    const p = project(PLAYBOOK, {
      "freeze.yaml": `${calendar}${incidentCalendar(page.url).replace("environments: [production]\n", "")}`,
    });

    const staged = await p.run(["stage", "--yes"], { STATUS_TOKEN: "status-token-1" });

    expect(staged.exitCode).toBe(0);
    expect(existsSync(join(p.dir, "staged"))).toBe(true);
    expect(page.requests).toEqual([]);
  });

  it("a run of several stages is blocked when any environment it changes is frozen, not only the last", async () => {
    const p = project(PLAYBOOK, { "freeze.yaml": HOLIDAY.replace("[production]", "[staging]") });

    const refused = await p.run(["run", "stage", "promote", "--yes"]);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("staging is frozen by holiday launch-week");
    expect(existsSync(join(p.dir, "staged"))).toBe(false);
    expect(existsSync(join(p.dir, "promoted"))).toBe(false);
  });

  it("--break-glass without --reason is refused with exit 2 and runs nothing", async () => {
    const p = project(PLAYBOOK, { "freeze.yaml": HOLIDAY });

    const refused = await p.run(["promote", "--yes", "--break-glass"]);

    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--break-glass needs --reason "…"');
    expect(existsSync(join(p.dir, "promoted"))).toBe(false);
    expect(existsSync(join(p.state, "audit"))).toBe(false);
  });

  it("--break-glass --reason runs inside the window and records the override in the audit log and the evidence", async () => {
    const p = project(PLAYBOOK, { "freeze.yaml": HOLIDAY });
    const ana = person("Ana Lima", "ana@example.com");
    expect((await p.run(["promote", "--yes"], ana)).exitCode).toBe(4);

    const run = await p.run(["promote", "--yes", "--break-glass", "--reason", "INC-1"], ana);

    expect(run.exitCode).toBe(0);
    expect(existsSync(join(p.dir, "promoted"))).toBe(true);
    const [record, ...more] = readJsonLines(join(p.state, "audit", "break-glass.jsonl"));
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      by: "Ana Lima <ana@example.com>",
      reason: "INC-1",
      environment: "production",
      window: { kind: "holiday", name: "launch-week", endsAt: `${day(2)}T00:00:00.000Z` },
    });
    expect((record!.overridden as string[])[0]).toContain("production is frozen by holiday launch-week");
    const [runId] = p.runIds();
    const evidence = join(p.state, "runs", runId!, "evidence");
    expect(readJson(join(evidence, "manifest.json")).breakGlass).toEqual([record]);
    expect((await p.run(["evidence", "verify", evidence])).exitCode).toBe(0);
  });
});

describe.concurrent("rollback during a freeze", () => {
  const WITH_ROLLBACK = `${PLAYBOOK}    on_failure: rollback
  rollback:
    environment: production
    steps:
      - id: restore
        uses: exec.run
        with: { argv: [touch, restored] }
`;

  it("the stage others hand their failures to runs inside a window and during an incident; promote is still refused", async () => {
    const { calendar } = windowAroundNow();
    const page = await statusPage(() => ({ status: 200, body: { incidents: [{ name: "api down" }] } }));
    const incidents = incidentCalendar(`${page.url}/incidents`).replace("environments: [production]\n", "");
    const p = project(WITH_ROLLBACK, { "freeze.yaml": `${calendar}${incidents}` });
    const env = { STATUS_TOKEN: "status-token-2b7f" };

    const promote = await p.run(["promote", "--yes"], env);
    expect(promote.exitCode).toBe(4);
    expect(existsSync(join(p.dir, "promoted"))).toBe(false);

    const asked = page.requests.length;
    const rollback = await p.run(["rollback", "--yes"], env);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(existsSync(join(p.dir, "restored"))).toBe(true);
    expect(rollback.stderr).not.toMatch(/frozen|incident is active/);
    // A rollback does not wait on the incident source.
    expect(page.requests).toHaveLength(asked);
  });
});

describe.concurrent("a freeze that begins during a run", () => {
  it("refuses the next protected stage when an incident began while an earlier stage ran (exit 4), leaving that stage done", async () => {
    let dir = "";
    // The incident begins once staging is deployed: the start of the run saw none.
    const page = await statusPage(() => ({
      status: 200,
      body: { incidents: existsSync(join(dir, "staged")) ? [{ name: "latency spike" }] : [] },
    }));
    const p = project(PLAYBOOK, { "freeze.yaml": incidentCalendar(`${page.url}/incidents`) });
    dir = p.dir;

    const result = await p.run(["run", "stage", "promote", "--yes"], { STATUS_TOKEN: "status-token-2b7f" });

    expect(result.exitCode, result.stderr).toBe(4);
    expect(existsSync(join(p.dir, "staged"))).toBe(true);
    expect(existsSync(join(p.dir, "promoted"))).toBe(false);
    expect(result.stderr).toMatch(
      /stage promote not started: .*an incident is active \(status-page: latency spike\)/,
    );
    expect(page.requests).toHaveLength(2);
    const end = p.journal().find((event) => event.type === "run.end");
    expect(end).toMatchObject({ status: "blocked", exitCode: 4, failedStage: "promote" });
  });
});

describe.concurrent("incidents", () => {
  it("an active incident reported by the incident source blocks with exit 4, and a resolved one lets the stage run", async () => {
    let incidents: { name: string }[] = [{ name: "db primary down" }];
    const page = await statusPage(() => ({ status: 200, body: { incidents } }));
    const p = project(PLAYBOOK, { "freeze.yaml": incidentCalendar(`${page.url}/api/v2/incidents`) });
    const env = { STATUS_TOKEN: "status-token-2b7f" };

    const refused = await p.run(["promote", "--yes"], env);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("an incident is active (status-page: db primary down)");
    expect(existsSync(join(p.dir, "promoted"))).toBe(false);
    expect(page.requests[0]).toMatchObject({
      method: "GET",
      url: "/api/v2/incidents",
      headers: { authorization: "Bearer status-token-2b7f" },
    });

    incidents = [];
    expect((await p.run(["promote", "--yes"], env)).exitCode).toBe(0);
    expect(existsSync(join(p.dir, "promoted"))).toBe(true);
    for (const file of filesUnder(p.state))
      expect(p.read(join(".relctl", file))).not.toContain("status-token");
  });

  it.each([
    ["cannot be reached", async () => `http://127.0.0.1:${await freePort()}/incidents`, /cannot reach/],
    [
      "answers HTTP 500",
      async () => `${(await statusPage(() => ({ status: 500, body: { error: "boom" } }))).url}/incidents`,
      /answered HTTP 500/,
    ],
    [
      "answers something unexpected",
      async () => `${(await statusPage(() => ({ status: 200, body: { incidents: "none" } }))).url}/x`,
      /incidents is "none"; expected true\/false, a count or a list/,
    ],
  ])("an incident source that %s blocks with exit 4 (fail closed)", async (_case, url, reason) => {
    const p = project(PLAYBOOK, { "freeze.yaml": incidentCalendar(await url()) });

    const refused = await p.run(["promote", "--yes"], { STATUS_TOKEN: "t0ken" });

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("cannot tell whether an incident is active (status-page: ");
    expect(refused.stderr).toMatch(reason);
    expect(refused.stderr).toContain("refusing to change production without knowing");
    expect(existsSync(join(p.dir, "promoted"))).toBe(false);
  });
});
