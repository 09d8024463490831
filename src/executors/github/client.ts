// The Octokit client every github action uses, and the inputs they share. One client per step
// attempt: the token comes from a playbook secret, requests go through ctx.fetch and stop with
// ctx.signal, server errors are retried (plugin-retry) and rate limits are waited out within a
// bound (plugin-throttling). Every request gives up after request_timeout, and a request with
// its retries after retry_budget. Creates are not retried here: see create-once.ts. GitHub
// Enterprise Server is the same API under another base URL.
import { retry } from "@octokit/plugin-retry";
import { throttling, type ThrottlingOptions } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { z } from "zod";
import { relctlVersion } from "../../util/package-version.js";
import { StepFailure, type ActionContext } from "../contract.js";
import {
  describeBudget,
  httpBudget,
  httpBudgetFields,
  RequestTimedOut,
  timedFetch,
  type HttpBudget,
} from "../shared/http-budget.js";

const GitHub = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof GitHub>;

/** The REST API version relctl is written against (GHES 3.9 and later know it). */
export const API_VERSION = "2022-11-28";

/** How patient the client is. The defaults are for real use; tests shorten the waits. */
export interface GitHubTuning {
  /** Space writes one second apart (three for ones that notify people), as GitHub asks clients to. */
  pace: boolean;
  /** Server errors are retried 3 times after 1, 4 and 9 units of this many milliseconds. */
  retryUnitMs: number;
  /** Milliseconds per second of a rate limit's retry-after. */
  rateLimitUnitMs: number;
  /** A rate limit asking for a longer wait than this (seconds) fails the step instead. */
  maxRateLimitWaitSeconds: number;
  /** A rate-limited request is retried at most this often. */
  maxRateLimitRetries: number;
}

export const DEFAULT_TUNING: GitHubTuning = {
  pace: true,
  retryUnitMs: 1000,
  rateLimitUnitMs: 1000,
  maxRateLimitWaitSeconds: 60,
  maxRateLimitRetries: 2,
};

/** One request waits 30s for its answer; a request and its retries stop after 2m. */
export const DEFAULT_BUDGET: HttpBudget = { requestTimeoutMs: 30_000, retryBudgetMs: 120_000 };

export const connectionFields = {
  repository: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be owner/name, like acme/api")
    .describe("the repository, owner/name"),
  token_secret: z
    .string()
    .min(1)
    .default("github_token")
    .describe("name of the playbook secret that holds the token (default github_token)"),
  base_url: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .default("https://api.github.com")
    .describe("REST API base URL; GitHub Enterprise Server: https://HOST/api/v3"),
  ...httpBudgetFields(DEFAULT_BUDGET),
};

export interface Connection {
  repository: string;
  token_secret: string;
  base_url: string;
  request_timeout: number;
  retry_budget: number;
}

/** The full URL of an API path, for plans and messages. */
export function apiUrl(connection: Pick<Connection, "base_url">, path: string): string {
  return `${connection.base_url.replace(/\/+$/, "")}${path}`;
}

export function repoPath(connection: Pick<Connection, "repository">): string {
  return `/repos/${connection.repository}`;
}

export interface OpenedRepository {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  budget: HttpBudget;
  /** Request options for one request that may take `extraMs` longer (an asset upload). */
  slower(extraMs: number): { fetch: typeof globalThis.fetch; relctlBudgetMs: number };
}

/** An upload is given one more second per MiB it sends (1 MiB/s is a slow CI uplink). */
export function uploadAllowanceMs(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024)) * 1000;
}

/** Passes a job straight through: stands in for plugin-throttling's pacing groups when pace is off. */
const unpaced = {
  key: () => ({
    schedule: (_options: unknown, task: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve(task(...args)),
  }),
} as unknown as NonNullable<ThrottlingOptions["write"]>;

export function openGitHub(
  ctx: ActionContext,
  connection: Connection,
  tuning: GitHubTuning,
): OpenedRepository {
  const token = ctx.secrets.get(connection.token_secret);
  if (!token) {
    throw new StepFailure(`the secret ${connection.token_secret} (the GitHub token) is not set or is empty`, {
      hint: `declare it under secrets: (${connection.token_secret}: env://GITHUB_TOKEN) and set it; in GitHub Actions pass \${{ secrets.GITHUB_TOKEN }} or a token with the permissions this action needs`,
    });
  }
  const [owner, repo] = connection.repository.split("/") as [string, string];
  const budget = httpBudget(connection);
  const limitHandler =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const what = `${options.method ?? ""} ${options.url ?? ""}`.trim();
      if (ctx.signal.aborted) return false;
      const deadline = (options as { request?: { relctlDeadline?: number } }).request?.relctlDeadline;
      if (deadline !== undefined && Date.now() + retryAfter * tuning.rateLimitUnitMs >= deadline) {
        ctx.log.warn(
          `GitHub's ${kind} rate limit on ${what} asks to wait ${retryAfter}s, past the request's retry_budget`,
        );
        return false;
      }
      if (retryAfter > tuning.maxRateLimitWaitSeconds) {
        ctx.log.warn(
          `GitHub's ${kind} rate limit on ${what} asks to wait ${retryAfter}s, longer than relctl waits (${tuning.maxRateLimitWaitSeconds}s)`,
        );
        return false;
      }
      if (retryCount >= tuning.maxRateLimitRetries) {
        ctx.log.warn(`GitHub's ${kind} rate limit on ${what} still applies after ${retryCount} retries`);
        return false;
      }
      ctx.log.warn(
        `GitHub's ${kind} rate limit hit on ${what}; retrying in ${retryAfter}s (retry ${retryCount + 1} of ${tuning.maxRateLimitRetries})`,
      );
      return true;
    };
  const octokit = new GitHub({
    auth: token,
    baseUrl: connection.base_url.replace(/\/+$/, ""),
    userAgent: `relctl/${relctlVersion()}`,
    request: { fetch: timedFetch(ctx.fetch, budget.requestTimeoutMs), signal: ctx.signal },
    log: {
      // Octokit's debug lines are bare ("request"); its info lines name each request and its answer.
      debug: () => undefined,
      info: (message: string) => ctx.log.debug(message),
      warn: (message: string) => ctx.log.warn(message),
      // A 4xx is either expected (a 404 while looking a release up) and handled, or it fails the
      // step with GitHub's words; only a server error or a lost connection (retried) is news.
      error: (message: string) =>
        / - 4\d\d with id /.test(message) ? ctx.log.debug(message) : ctx.log.warn(message),
    },
    // Rate limits (403/429) belong to the throttling plugin alone; this one retries 5xx and
    // connection failures.
    retry: {
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
      retries: 3,
      retryAfterBaseValue: tuning.retryUnitMs,
    },
    throttle: {
      id: "relctl",
      fallbackSecondaryRateRetryAfter: 60,
      retryAfterBaseValue: tuning.rateLimitUnitMs,
      onSecondaryRateLimit: limitHandler("secondary"),
      onRateLimit: limitHandler("primary"),
      ...(tuning.pace ? {} : { write: unpaced, notifications: unpaced }),
    },
  });
  octokit.hook.before("request", (options) => {
    options.headers["x-github-api-version"] = API_VERSION;
  });
  // Registered last, so it wraps the retry and throttling plugins: one budget for a request and
  // all its retries. Its abort is an AbortError, which neither plugin retries.
  octokit.hook.wrap("request", async (request, options) => {
    const stop = new AbortController();
    const own = options.request as { signal?: AbortSignal; relctlDeadline?: number; relctlBudgetMs?: number };
    const allowed = own.relctlBudgetMs ?? budget.retryBudgetMs;
    own.signal = AbortSignal.any([own.signal ?? ctx.signal, stop.signal]);
    own.relctlDeadline = Date.now() + allowed;
    const timer = setTimeout(() => stop.abort(new RequestTimedOut(allowed, "retry_budget")), allowed);
    try {
      return await request(options);
    } finally {
      clearTimeout(timer);
    }
  });
  const slower = (extraMs: number) => ({
    fetch: timedFetch(ctx.fetch, budget.requestTimeoutMs + extraMs),
    relctlBudgetMs: budget.retryBudgetMs + extraMs,
  });
  return { octokit, owner, repo, budget, slower };
}

interface HttpErrorLike {
  status: number;
  message: string;
  request: { method?: string; url?: string };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

export function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { name?: unknown }).name === "HttpError" &&
    typeof (error as { status?: unknown }).status === "number"
  );
}

export function statusOf(error: unknown): number | undefined {
  return isHttpError(error) ? error.status : undefined;
}

/** GitHub's own words for a failed request: message plus validation errors. */
function gitHubMessage(data: unknown): string {
  if (typeof data === "string") return data.trim().slice(0, 300);
  if (typeof data !== "object" || data === null) return "";
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const parts = typeof message === "string" ? [message] : [];
  if (Array.isArray(errors)) {
    const details = errors.map((item) => {
      if (typeof item === "string") return item;
      const { code, field, message: text, resource } = (item ?? {}) as Record<string, unknown>;
      if (typeof text === "string") return text;
      return [resource, field, code].filter((part) => typeof part === "string").join(" ");
    });
    if (details.length) parts.push(`(${details.join("; ")})`);
  }
  return parts.join(" ");
}

/**
 * Turns whatever a request threw into a StepFailure that says what was asked, what GitHub
 * answered and what to do. `permission` names what the token needs for this action.
 */
export function gitHubFailure(
  error: unknown,
  what: string,
  connection: Connection,
  permission: string,
): unknown {
  if (error instanceof StepFailure) return error;
  if (error instanceof RequestTimedOut) {
    // The retry budget ran out (a request_timeout alone is retried, and arrives as an HttpError).
    return new StepFailure(
      `${what}: GitHub at ${connection.base_url} did not answer in time: ${error.message}`,
      {
        hint: `GitHub or a proxy accepts connections but does not answer; re-run later, or raise request_timeout / retry_budget (now ${describeBudget(httpBudget(connection))})`,
        cause: error,
      },
    );
  }
  if (!isHttpError(error)) return error;
  if (!error.response) {
    // No answer at all: a connection failure the retry plugin already retried.
    return new StepFailure(`${what}: could not reach GitHub at ${connection.base_url}: ${error.message}`, {
      hint: /\(request_timeout\)/.test(error.message)
        ? `GitHub or a proxy accepts connections but does not answer; re-run later, or raise request_timeout (now ${describeBudget(httpBudget(connection))})`
        : "check base_url, the network and any proxy between relctl and GitHub",
      cause: error,
    });
  }
  const said = gitHubMessage(error.response.data);
  const method = error.request.method ?? "";
  const url = (error.request.url ?? "").split("?")[0];
  const message = `${what}: GitHub answered ${error.status} to ${method} ${url}${said ? `: ${said}` : ""}`;
  return new StepFailure(message, { hint: hintFor(error, connection, permission), cause: error });
}

function hintFor(error: HttpErrorLike, connection: Connection, permission: string): string | undefined {
  const rateLimited =
    /rate limit/i.test(error.message) || error.response?.headers?.["x-ratelimit-remaining"] === "0";
  switch (error.status) {
    case 401:
      return `the token in secret ${connection.token_secret} is invalid, expired or revoked`;
    case 403:
    case 429:
      return rateLimited
        ? "GitHub rate-limited the token for longer than relctl waits; re-run the step later"
        : `the token in secret ${connection.token_secret} lacks a permission this needs (${permission})`;
    case 404:
      return `${connection.repository} does not exist at ${connection.base_url}, or the token in secret ${connection.token_secret} cannot see it (${permission})`;
    case 422:
      return "GitHub rejected the request as invalid: check the inputs named above";
    default:
      return error.status >= 500 ? "GitHub kept failing after retries; re-run the step later" : undefined;
  }
}

/** Runs a body so that every request failure leaves as a StepFailure. */
export async function guardedGitHub<T>(
  what: string,
  connection: Connection,
  permission: string,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw gitHubFailure(error, what, connection, permission);
  }
}
