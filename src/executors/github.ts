// The github executor: releases with their assets, incident issues, the checks of the commit
// being released, and deployments with their statuses, through @octokit/rest with the retry and
// throttling plugins. Token from a playbook secret; GitHub Enterprise Server through base_url.
// Actions, inputs and outputs: docs/executors/github.md.
import type { Executor } from "./contract.js";
import { checksAction } from "./github/checks.js";
import { DEFAULT_TUNING, type GitHubTuning } from "./github/client.js";
import { deploymentAction, deploymentStatusAction } from "./github/deployments.js";
import { incidentAction } from "./github/incident.js";
import { releaseAction } from "./github/release.js";

/** The executor with its waits tuned; the registry uses the defaults, tests shorten them. */
export function createGitHubExecutor(tuning: Partial<GitHubTuning> = {}): Executor {
  const settings: GitHubTuning = { ...DEFAULT_TUNING, ...tuning };
  return {
    name: "github",
    description: "GitHub releases and assets, incident issues, commit checks, deployments and their statuses",
    actions: {
      release: releaseAction(settings),
      incident: incidentAction(settings),
      checks: checksAction(settings),
      deployment: deploymentAction(settings),
      deployment_status: deploymentStatusAction(settings),
    },
  };
}

const github: Executor = createGitHubExecutor();

export default github;
