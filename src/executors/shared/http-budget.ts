// How long one HTTP request may wait for its answer, and how long a request and all its retries
// may take together. An endpoint that accepts the connection and never answers must fail the
// step after a bounded time, not hold it for the platform's default socket timeout per attempt.
// The github and notify actions take these as inputs (request_timeout, retry_budget); the OCI
// registry actions take request_timeout, http.probe its timeout and deadline, Prometheus
// query_timeout.
import { formatDuration } from "../../util/duration.js";
import { durationMs } from "./fields.js";

export interface HttpBudget {
  /** Milliseconds one request may wait for its whole answer (headers and body). */
  requestTimeoutMs: number;
  /** Milliseconds a request and its retries may take in all (at least one request timeout). */
  retryBudgetMs: number;
}

/** The input fields, with the defaults of the executor that uses them. */
export function httpBudgetFields(defaults: HttpBudget) {
  const timeout = formatDuration(defaults.requestTimeoutMs);
  const budget = formatDuration(defaults.retryBudgetMs);
  return {
    request_timeout: durationMs("request_timeout", { positive: true })
      .default(defaults.requestTimeoutMs)
      .describe(`how long one HTTP request may wait for its answer (default ${timeout})`),
    retry_budget: durationMs("retry_budget", { positive: true })
      .default(defaults.retryBudgetMs)
      .describe(
        `how long a request and its retries may take in all; no retry starts after it (default ${budget})`,
      ),
  };
}

export function httpBudget(input: { request_timeout: number; retry_budget: number }): HttpBudget {
  return {
    requestTimeoutMs: input.request_timeout,
    retryBudgetMs: Math.max(input.retry_budget, input.request_timeout),
  };
}

/** The reason a request stopped because it had no answer in time: names the input to change. */
export class RequestTimedOut extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly input: "request_timeout" | "retry_budget",
  ) {
    super(`no answer within ${formatDuration(timeoutMs)} (${input})`);
    // A spent budget must end the request for good: Octokit's retry plugin retries a failed
    // request, but rethrows an AbortError as it is. A request_timeout alone may be retried.
    this.name = input === "retry_budget" ? "AbortError" : "RequestTimedOut";
  }
}

/**
 * A fetch whose every request gives up after `timeoutMs` (the body included), with an error
 * that says so. The caller's own signal (Ctrl-C, the step's timeout) still aborts it as before.
 */
export function timedFetch(fetchImpl: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return async (url, init = {}) => {
    const timer = new AbortController();
    const timeout = setTimeout(
      () => timer.abort(new RequestTimedOut(timeoutMs, "request_timeout")),
      timeoutMs,
    );
    const signal = init.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal;
    try {
      const response = await fetchImpl(url, { ...init, signal });
      // Read the body under the same timer, so a server that sends headers and then stalls fails too.
      const body = await response.arrayBuffer();
      // A Response refuses a body (even an empty one) for the statuses that never have one.
      const bodyless = body.byteLength === 0 || [204, 205, 304].includes(response.status);
      const copy = new Response(bodyless ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      // Clients read where the answer came from (after redirects) to resolve links against it.
      Object.defineProperty(copy, "url", { value: response.url });
      return copy;
    } catch (error) {
      if (timer.signal.aborted && !init.signal?.aborted) throw timer.signal.reason as Error;
      throw error;
    } finally {
      clearTimeout(timeout);
    }
  };
}

/** "request_timeout 30s, retry_budget 2m" for messages. */
export function describeBudget(budget: HttpBudget): string {
  return `request_timeout ${formatDuration(budget.requestTimeoutMs)}, retry_budget ${formatDuration(budget.retryBudgetMs)}`;
}
