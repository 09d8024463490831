// github steps seen from the CLI. A step that leaves token_secret out reads the default secret,
// github_token; the check before a run covers that default like a named secret: a declared,
// required github_token that is not set refuses the run with exit 2 before anything runs (no
// failed step, no rollback), and lint reports a default secret the playbook does not declare.
// A 404 the github executor expects (no release for a new tag yet) is no warning at all.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../executors/github/fake-github.js";
import { relctl, tempProject } from "../helpers/cli.js";

let api: FakeGitHub;
beforeEach(async () => {
  api = await startFakeGitHub();
});
afterEach(() => api.close());

const playbook = (secrets: string, baseUrl: string) => `apiVersion: relctl/v1
name: demo
${secrets}
stages:
  promote:
    on_failure: rollback
    steps:
      - id: first
        uses: exec.run
        with: { argv: [touch, first.txt] }
      - id: incident
        uses: github.incident
        with:
          repository: acme/api
          base_url: ${baseUrl}
          title: Rollback
          reason: test
  rollback:
    steps:
      - id: undo
        uses: exec.run
        with: { argv: [touch, rolled-back.txt] }
`;

describe("the default token_secret", () => {
  it("is checked before the run: an unset github_token refuses it with exit 2, nothing run", async () => {
    const dir = tempProject({
      "relctl.yaml": playbook("secrets:\n  github_token: env://RELCTL_TEST_UNSET_GITHUB_TOKEN", api.url),
    });

    const result = await relctl(["run", "promote", "--yes"], {
      cwd: dir,
      env: { RELCTL_TEST_UNSET_GITHUB_TOKEN: undefined },
    });

    expect(result.stderr).toContain("missing required secret: github_token");
    expect(result.exitCode).toBe(2);
    expect(existsSync(join(dir, "first.txt"))).toBe(false);
    expect(existsSync(join(dir, "rolled-back.txt"))).toBe(false);
    expect(api.requests).toEqual([]);
  });

  it("is read when it is set, though no step names it", async () => {
    const dir = tempProject({
      "relctl.yaml": playbook("secrets:\n  github_token: env://RELCTL_TEST_GITHUB_TOKEN", api.url),
    });

    const { TOKEN } = await import("../executors/github/fake-github.js");
    const result = await relctl(["run", "promote", "--yes"], {
      cwd: dir,
      env: { RELCTL_TEST_GITHUB_TOKEN: TOKEN },
    });

    expect(result.exitCode).toBe(0);
    expect(api.issues).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("is a lint error when the playbook does not declare it", async () => {
    const dir = tempProject({ "relctl.yaml": playbook("", api.url) });

    const result = await relctl(["lint"], { cwd: dir });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /relctl\.yaml:\d+:\d+ .*github\.incident reads the secret "github_token" \(the default of token_secret\), which the playbook does not declare/,
    );
    expect(readdirSync(dir)).toEqual(["relctl.yaml"]);
  });
});

describe("a 404 relctl expects", () => {
  it("is no warning, annotation or summary line: a release for a new tag is looked up first", async () => {
    const { TOKEN } = await import("../executors/github/fake-github.js");
    const dir = tempProject({
      "relctl.yaml": `apiVersion: relctl/v1
name: demo
secrets:
  github_token: env://RELCTL_TEST_GITHUB_TOKEN
stages:
  promote:
    steps:
      - id: release
        uses: github.release
        with: { repository: acme/api, base_url: ${api.url}, tag: v1.2.0, notes: hi }
`,
      "summary.md": "",
    });

    const result = await relctl(["run", "promote", "--yes"], {
      cwd: dir,
      env: {
        RELCTL_TEST_GITHUB_TOKEN: TOKEN,
        GITHUB_ACTIONS: "true",
        GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
      },
    });

    expect(result.exitCode).toBe(0);
    // The look-up did answer 404 before the create.
    expect(api.calls().slice(0, 1)).toEqual(["GET /repos/acme/api/releases/tags/v1.2.0"]);
    expect(api.releases).toHaveLength(1);
    const everything = `${result.stdout}\n${result.stderr}\n${readFileSync(join(dir, "summary.md"), "utf8")}`;
    expect(everything).not.toMatch(/404/);
    expect(everything).not.toContain("::warning");
  });
});

describe("a GitHub that accepts the connection and never answers", () => {
  it("fails the step after its retry budget, with the limit it hit, instead of holding the run", async () => {
    const { loopbackServer } = await import("../executors/loopback.js");
    const { TOKEN } = await import("../executors/github/fake-github.js");
    const silent = await loopbackServer(() => new Promise(() => undefined));
    try {
      const dir = tempProject({
        "relctl.yaml": `apiVersion: relctl/v1
name: demo
secrets:
  github_token: env://RELCTL_TEST_GITHUB_TOKEN
stages:
  rollback:
    steps:
      - id: incident
        uses: github.incident
        with:
          repository: acme/api
          base_url: ${silent.url}
          title: Rollback
          reason: test
          request_timeout: 300ms
          retry_budget: 1s
`,
      });

      const result = await relctl(["run", "rollback", "--yes"], {
        cwd: dir,
        env: { RELCTL_TEST_GITHUB_TOKEN: TOKEN },
      });

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        `github.incident: GitHub at ${silent.url} did not answer in time: no answer within 1.0s (retry_budget)`,
      );
      expect(result.stdout).toContain("raise request_timeout / retry_budget");
      expect(silent.requests.length).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  }, 60_000);
});
