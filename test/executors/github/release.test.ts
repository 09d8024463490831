import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitHubExecutor } from "../../../src/executors/github.js";
import { tempDir } from "../../helpers/servers.js";
import { startFakeGitHub, TOKEN, type FakeGitHub } from "./fake-github.js";
import { github, githubAction, githubContext, githubFailure } from "./run-action.js";

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.2.0] - 2026-11-20

### Added

- Canary gates on the error rate

### Fixed

- Retry on 502 from the registry

## [1.1.0] - 2026-10-01

- First train
`;

let api: FakeGitHub;
let dir: string;

beforeEach(async () => {
  api = await startFakeGitHub();
  dir = tempDir("github-release");
  writeFileSync(join(dir, "CHANGELOG.md"), CHANGELOG);
});
afterEach(() => api.close());

async function inDir() {
  return githubContext({ cwd: dir });
}

describe("github.release", () => {
  it("creates the release for a new tag with its changelog section as the notes", async () => {
    const { outputs } = await githubAction(
      "release",
      {
        tag: "v1.2.0",
        name: "api v1.2.0",
        target: "main",
        notes_file: "CHANGELOG.md",
        notes_version: "1.2.0",
      },
      api,
      { ctx: await inDir() },
    );

    expect(api.calls()).toEqual([
      "GET /repos/acme/api/releases/tags/v1.2.0",
      "GET /repos/acme/api/releases",
      "POST /repos/acme/api/releases",
    ]);
    const create = api.requests[2]!;
    expect(create.headers.authorization).toBe(`token ${TOKEN}`);
    expect(create.headers.accept).toBe("application/vnd.github.v3+json");
    expect(create.headers["x-github-api-version"]).toBe("2022-11-28");
    expect(create.headers["user-agent"]).toMatch(/^relctl\/\d+\.\d+\.\d+/);
    expect(create.json()).toEqual({
      tag_name: "v1.2.0",
      name: "api v1.2.0",
      target_commitish: "main",
      body: "### Added\n\n- Canary gates on the error rate\n\n### Fixed\n\n- Retry on 502 from the registry",
      draft: false,
      prerelease: false,
    });
    const release = api.releases[0]!;
    expect(outputs).toMatchObject({
      id: release.id,
      url: "https://github.example/acme/api/releases/tag/v1.2.0",
      api_url: `${api.url}/repos/acme/api/releases/${release.id}`,
      tag: "v1.2.0",
      created: true,
      assets: [],
    });
  });

  it("updates the existing release for the tag instead of creating a second one", async () => {
    api.releases.push({
      id: 7,
      tag_name: "v1.2.0",
      target_commitish: "main",
      name: "old title",
      body: "old notes",
      draft: false,
      prerelease: true,
      assets: [],
    });

    const { outputs } = await githubAction("release", { tag: "v1.2.0", notes: "new notes" }, api);

    expect(api.calls()).toEqual([
      "GET /repos/acme/api/releases/tags/v1.2.0",
      "PATCH /repos/acme/api/releases/7",
    ]);
    expect(api.requests[1]!.json()).toEqual({ body: "new notes", draft: false, prerelease: false });
    expect(api.releases).toHaveLength(1);
    expect(api.releases[0]).toMatchObject({ name: "old title", body: "new notes", prerelease: false });
    expect(outputs).toMatchObject({ id: 7, created: false });
  });

  it("finds a draft release for the tag by following the list's pages", async () => {
    for (let index = 0; index < 130; index++) {
      api.releases.push({
        id: 100 + index,
        tag_name: `v0.${index}.0`,
        target_commitish: "main",
        name: null,
        body: null,
        draft: false,
        prerelease: false,
        assets: [],
      });
    }
    api.releases.push({
      id: 999,
      tag_name: "v1.2.0",
      target_commitish: "main",
      name: null,
      body: null,
      draft: true,
      prerelease: false,
      assets: [],
    });

    const { outputs } = await githubAction("release", { tag: "v1.2.0", draft: true }, api);

    expect(api.calls()).toEqual([
      "GET /repos/acme/api/releases/tags/v1.2.0",
      "GET /repos/acme/api/releases",
      "GET /repos/acme/api/releases",
      "PATCH /repos/acme/api/releases/999",
    ]);
    expect(api.requests[1]!.query).toEqual({ per_page: "100" });
    expect(api.requests[2]!.query).toEqual({ per_page: "100", page: "2" });
    expect(outputs).toMatchObject({ id: 999, created: false });
    expect(api.releases.filter((release) => release.tag_name === "v1.2.0")).toHaveLength(1);
  });

  it("uploads assets to the release's upload_url and replaces a same-named one", async () => {
    writeFileSync(join(dir, "evidence.tar.gz"), "new evidence bytes");
    writeFileSync(join(dir, "sbom.json"), '{"spdxVersion":"SPDX-2.3"}');
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

    const { outputs } = await githubAction(
      "release",
      {
        tag: "v1.2.0",
        assets: ["evidence.tar.gz", { path: "sbom.json", name: "api.spdx.json", label: "SBOM (SPDX)" }],
      },
      api,
      { ctx: await inDir() },
    );

    expect(api.calls()).toEqual([
      "GET /repos/acme/api/releases/tags/v1.2.0",
      "PATCH /repos/acme/api/releases/7",
      "GET /repos/acme/api/releases/7/assets",
      // The replacement is uploaded under a temporary name before the old one goes.
      "POST /uploads/repos/acme/api/releases/7/assets",
      "DELETE /repos/acme/api/releases/assets/70",
      `PATCH /repos/acme/api/releases/assets/${api.releases[0]!.assets[0]!.id}`,
      "POST /uploads/repos/acme/api/releases/7/assets",
    ]);
    const [evidence, rename, sbom] = [api.requests[3]!, api.requests[5]!, api.requests[6]!];
    expect(evidence.query).toEqual({ name: "evidence.tar.gz.relctl-new" });
    expect(rename.json()).toEqual({ name: "evidence.tar.gz" });
    expect(evidence.headers["content-type"]).toBe("application/gzip");
    expect(evidence.headers.authorization).toBe(`token ${TOKEN}`);
    expect(evidence.body.toString()).toBe("new evidence bytes");
    expect(sbom.query).toEqual({ name: "api.spdx.json", label: "SBOM (SPDX)" });
    expect(sbom.headers["content-type"]).toBe("application/json");
    expect(sbom.body.toString()).toBe(readFileSync(join(dir, "sbom.json"), "utf8"));
    expect(
      (outputs.assets as { name: string; state: string }[]).map(({ name, state }) => ({ name, state })),
    ).toEqual([
      { name: "evidence.tar.gz", state: "replaced" },
      { name: "api.spdx.json", state: "uploaded" },
    ]);
    expect(api.releases[0]!.assets.map((asset) => asset.name)).toEqual(["evidence.tar.gz", "api.spdx.json"]);
  });

  it("keeps the old asset on the release when every upload of its replacement fails", async () => {
    writeFileSync(join(dir, "evidence.tar.gz"), "new evidence bytes");
    const old = {
      id: 70,
      name: "evidence.tar.gz",
      label: null,
      content_type: "application/gzip",
      size: 3,
      digest: "sha256:0000",
      state: "uploaded" as const,
      url: "",
      browser_download_url: "https://github.example/old",
    };
    api.releases.push({
      id: 7,
      tag_name: "v1.2.0",
      target_commitish: "main",
      name: null,
      body: null,
      draft: false,
      prerelease: false,
      assets: [old],
    });
    for (let attempt = 0; attempt < 4; attempt++) {
      api.failNext("POST", /\/uploads\//, { status: 502, body: { message: "Server Error" } });
    }

    const failure = await githubFailure("release", { tag: "v1.2.0", assets: ["evidence.tar.gz"] }, api, {
      ctx: await inDir(),
    });

    expect(failure.message).toMatch(/GitHub answered 502 to POST .*\/releases\/7\/assets/);
    expect(api.calls().filter((call) => call.startsWith("POST /uploads"))).toHaveLength(4);
    expect(api.calls().filter((call) => call.startsWith("DELETE"))).toEqual([]);
    expect(api.releases[0]!.assets).toEqual([old]);
  });

  it("clears a replacement an interrupted run left behind before uploading again", async () => {
    writeFileSync(join(dir, "evidence.tar.gz"), "new evidence bytes");
    const asset = (id: number, name: string) => ({
      id,
      name,
      label: null,
      content_type: "application/gzip",
      size: 3,
      digest: "sha256:0000",
      state: "uploaded" as const,
      url: "",
      browser_download_url: `https://github.example/${name}`,
    });
    api.releases.push({
      id: 7,
      tag_name: "v1.2.0",
      target_commitish: "main",
      name: null,
      body: null,
      draft: false,
      prerelease: false,
      assets: [asset(70, "evidence.tar.gz"), asset(71, "evidence.tar.gz.relctl-new")],
    });

    const { outputs } = await githubAction("release", { tag: "v1.2.0", assets: ["evidence.tar.gz"] }, api, {
      ctx: await inDir(),
    });

    expect(api.releases[0]!.assets.map((item) => item.name)).toEqual(["evidence.tar.gz"]);
    expect(api.releases[0]!.assets[0]!.size).toBe("new evidence bytes".length);
    expect((outputs.assets as { state: string }[])[0]!.state).toBe("replaced");
  });

  it("leaves an asset alone on a re-run when GitHub's digest shows the same content", async () => {
    writeFileSync(join(dir, "evidence.tar.gz"), "evidence");
    const input = { tag: "v1.2.0", notes: "notes", assets: ["evidence.tar.gz"] };
    await githubAction("release", input, api, { ctx: await inDir() });
    const before = api.requests.length;

    const { outputs } = await githubAction("release", input, api, { ctx: await inDir() });

    expect(api.calls().slice(before)).toEqual([
      "GET /repos/acme/api/releases/tags/v1.2.0",
      "PATCH /repos/acme/api/releases/1000",
      "GET /repos/acme/api/releases/1000/assets",
    ]);
    expect((outputs.assets as { state: string }[])[0]!.state).toBe("unchanged");
  });

  it("fails before any request when an asset file does not exist", async () => {
    const failure = await githubFailure("release", { tag: "v1.2.0", assets: ["missing.zip"] }, api, {
      ctx: await inDir(),
    });
    expect(failure.message).toBe(
      `the asset missing.zip does not exist (looked at ${join(dir, "missing.zip")})`,
    );
    expect(api.requests).toHaveLength(0);
  });

  it("fails naming the versions the changelog has when the section is missing", async () => {
    const failure = await githubFailure(
      "release",
      { tag: "v9.0.0", notes_file: "CHANGELOG.md", notes_version: "9.0.0" },
      api,
      { ctx: await inDir() },
    );
    expect(failure.message).toBe("CHANGELOG.md has no section for 9.0.0");
    expect(failure.hint).toBe("it has: 1.2.0, 1.1.0");
  });

  it("talks to GitHub Enterprise Server under its /api/v3 base URL and uploads under /api/uploads", async () => {
    writeFileSync(join(dir, "evidence.json"), "{}");
    await githubAction(
      "release",
      { tag: "v1.2.0", base_url: `${api.url}/api/v3/`, assets: ["evidence.json"] },
      api,
      { ctx: await inDir() },
    );
    expect(api.calls()).toEqual([
      "GET /api/v3/repos/acme/api/releases/tags/v1.2.0",
      "GET /api/v3/repos/acme/api/releases",
      "POST /api/v3/repos/acme/api/releases",
      "GET /api/v3/repos/acme/api/releases/1000/assets",
      "POST /api/uploads/repos/acme/api/releases/1000/assets",
    ]);
  });

  it("plans the request with its method and the API URL", () => {
    const action = github.actions.release!;
    const plan = action.plan(
      action.input.parse({
        repository: "acme/api",
        base_url: "https://ghe.example.com/api/v3",
        tag: "v1.2.0",
        assets: ["evidence.tar.gz"],
      }),
    );
    expect(plan.request).toEqual({
      method: "POST",
      url: "https://ghe.example.com/api/v3/repos/acme/api/releases",
    });
    expect(plan.summary).toBe("create or update the GitHub release v1.2.0 in acme/api with 1 asset");
  });

  it("rejects notes and notes_file together before anything runs", () => {
    const result = github.actions.release!.input.safeParse({
      repository: "acme/api",
      tag: "v1.2.0",
      notes: "x",
      notes_file: "CHANGELOG.md",
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ["notes_file"],
      message: "give notes or notes_file, not both",
    });
  });
});

describe("the GitHub client", () => {
  const secondaryLimit = (status: number, retryAfter: string) => ({
    status,
    headers: { "retry-after": retryAfter, "x-ratelimit-remaining": "4000" },
    body: {
      message:
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
      documentation_url:
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      status: String(status),
    },
  });

  it("waits out a secondary rate limit for the retry-after seconds and then succeeds", async () => {
    // Real seconds here: retry-after: 1 must mean one second.
    const patient = createGitHubExecutor({ pace: false });
    api.failNext("POST", /\/releases$/, secondaryLimit(403, "1"));
    const started = Date.now();

    const { outputs, ctx } = await githubAction("release", { tag: "v1.2.0" }, api, { executor: patient });

    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(api.calls().filter((call) => call === "POST /repos/acme/api/releases")).toHaveLength(2);
    expect(outputs.created).toBe(true);
    expect(ctx.logs).toContainEqual({
      level: "warn",
      message:
        "GitHub's secondary rate limit hit on POST /repos/{owner}/{repo}/releases; retrying in 1s (retry 1 of 2)",
    });
  });

  it("retries a 429 secondary rate limit as well", async () => {
    api.failNext("POST", /\/releases$/, secondaryLimit(429, "1"));
    const { outputs } = await githubAction("release", { tag: "v1.2.0" }, api);
    expect(api.calls().filter((call) => call === "POST /repos/acme/api/releases")).toHaveLength(2);
    expect(outputs.created).toBe(true);
  });

  it("fails when a rate limit asks to wait longer than relctl waits", async () => {
    api.failNext("POST", /\/releases$/, secondaryLimit(403, "3600"));
    const failure = await githubFailure("release", { tag: "v1.2.0" }, api);
    expect(api.calls().filter((call) => call === "POST /repos/acme/api/releases")).toHaveLength(1);
    expect(failure.message).toMatch(
      /^github\.release v1\.2\.0: GitHub answered 403 to POST http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/api\/releases: You have exceeded a secondary rate limit/,
    );
    expect(failure.hint).toBe(
      "GitHub rate-limited the token for longer than relctl waits; re-run the step later",
    );
  });

  it("retries a server error and then succeeds", async () => {
    api.failNext("GET", /\/releases\/tags\//, { status: 502, body: { message: "Server Error" } });
    const { outputs } = await githubAction("release", { tag: "v1.2.0" }, api);
    expect(api.calls().slice(0, 2)).toEqual([
      "GET /repos/acme/api/releases/tags/v1.2.0",
      "GET /repos/acme/api/releases/tags/v1.2.0",
    ]);
    expect(outputs.created).toBe(true);
  });

  it("names the permission the token lacks when GitHub refuses, and never the token", async () => {
    api.failNext("POST", /\/releases$/, {
      status: 403,
      body: {
        message: "Resource not accessible by integration",
        documentation_url: "https://docs.github.com/rest",
      },
    });
    const failure = await githubFailure("release", { tag: "v1.2.0" }, api);
    expect(failure.message).toContain("GitHub answered 403 to POST");
    expect(failure.message).toContain("Resource not accessible by integration");
    expect(failure.hint).toBe(
      "the token in secret github_token lacks a permission this needs (contents: write)",
    );
    expect(JSON.stringify({ message: failure.message, hint: failure.hint })).not.toContain(TOKEN);
  });

  it("says which secret is missing when the token is not set", async () => {
    const ctx = await githubContext({ secrets: { get: () => undefined } });
    const failure = await githubFailure("release", { tag: "v1.2.0" }, api, { ctx });
    expect(failure.message).toBe("the secret github_token (the GitHub token) is not set or is empty");
    expect(api.requests).toHaveLength(0);
  });

  it("stops when the step is cancelled", async () => {
    const ctx = await githubContext();
    ctx.abort(new Error("interrupted"));
    await expect(githubAction("release", { tag: "v1.2.0" }, api, { ctx })).rejects.toThrow();
    expect(api.requests).toHaveLength(0);
  });
});
