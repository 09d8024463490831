// github.deployment and github.deployment_status: record in GitHub where a ref is being
// deployed and how it went, so the repository's Environments page shows the release's progress.
// The deployment's payload carries the step's marker (`relctl: run/stage/step`), so a create
// GitHub answered with a 5xx (or not at all) is looked up by ref, environment and marker before
// it is sent again.
import { z } from "zod";
import { definedOnly } from "../../util/objects.js";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import {
  apiUrl,
  connectionFields,
  gitHubFailure,
  guardedGitHub,
  openGitHub,
  repoPath,
  statusOf,
  type GitHubClient,
  type GitHubTuning,
} from "./client.js";

const PERMISSION = "deployments: write";

const deploymentInput = z.object({
  ...connectionFields,
  ref: z.string().min(1).describe("the tag, branch or commit SHA being deployed"),
  environment: z.string().min(1).describe("the environment name (production, staging, …)"),
  task: z.string().min(1).default("deploy").describe("the deployment's task (default deploy)"),
  description: z.string().max(140).optional().describe("a short description, at most 140 characters"),
  payload: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("extra data kept with the deployment (relctl adds its marker under the key relctl)"),
  auto_merge: z
    .boolean()
    .default(false)
    .describe(
      "let GitHub merge the default branch into ref first (GitHub's default is true; relctl's is false)",
    ),
  required_contexts: z
    .array(z.string().min(1))
    .optional()
    .describe("status checks that must pass first (default: all of them; [] skips the check)"),
  production_environment: z
    .boolean()
    .optional()
    .describe("whether the environment is a production one (GitHub's default: true for production)"),
  transient_environment: z
    .boolean()
    .optional()
    .describe("whether the environment goes away when the deployment is done (a review app)"),
});

export function deploymentAction(tuning: GitHubTuning) {
  return defineAction({
    description: "Create a GitHub deployment of a ref to an environment",
    input: deploymentInput,
    outputs: {
      id: "the deployment's id (for github.deployment_status)",
      url: "the deployment's API URL",
      sha: "the commit deployed",
      environment: "the environment",
    },
    mutates: true,
    plan: (value) => ({
      summary: `create a GitHub deployment of ${value.ref} to ${value.environment} in ${value.repository}`,
      request: { method: "POST", url: apiUrl(value, `${repoPath(value)}/deployments`) },
      details: { task: value.task, auto_merge: value.auto_merge },
    }),
    run: (ctx, value) =>
      guardedGitHub(`github.deployment ${value.ref} to ${value.environment}`, value, PERMISSION, async () => {
        const { octokit, owner, repo, budget } = openGitHub(ctx, value, tuning);
        const marker = deploymentMarker(ctx);
        // A retried or resumed step goes on with the deployment it created before.
        const earlier = await findDeployment(octokit, { owner, repo, ...value }, marker);
        if (earlier?.id !== undefined) {
          ctx.log.info(`deployment ${earlier.id} of ${value.ref} was already created by this step`);
          return {
            id: earlier.id,
            url: earlier.url ?? "",
            sha: earlier.sha ?? "",
            environment: value.environment,
          };
        }
        let response;
        try {
          response = await createOnce(ctx, budget, {
            what: `the deployment of ${value.ref} to ${value.environment}`,
            retryUnitMs: tuning.retryUnitMs,
            create: async () =>
              (
                await octokit.rest.repos.createDeployment({
                  owner,
                  repo,
                  ref: value.ref,
                  environment: value.environment,
                  task: value.task,
                  auto_merge: value.auto_merge,
                  payload: { ...value.payload, relctl: marker },
                  ...definedOnly({
                    description: value.description,
                    required_contexts: value.required_contexts,
                    production_environment: value.production_environment,
                    transient_environment: value.transient_environment,
                  }),
                  request: NO_RETRY,
                })
              ).data as DeploymentAnswer,
            find: () => findDeployment(octokit, { owner, repo, ...value }, marker),
          });
        } catch (error) {
          if (statusOf(error) !== 409) throw error;
          const failure = gitHubFailure(
            error,
            `github.deployment ${value.ref}`,
            value,
            PERMISSION,
          ) as StepFailure;
          throw new StepFailure(failure.message, {
            hint: "a required status check of the ref is not green, or auto_merge hit a conflict: wait for CI, or name the checks that matter in required_contexts",
            cause: error,
          });
        }
        const data = response.value;
        if (data.id === undefined) {
          // 202: GitHub merged the default branch into the ref instead of deploying it.
          throw new StepFailure(
            `GitHub did not create the deployment: ${data.message ?? "no deployment returned"}`,
            {
              hint: "run the step again once the merge is in, or set auto_merge: false",
            },
          );
        }
        ctx.log.info(`created deployment ${data.id} of ${value.ref} to ${value.environment}`);
        return { id: data.id, url: data.url ?? "", sha: data.sha ?? "", environment: value.environment };
      }),
  });
}

/** A deployment, or GitHub's 202 "merged the default branch instead" (no id). */
type DeploymentAnswer = { id?: number; url?: string; sha?: string; message?: string };

const deploymentMarker = (ctx: Pick<ActionContext, "run" | "step">) =>
  `${ctx.run.id}/${ctx.step.stage}/${ctx.step.id}`;

/** How many deployments of the ref to the environment are searched for the one this step made. */
const SEARCHED = 100;

/** The deployment this step created on an earlier attempt whose answer was lost, if any. */
async function findDeployment(
  octokit: GitHubClient,
  where: { owner: string; repo: string; ref: string; environment: string; task: string },
  marker: string,
) {
  // Newest first: the one this step made is among the latest.
  const { data } = await octokit.rest.repos.listDeployments({
    owner: where.owner,
    repo: where.repo,
    ref: where.ref,
    environment: where.environment,
    task: where.task,
    per_page: SEARCHED,
  });
  const found = data.find(
    (deployment) =>
      typeof deployment.payload === "object" &&
      (deployment.payload as Record<string, unknown> | null)?.relctl === marker,
  );
  return found as DeploymentAnswer | undefined;
}

const STATES = ["in_progress", "success", "failure", "inactive", "error", "queued", "pending"] as const;

const statusInput = z.object({
  ...connectionFields,
  deployment_id: z
    .union([z.number().int().positive(), z.string().regex(/^\d+$/, "must be a deployment id")])
    .describe("the id from github.deployment (${{ steps.<id>.outputs.id }})"),
  state: z.enum(STATES).describe("the deployment's new state"),
  environment: z.string().min(1).optional().describe("change the deployment's environment"),
  description: z.string().max(140).optional().describe("a short description, at most 140 characters"),
  log_url: z.url().optional().describe("where the deployment's log is (the CI run)"),
  environment_url: z.url().optional().describe("where the deployed service answers"),
  auto_inactive: z
    .boolean()
    .optional()
    .describe("on success, mark earlier deployments to the environment inactive (GitHub's default: true)"),
});

export function deploymentStatusAction(tuning: GitHubTuning) {
  return defineAction({
    description:
      "Set a GitHub deployment's status: in_progress, success, failure, inactive (or error, queued, pending)",
    input: statusInput,
    outputs: { id: "the status's id", url: "the status's API URL", state: "the state set" },
    mutates: true,
    plan: (value) => ({
      summary: `mark GitHub deployment ${value.deployment_id} ${value.state} in ${value.repository}`,
      request: {
        method: "POST",
        url: apiUrl(value, `${repoPath(value)}/deployments/${value.deployment_id}/statuses`),
      },
    }),
    run: (ctx, value) =>
      guardedGitHub(`github.deployment_status ${value.state}`, value, PERMISSION, async () => {
        const { octokit, owner, repo } = openGitHub(ctx, value, tuning);
        const { data } = await octokit.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: Number(value.deployment_id),
          state: value.state,
          ...definedOnly({
            environment: value.environment,
            description: value.description,
            log_url: value.log_url,
            environment_url: value.environment_url,
            auto_inactive: value.auto_inactive,
          }),
        });
        ctx.log.info(`deployment ${value.deployment_id} is now ${value.state}`);
        return { id: data.id, url: data.url, state: data.state };
      }),
  });
}
