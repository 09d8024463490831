import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actionMutates, actionRunsInDryRun } from "../../../src/executors/contract.js";
import { startFakeGitHub, type CheckRun, type FakeGitHub } from "./fake-github.js";
import { github, githubAction, githubContext, githubFailure } from "./run-action.js";

const SHA = "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d";

let api: FakeGitHub;
beforeEach(async () => {
  api = await startFakeGitHub();
});
afterEach(() => api.close());

const green = (id: number, name: string): CheckRun => ({
  id,
  name,
  status: "completed",
  conclusion: "success",
});

function workflow(
  id: number,
  name: string,
  status: string,
  conclusion: string | null,
  createdAt = "2026-11-22T09:00:00Z",
) {
  return { id, name, workflow_id: id % 100, status, conclusion, created_at: createdAt };
}

describe("github.checks", () => {
  it("passes when every check run and workflow run is green, reading every page", async () => {
    api.checkRuns.set(
      SHA,
      Array.from({ length: 130 }, (_, index) => green(index + 1, `check-${index + 1}`)),
    );
    api.workflowRuns.set(SHA, [
      workflow(501, "CI", "completed", "success"),
      workflow(502, "Lint", "completed", "skipped"),
    ]);

    const { outputs } = await githubAction("checks", { sha: SHA }, api);

    expect(api.calls()).toEqual([
      `GET /repos/acme/api/commits/${SHA}/check-runs`,
      `GET /repos/acme/api/commits/${SHA}/check-runs`,
      "GET /repos/acme/api/actions/runs",
    ]);
    expect(api.requests[0]!.query).toEqual({ filter: "latest", per_page: "100" });
    expect(api.requests[1]!.query).toEqual({ filter: "latest", per_page: "100", page: "2" });
    expect(api.requests[2]!.query).toEqual({ head_sha: SHA, per_page: "100" });
    expect(outputs.checked).toBe(132);
  });

  it("fails listing the checks that failed and the ones still running", async () => {
    api.checkRuns.set(SHA, [
      green(1, "build"),
      {
        id: 2,
        name: "test",
        status: "completed",
        conclusion: "failure",
        html_url: "https://github.example/checks/2",
      },
      { id: 3, name: "e2e", status: "in_progress", conclusion: null },
    ]);
    api.workflowRuns.set(SHA, [workflow(601, "Release", "completed", "cancelled")]);

    const failure = await githubFailure("checks", { sha: SHA }, api);

    expect(failure.message).toBe(
      [
        "3 of 4 checks for a84d88e are not green:",
        "  ✗ test (check run): failure https://github.example/checks/2",
        "  … e2e (check run): in_progress",
        "  ✗ Release (workflow run): cancelled https://github.example/acme/api/actions/runs/601",
      ].join("\n"),
    );
    expect(failure.hint).toMatch(/still running: give the step a retry:/);
    expect((failure.outputs?.checks as unknown[]).length).toBe(4);
  });

  it("judges only the required checks and fails when one of them is missing", async () => {
    api.checkRuns.set(SHA, [
      green(1, "build"),
      { id: 2, name: "flaky", status: "completed", conclusion: "failure" },
    ]);

    const failure = await githubFailure(
      "checks",
      { sha: SHA, required: ["build", "security-scan"], workflow_runs: false },
      api,
    );

    expect(failure.message).toBe(
      [
        "1 of 2 checks for a84d88e is not green:",
        "  ? security-scan: required, but no check run or workflow run has that name",
      ].join("\n"),
    );
  });

  it("judges the latest run of each workflow when a workflow ran again for the commit", async () => {
    api.workflowRuns.set(SHA, [
      workflow(701, "CI", "completed", "failure", "2026-11-22T09:00:00Z"),
      workflow(801, "CI", "completed", "success", "2026-11-22T09:30:00Z"),
    ]);

    const { outputs } = await githubAction("checks", { sha: SHA, check_runs: false }, api);

    expect(outputs.checks).toEqual([
      {
        name: "CI",
        kind: "workflow run",
        status: "completed",
        conclusion: "success",
        url: "https://github.example/acme/api/actions/runs/801",
      },
    ]);
  });

  it("leaves out the workflow run relctl itself runs in, and that run's unfinished jobs", async () => {
    api.checkRuns.set(SHA, [
      green(1, "test"),
      {
        id: 2,
        name: "release",
        status: "in_progress",
        conclusion: null,
        details_url: "https://github.example/acme/api/actions/runs/901/job/77",
      },
    ]);
    api.workflowRuns.set(SHA, [workflow(901, "Release train", "in_progress", null)]);
    const ctx = await githubContext({ env: { GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "901" } });

    const { outputs } = await githubAction("checks", { sha: SHA }, api, { ctx });

    expect((outputs.checks as { name: string }[]).map((check) => check.name)).toEqual(["test"]);
  });

  it("fails when the commit has no checks at all rather than passing", async () => {
    const failure = await githubFailure("checks", { sha: SHA }, api);
    expect(failure.message).toBe("no check runs or workflow runs to judge for a84d88e in acme/api");
  });

  it("is read-only and runs during a dry-run", () => {
    const action = github.actions.checks!;
    const input = action.input.parse({ repository: "acme/api", sha: SHA });
    expect(actionMutates(action, input)).toBe(false);
    expect(actionRunsInDryRun(action, input)).toBe(true);
  });

  it("plans a GET of the commit's check runs and of its workflow runs", () => {
    const action = github.actions.checks!;
    const plan = action.plan(action.input.parse({ repository: "acme/api", sha: SHA }));
    expect(plan.request).toEqual({
      method: "GET",
      url: `https://api.github.com/repos/acme/api/commits/${SHA}/check-runs`,
    });
    expect(plan.details?.requests).toEqual([
      `GET https://api.github.com/repos/acme/api/commits/${SHA}/check-runs`,
      `GET https://api.github.com/repos/acme/api/actions/runs?head_sha=${SHA}`,
    ]);
  });

  it("rejects a short or symbolic ref before anything runs", () => {
    const result = github.actions.checks!.input.safeParse({ repository: "acme/api", sha: "main" });
    expect(result.error?.issues[0]?.message).toBe("must be a full commit SHA");
  });
});
