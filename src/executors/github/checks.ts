// github.checks: require the check runs and workflow runs of the commit being released to be
// green, and name every one that is not. Read-only, so it also runs in plans and dry-runs. Zero
// checks found is a failure, never a pass. Under GitHub Actions the workflow run relctl itself
// runs in is still going: it is left out, and so are its unfinished jobs.
import { z } from "zod";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import {
  apiUrl,
  connectionFields,
  guardedGitHub,
  openGitHub,
  repoPath,
  type GitHubTuning,
} from "./client.js";

const PERMISSION = "checks: read and actions: read";
const GREEN_CONCLUSIONS = ["success", "neutral", "skipped"] as const;

const input = z.object({
  ...connectionFields,
  sha: z
    .string()
    .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i, "must be a full commit SHA")
    .describe("the commit being released"),
  check_runs: z.boolean().default(true).describe("look at the commit's check runs"),
  workflow_runs: z
    .boolean()
    .default(true)
    .describe("look at the GitHub Actions workflow runs for the commit"),
  required: z
    .array(z.string().min(1))
    .default([])
    .describe("names that must be present and green; when given, other checks are not judged"),
  ignore: z.array(z.string().min(1)).default([]).describe("names not to judge"),
  green: z
    .array(z.enum(["success", "neutral", "skipped"]))
    .default([...GREEN_CONCLUSIONS])
    .describe("conclusions that count as green"),
});

type Input = z.output<typeof input>;

export interface CheckState {
  name: string;
  kind: "check run" | "workflow run";
  status: string;
  conclusion: string | null;
  url: string;
}

interface RunLike {
  id: number;
  name?: string | null;
  status: string | null;
  conclusion: string | null;
  html_url: string | null;
  details_url?: string | null;
  workflow_id?: number;
  created_at?: string;
}

/** A workflow re-run for the same commit supersedes the earlier run of that workflow. */
function latestPerWorkflow(runs: RunLike[]): RunLike[] {
  const latest = new Map<number | string, RunLike>();
  for (const run of runs) {
    const key = run.workflow_id ?? run.name ?? run.id;
    const seen = latest.get(key);
    const newer =
      !seen ||
      (run.created_at ?? "") > (seen.created_at ?? "") ||
      (run.created_at === seen.created_at && run.id > seen.id);
    if (newer) latest.set(key, run);
  }
  return [...latest.values()];
}

function ownRunFilter(ctx: ActionContext): (run: RunLike, kind: CheckState["kind"]) => boolean {
  const ownRunId = ctx.env.GITHUB_ACTIONS === "true" ? ctx.env.GITHUB_RUN_ID : undefined;
  if (!ownRunId) return () => false;
  const inOwnRun = new RegExp(`/actions/runs/${ownRunId}(?:/|$)`);
  return (run, kind) => {
    if (kind === "workflow run") return String(run.id) === ownRunId;
    const url = `${run.details_url ?? ""} ${run.html_url ?? ""}`;
    return inOwnRun.test(url) && run.status !== "completed";
  };
}

function describeState(state: CheckState): string {
  const symbol = state.status !== "completed" ? "…" : state.conclusion === null ? "?" : "✗";
  const what = state.status !== "completed" ? state.status : (state.conclusion ?? "no conclusion");
  return `  ${symbol} ${state.name} (${state.kind}): ${what}${state.url ? ` ${state.url}` : ""}`;
}

export function checksAction(tuning: GitHubTuning) {
  return defineAction({
    description:
      "Require the check runs and workflow runs of a commit to be green; lists the ones that are not",
    input,
    outputs: {
      sha: "the commit",
      checked: "how many checks were judged",
      checks: "every judged check: [{name, kind, status, conclusion, url}]",
    },
    mutates: false,
    dryRunSafe: true,
    plan: (value) => {
      const base = repoPath(value);
      const urls = [
        ...(value.check_runs ? [apiUrl(value, `${base}/commits/${value.sha}/check-runs`)] : []),
        ...(value.workflow_runs ? [apiUrl(value, `${base}/actions/runs?head_sha=${value.sha}`)] : []),
      ];
      return {
        summary: `check that ${value.required.length ? value.required.join(", ") : "every check"} is green for ${value.sha.slice(0, 7)} in ${value.repository}`,
        ...(urls[0] ? { request: { method: "GET", url: urls[0] } } : {}),
        details: { requests: urls.map((url) => `GET ${url}`) },
      };
    },
    run: (ctx, value) =>
      guardedGitHub(`github.checks ${value.sha.slice(0, 7)}`, value, PERMISSION, async () => {
        if (!value.check_runs && !value.workflow_runs) {
          throw new StepFailure("github.checks has nothing to look at", {
            hint: "set check_runs: true or workflow_runs: true",
          });
        }
        const { octokit, owner, repo } = openGitHub(ctx, value, tuning);
        const isOwn = ownRunFilter(ctx);
        const found: CheckState[] = [];
        if (value.check_runs) {
          const runs = (await octokit.paginate(octokit.rest.checks.listForRef, {
            owner,
            repo,
            ref: value.sha,
            filter: "latest",
            per_page: 100,
          })) as RunLike[];
          for (const run of runs) {
            if (isOwn(run, "check run")) continue;
            found.push(stateOf(run, "check run"));
          }
        }
        if (value.workflow_runs) {
          const runs = (await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, {
            owner,
            repo,
            head_sha: value.sha,
            per_page: 100,
          })) as RunLike[];
          for (const run of latestPerWorkflow(runs)) {
            if (isOwn(run, "workflow run")) continue;
            found.push(stateOf(run, "workflow run"));
          }
        }
        return judge(value, found);
      }),
  });
}

function stateOf(run: RunLike, kind: CheckState["kind"]): CheckState {
  return {
    name: run.name ?? String(run.id),
    kind,
    status: run.status ?? "unknown",
    conclusion: run.conclusion,
    url: run.html_url ?? "",
  };
}

function judge(value: Input, found: CheckState[]) {
  const ignored = new Set(value.ignore);
  const considered = found.filter(
    (state) =>
      !ignored.has(state.name) && (value.required.length === 0 || value.required.includes(state.name)),
  );
  const missing = value.required.filter((name) => !found.some((state) => state.name === name));
  const green = new Set<string>(value.green);
  const notGreen = considered.filter(
    (state) => state.status !== "completed" || state.conclusion === null || !green.has(state.conclusion),
  );
  const short = value.sha.slice(0, 7);
  if (considered.length === 0 && missing.length === 0) {
    throw new StepFailure(`no check runs or workflow runs to judge for ${short} in ${value.repository}`, {
      hint: "push the commit and let CI run first; check sha and repository; an ignore: list may leave nothing",
    });
  }
  if (notGreen.length || missing.length) {
    const total = considered.length + missing.length;
    const lines = [
      ...notGreen.map(describeState),
      ...missing.map((name) => `  ? ${name}: required, but no check run or workflow run has that name`),
    ];
    const pending = notGreen.some((state) => state.status !== "completed");
    throw new StepFailure(
      `${notGreen.length + missing.length} of ${total} check${total === 1 ? "" : "s"} for ${short} ${notGreen.length + missing.length === 1 ? "is" : "are"} not green:\n${lines.join("\n")}`,
      {
        hint: pending
          ? "some are still running: give the step a retry: (attempts and backoff) to wait for them"
          : "fix or re-run the failed ones; list only what must pass under required:",
        outputs: { sha: value.sha, checked: considered.length, checks: considered },
      },
    );
  }
  return { sha: value.sha, checked: considered.length, checks: considered };
}
