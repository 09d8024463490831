import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "./fake-github.js";
import { github, githubAction, githubContext } from "./run-action.js";

let api: FakeGitHub;
beforeEach(async () => {
  api = await startFakeGitHub();
});
afterEach(() => api.close());

const rollback = {
  title: "Rollback: api v1.2.0 in production",
  reason: "gate error-rate failed: 0.034 > 0.01 for 5m",
  version: "v1.2.0",
  previous_version: "v1.1.0",
  environment: "production",
  timeline: ["10:15 issue detected", { at: "10:16", event: "rollback initiated" }],
  assignees: ["@release-captain", "oncall-sre"],
};

describe("github.incident", () => {
  it("opens the issue with the runbook's labels, the assignees, and the reason and timeline in its body", async () => {
    const { outputs } = await githubAction("incident", rollback, api);

    expect(api.calls()).toEqual(["GET /repos/acme/api/issues", "POST /repos/acme/api/issues"]);
    expect(api.requests[0]!.query).toEqual({
      state: "open",
      labels: "incident,release,auto-rollback",
      per_page: "100",
    });
    const sent = api.requests[1]!.json() as Record<string, unknown>;
    expect(sent).toMatchObject({
      title: "Rollback: api v1.2.0 in production",
      labels: ["incident", "release", "auto-rollback"],
      assignees: ["release-captain", "oncall-sre"],
    });
    expect(sent.body).toBe(
      [
        "## ⏪ Automatic rollback",
        "",
        "**Reason**: gate error-rate failed: 0.034 > 0.01 for 5m",
        "",
        "**Version**: v1.2.0  ",
        "**Rolled back to**: v1.1.0  ",
        "**Environment**: production  ",
        "**Run**: test-run",
        "",
        "### Timeline",
        "",
        "- 10:15 issue detected",
        "- **10:16** — rollback initiated",
        "- **2026-11-22T10:00:00.000Z** — incident opened by relctl",
        "",
        "### Action items",
        "",
        "- [ ] Investigate root cause",
        "- [ ] Update this incident",
        "- [ ] Schedule the post-mortem",
        "",
        "<sub>Opened by relctl, run `test-run`, step `test/test-step`.</sub>",
        "<!-- relctl-incident: test-run/test/test-step -->",
        "",
      ].join("\n"),
    );
    expect(outputs).toEqual({
      number: 1,
      id: api.issues[0]!.id,
      url: "https://github.example/acme/api/issues/1",
      created: true,
    });
  });

  it("finds the issue it opened on an earlier attempt instead of opening a second", async () => {
    const ctx = await githubContext();
    await githubAction("incident", rollback, api, { ctx });

    const { outputs } = await githubAction("incident", rollback, api, { ctx });

    expect(api.calls().filter((call) => call.startsWith("POST"))).toHaveLength(1);
    expect(outputs).toMatchObject({ number: 1, created: false });
  });

  it("opens a new issue for another run even when one is open", async () => {
    await githubAction("incident", rollback, api);
    const ctx = await githubContext({ run: { id: "another-run", stateDir: "/tmp" } });

    const { outputs } = await githubAction("incident", rollback, api, { ctx });

    expect(outputs).toMatchObject({ number: 2, created: true });
  });

  it("fills a custom template and marks the fields it was not given", async () => {
    await githubAction(
      "incident",
      {
        title: "Rollback",
        reason: "probe failed",
        template: "{reason} in {environment} ({version})\n\n{timeline}",
      },
      api,
    );
    const body = (api.requests[1]!.json() as { body: string }).body;
    expect(body.split("\n").slice(0, 3)).toEqual([
      "probe failed in — (—)",
      "",
      "- **2026-11-22T10:00:00.000Z** — incident opened by relctl",
    ]);
  });

  it("plans a POST to the repository's issues", () => {
    const action = github.actions.incident!;
    const plan = action.plan(
      action.input.parse({ repository: "acme/api", title: "t", reason: "r", assignees: ["a"] }),
    );
    expect(plan.request).toEqual({ method: "POST", url: "https://api.github.com/repos/acme/api/issues" });
    expect(plan.details).toEqual({ labels: ["incident", "release", "auto-rollback"], reason: "r" });
  });
});
