import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, TOKEN, type FakeGitHub } from "./fake-github.js";
import { github, githubAction, githubFailure } from "./run-action.js";

let api: FakeGitHub;
beforeEach(async () => {
  api = await startFakeGitHub();
});
afterEach(() => api.close());

describe("github.deployment and github.deployment_status", () => {
  it("creates a deployment of the tag and moves it through in_progress to success", async () => {
    const { outputs: deployment } = await githubAction(
      "deployment",
      { ref: "v1.2.0", environment: "production", description: "api v1.2.0", production_environment: true },
      api,
    );
    const id = deployment.id as number;
    await githubAction("deployment_status", { deployment_id: id, state: "in_progress" }, api);
    const { outputs: status } = await githubAction(
      "deployment_status",
      {
        deployment_id: String(id),
        state: "success",
        environment_url: "https://api.example.com",
        log_url: "https://github.example/acme/api/actions/runs/1",
      },
      api,
    );

    expect(api.calls()).toEqual([
      // The step's own deployment from an earlier attempt, if any, is looked up first.
      "GET /repos/acme/api/deployments",
      "POST /repos/acme/api/deployments",
      `POST /repos/acme/api/deployments/${id}/statuses`,
      `POST /repos/acme/api/deployments/${id}/statuses`,
    ]);
    expect(api.requests[1]!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(api.requests[1]!.json()).toEqual({
      ref: "v1.2.0",
      environment: "production",
      task: "deploy",
      auto_merge: false,
      description: "api v1.2.0",
      production_environment: true,
      // The step's marker, by which a create whose answer was lost is found again.
      payload: { relctl: "test-run/test/test-step" },
    });
    expect(api.requests[2]!.json()).toEqual({ state: "in_progress" });
    expect(api.requests[3]!.json()).toEqual({
      state: "success",
      environment_url: "https://api.example.com",
      log_url: "https://github.example/acme/api/actions/runs/1",
    });
    expect(deployment).toEqual({
      id,
      url: `${api.url}/repos/acme/api/deployments/${id}`,
      sha: "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
      environment: "production",
    });
    expect(status).toMatchObject({ state: "success" });
  });

  it("goes on with the deployment a retried or resumed step created before, instead of a second", async () => {
    const input = { ref: "v1.2.0", environment: "production" };
    const { outputs: first } = await githubAction("deployment", input, api);

    const { outputs: again } = await githubAction("deployment", input, api);

    expect(api.deployments).toHaveLength(1);
    expect(again).toEqual(first);
  });

  it("explains a conflict when the ref's required checks are not green", async () => {
    api.failNext("POST", /\/deployments$/, {
      status: 409,
      body: {
        message: "Conflict: Commit status checks failed for v1.2.0.",
        errors: [
          {
            contexts: [{ context: "ci/test", state: "failure" }],
            resource: "Deployment",
            field: "required_contexts",
            code: "invalid",
          },
        ],
        documentation_url: "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
      },
    });

    const failure = await githubFailure("deployment", { ref: "v1.2.0", environment: "production" }, api);

    expect(failure.message).toMatch(
      /GitHub answered 409 to POST .*\/deployments: Conflict: Commit status checks failed for v1\.2\.0\./,
    );
    expect(failure.hint).toMatch(/required status check of the ref is not green/);
  });

  it("fails naming the repository when the deployment does not exist", async () => {
    const failure = await githubFailure("deployment_status", { deployment_id: 42, state: "failure" }, api);
    expect(failure.message).toMatch(/GitHub answered 404 to POST .*\/deployments\/42\/statuses: Not Found/);
    expect(failure.hint).toMatch(/^acme\/api does not exist at .* \(deployments: write\)$/);
  });

  it("rejects a state GitHub does not know before anything runs", () => {
    const result = github.actions.deployment_status!.input.safeParse({
      repository: "acme/api",
      deployment_id: 1,
      state: "done",
    });
    expect(result.success).toBe(false);
  });
});
