// GitHub that fails in the ways that hurt: an endpoint that accepts the connection and never
// answers, and a create that GitHub carries out but answers with a 502. relctl must give up in a
// bounded time, and never create the same incident, release or deployment twice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loopbackServer, type LoopbackServer } from "../loopback.js";
import { startFakeGitHub, type FakeGitHub } from "./fake-github.js";
import { githubAction, githubFailure } from "./run-action.js";

const HANG_GUARD_MS = 30_000;
const SERVER_ERROR = { status: 502, body: { message: "Server Error" } };

let api: FakeGitHub;
beforeEach(async () => {
  api = await startFakeGitHub();
});
afterEach(() => api.close());

const incident = { title: "Rollback: api v1.2.0", reason: "gate error-rate failed" };
const posts = () => api.calls().filter((call) => call.startsWith("POST"));

describe("a GitHub that accepts the connection and never answers", () => {
  let silent: LoopbackServer;
  beforeEach(async () => {
    // Reads each request and never answers it.
    silent = await loopbackServer(() => new Promise(() => undefined));
  });
  afterEach(() => silent.close());

  it(
    "fails the step once the retry budget is spent, saying which limit it hit",
    async () => {
      const error = await githubFailure(
        "incident",
        { ...incident, base_url: silent.url, request_timeout: "300ms", retry_budget: "1s" },
        api,
      );

      expect(error.message).toMatch(
        /^github\.incident: GitHub at http:\/\/127\.0\.0\.1:\d+ did not answer in time: no answer within 1\.0s \(retry_budget\)$/,
      );
      expect(error.hint).toContain("raise request_timeout / retry_budget");
      // The look-up was tried more than once (request_timeout, then retried) before the budget ended.
      expect(silent.requests.length).toBeGreaterThan(1);
      expect(silent.requests.every((request) => request.method === "GET")).toBe(true);
    },
    HANG_GUARD_MS,
  );

  it(
    "gives up on a create after request_timeout, looks it up, and only then tries again",
    async () => {
      api.hangNext("POST", /\/issues$/);
      const { outputs, ctx } = await githubAction(
        "incident",
        { ...incident, dedupe: false, request_timeout: "300ms", retry_budget: "1m" },
        api,
      );

      expect(ctx.logs).toContainEqual({
        level: "warn",
        message: expect.stringContaining("no answer (no answer within 300ms (request_timeout))"),
      });
      expect(api.calls()).toEqual([
        "POST /repos/acme/api/issues",
        "GET /repos/acme/api/issues",
        "POST /repos/acme/api/issues",
      ]);
      expect(api.issues).toHaveLength(1);
      expect(outputs).toMatchObject({ number: 1, created: true });
    },
    HANG_GUARD_MS,
  );
});

describe("a create GitHub carried out but answered with a 502", () => {
  it("opens the incident issue once: it looks for the marker before opening it again", async () => {
    api.failAfter("POST", /\/issues$/, SERVER_ERROR);

    const { outputs, ctx } = await githubAction("incident", incident, api);

    expect(api.issues).toHaveLength(1);
    expect(posts()).toEqual(["POST /repos/acme/api/issues"]);
    expect(outputs).toMatchObject({ number: 1, created: true });
    expect(ctx.logs).toContainEqual({
      level: "warn",
      message: expect.stringMatching(/502.*looking for what it may have created/),
    });
  });

  it("opens it once even with dedupe off", async () => {
    api.failAfter("POST", /\/issues$/, SERVER_ERROR);

    await githubAction("incident", { ...incident, dedupe: false }, api);

    expect(api.issues).toHaveLength(1);
  });

  it("tries the create again when the look-up shows nothing was created", async () => {
    api.failNext("POST", /\/issues$/, SERVER_ERROR);

    const { outputs } = await githubAction("incident", incident, api);

    expect(api.issues).toHaveLength(1);
    expect(posts()).toEqual(["POST /repos/acme/api/issues", "POST /repos/acme/api/issues"]);
    expect(outputs).toMatchObject({ number: 1, created: true });
  });

  it("creates the release once and goes on with the one GitHub made", async () => {
    api.failAfter("POST", /\/releases$/, SERVER_ERROR);

    const { outputs } = await githubAction("release", { tag: "v1.2.0", notes: "notes" }, api);

    expect(api.releases).toHaveLength(1);
    expect(posts()).toEqual(["POST /repos/acme/api/releases"]);
    expect(outputs).toMatchObject({ id: api.releases[0]!.id, tag: "v1.2.0", created: true });
  });

  it("converges on the release when a retried create answers 422 already_exists", async () => {
    // The first create is carried out but answered 502; the tag look-up misses it (a lagging
    // replica answers 404); the second create is refused because the release exists.
    api.failAfter("POST", /\/releases$/, SERVER_ERROR);
    api.failNext("GET", /\/releases\/tags\//, { status: 404, body: { message: "Not Found" } });
    api.failNext("GET", /\/releases\/tags\//, { status: 404, body: { message: "Not Found" } });
    api.failNext("GET", /\/releases$/, { status: 200, body: [] });
    api.failNext("GET", /\/releases$/, { status: 200, body: [] });

    const { outputs } = await githubAction("release", { tag: "v1.2.0", notes: "new notes" }, api);

    expect(api.releases).toHaveLength(1);
    expect(api.releases[0]).toMatchObject({ tag_name: "v1.2.0", body: "new notes" });
    expect(outputs).toMatchObject({ id: api.releases[0]!.id, tag: "v1.2.0" });
  });

  it("creates the deployment once: it finds it by ref, environment and the step's marker", async () => {
    api.failAfter("POST", /\/deployments$/, SERVER_ERROR);

    const { outputs } = await githubAction("deployment", { ref: "v1.2.0", environment: "production" }, api);

    expect(api.deployments).toHaveLength(1);
    expect(posts()).toEqual(["POST /repos/acme/api/deployments"]);
    const listed = api.requests.find((request) => request.method === "GET")!;
    expect(listed.path).toBe("/repos/acme/api/deployments");
    expect(listed.query).toMatchObject({ ref: "v1.2.0", environment: "production", task: "deploy" });
    expect(outputs).toMatchObject({ id: api.deployments[0]!.id, environment: "production" });
  });

  it("does not take an earlier deployment of the same ref for the one it created", async () => {
    await githubAction("deployment", { ref: "v1.2.0", environment: "production" }, api, {
      ctx: await (
        await import("./run-action.js")
      ).githubContext({
        run: { id: "an-earlier-run", stateDir: "/tmp" },
      }),
    });
    api.failNext("POST", /\/deployments$/, SERVER_ERROR);

    const { outputs } = await githubAction("deployment", { ref: "v1.2.0", environment: "production" }, api);

    expect(api.deployments).toHaveLength(2);
    expect(outputs).toMatchObject({ id: api.deployments[1]!.id });
  });

  it("replaces an asset when GitHub deleted the old one but answered the delete with a 502", async () => {
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tempDir } = await import("../../helpers/servers.js");
    const { githubContext } = await import("./run-action.js");
    const dir = tempDir("github-asset-delete");
    writeFileSync(join(dir, "evidence.tar.gz"), "new evidence bytes");
    api.releases.push({
      id: 7,
      tag_name: "v1.2.0",
      target_commitish: "main",
      name: null,
      body: null,
      draft: false,
      prerelease: false,
      assets: [
        {
          id: 70,
          name: "evidence.tar.gz",
          label: null,
          content_type: "application/gzip",
          size: 3,
          digest: "sha256:0000",
          state: "uploaded",
          url: "",
          browser_download_url: "https://github.example/old",
        },
      ],
    });
    api.failAfter("DELETE", /\/releases\/assets\/70$/, SERVER_ERROR);

    const { outputs } = await githubAction("release", { tag: "v1.2.0", assets: ["evidence.tar.gz"] }, api, {
      ctx: await githubContext({ cwd: dir }),
    });

    expect(api.releases[0]!.assets.map((asset) => [asset.name, asset.size])).toEqual([
      ["evidence.tar.gz", "new evidence bytes".length],
    ]);
    expect((outputs.assets as { state: string }[])[0]!.state).toBe("replaced");
  });
});
