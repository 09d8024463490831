// Check runs and workflow runs of a commit in the fake GitHub, as the tests set them.
import { list, type Route } from "./http.js";

export interface CheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  html_url?: string;
  details_url?: string;
}

export interface WorkflowRun {
  id: number;
  name: string;
  workflow_id: number;
  status: string;
  conclusion: string | null;
  created_at: string;
  event?: string;
}

/** `checkRuns` and `workflowRuns` are keyed by commit SHA. */
export function checkRoutes(
  checkRuns: Map<string, CheckRun[]>,
  workflowRuns: Map<string, WorkflowRun[]>,
): Route {
  return ({ url, method, path }) => {
    let match: RegExpExecArray | null;
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/check-runs$/.exec(path)) && method === "GET") {
      const runs = checkRuns.get(match[2]!) ?? [];
      return list(url, runs, (shown) => ({ total_count: runs.length, check_runs: shown }));
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/actions\/runs$/.exec(path)) && method === "GET") {
      const runs = workflowRuns.get(url.searchParams.get("head_sha") ?? "") ?? [];
      const repo = match[1]!;
      return list(
        url,
        runs.map((run) => ({ ...run, html_url: `https://github.example/${repo}/actions/runs/${run.id}` })),
        (shown) => ({ total_count: runs.length, workflow_runs: shown }),
      );
    }
    return undefined;
  };
}
