// Instant and range queries over the Prometheus HTTP API. A query never throws for a problem
// on the Prometheus side (refused connection, no answer in time, 4xx/5xx, garbage): it returns
// an error outcome that a gate turns into an "error" measurement. Only cancellation of the step
// itself (ctx.signal: Ctrl-C, the step's timeout) is thrown, so the engine can stop.
import type { ActionContext } from "../contract.js";
import { formatSpan } from "../../gates/format.js";
import { parsePrometheusResponse, type QueryOutcome } from "../../gates/prom-result.js";
import { resolveConnection, type Connection, type ConnectionInput } from "./connection.js";

export interface PrometheusClient {
  readonly baseUrl: string;
  instant(query: string, time: Date): Promise<QueryOutcome>;
  range(query: string, start: Date, end: Date, stepMs: number): Promise<QueryOutcome>;
}

/** A client for the step's connection inputs (address, credentials, CA, timeout). */
export function connect(ctx: ActionContext, input: ConnectionInput): PrometheusClient {
  return createClient(ctx, resolveConnection(ctx, input));
}

const seconds = (date: Date) => (date.getTime() / 1000).toFixed(3);

export function createClient(ctx: ActionContext, connection: Connection): PrometheusClient {
  // Prometheus aborts the query on its side at the same deadline (its `timeout` parameter).
  const serverTimeout = `${Math.max(1, Math.ceil(connection.timeoutMs / 1000))}s`;

  async function post(path: string, params: Record<string, string>): Promise<QueryOutcome> {
    const url = new URL(`${connection.baseUrl}${path}`);
    const timeout = AbortSignal.timeout(connection.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    try {
      const answer = await connection.transport({
        url,
        headers: { ...connection.headers, "content-type": "application/x-www-form-urlencoded" },
        // Thanos and Cortex-style queriers answer with what they have when a store fails, unless
        // asked not to: a gate must not judge half the data. Prometheus itself ignores it.
        body: new URLSearchParams({
          ...params,
          timeout: serverTimeout,
          partial_response: "false",
        }).toString(),
        signal,
      });
      return parsePrometheusResponse(answer.status, answer.text);
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (timeout.aborted) {
        return {
          ok: false,
          error: `no answer from ${connection.baseUrl} within ${formatSpan(connection.timeoutMs)} (query_timeout)`,
          warnings: [],
        };
      }
      return {
        ok: false,
        error: `cannot reach ${connection.baseUrl}: ${networkProblem(error)}`,
        warnings: [],
      };
    }
  }

  return {
    baseUrl: connection.baseUrl,
    instant: (query, time) => post("/api/v1/query", { query, time: seconds(time) }),
    range: (query, start, end, stepMs) =>
      post("/api/v1/query_range", {
        query,
        start: seconds(start),
        end: seconds(end),
        step: `${stepMs / 1000}`,
      }),
  };
}

/** fetch hides the useful part ("ECONNREFUSED 127.0.0.1:9090") in error.cause. */
function networkProblem(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? cause : error instanceof Error ? error : undefined;
  if (!detail) return String(error);
  const code = (detail as NodeJS.ErrnoException).code;
  return code && !detail.message.includes(code) ? `${code}: ${detail.message}` : detail.message;
}
