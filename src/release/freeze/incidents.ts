// Active-incident checks: "is something on fire right now?" A release into a protected
// environment waits while an incident is open. Sources are pluggable (IncidentCheck); two small
// ones ship here: any HTTP endpoint returning JSON, and a Prometheus query that is non-empty
// while there is an incident (e.g. firing P0/P1 alerts). Other executors may bring more.
//
// A check that cannot answer throws; the freeze decision treats that as blocking (fail closed):
// not knowing whether production is on fire is not a green light. `--break-glass` overrides.
import type { FreezeCalendar } from "./calendar.js";

export interface IncidentStatus {
  active: boolean;
  /** In words, for the refusal message and the break-glass record. */
  reason: string;
}

export interface IncidentCheck {
  /** Names the source in messages ("paging", "status-page"). */
  readonly name: string;
  /** Throws when the source cannot be reached or answers something unexpected. */
  check(signal?: AbortSignal): Promise<IncidentStatus>;
}

export class IncidentSourceError extends Error {
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.name = "IncidentSourceError";
  }
}

interface CommonOptions {
  name?: string;
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

/**
 * GET a URL that answers JSON; the value at `field` (dotted path, default `active`) says whether
 * an incident is open: true, a number above 0, or a non-empty array. Anything else (missing,
 * null, a string) is an error rather than a guess.
 */
export function httpJsonIncidentCheck(
  options: CommonOptions & { url: string; field?: string; reasonField?: string },
): IncidentCheck {
  const name = options.name ?? options.url;
  const field = options.field ?? "active";
  return {
    name,
    async check(signal) {
      const body = await getJson(name, options.url, options, signal);
      const value = dig(body, field);
      const active = truthiness(value);
      if (active === undefined) {
        throw new IncidentSourceError(
          name,
          `${field} is ${describe(value)}; expected true/false, a count or a list`,
        );
      }
      if (!active) return { active, reason: `${name}: no active incident` };
      const reason = options.reasonField ? dig(body, options.reasonField) : undefined;
      return {
        active,
        reason:
          typeof reason === "string" && reason !== ""
            ? `${name}: ${reason}`
            : `${name}: ${field} is ${describe(value)}`,
      };
    },
  };
}

/** Prometheus instant query (`/api/v1/query`); any series in the result means an incident. */
export function prometheusIncidentCheck(
  options: CommonOptions & { url: string; query: string },
): IncidentCheck {
  const name = options.name ?? "prometheus";
  return {
    name,
    async check(signal) {
      const url = new URL("api/v1/query", options.url.endsWith("/") ? options.url : `${options.url}/`);
      url.searchParams.set("query", options.query);
      const body = (await getJson(name, url.toString(), options, signal)) as {
        status?: string;
        error?: string;
        data?: { resultType?: string; result?: { metric?: Record<string, string> }[] };
      };
      if (body.status !== "success") {
        throw new IncidentSourceError(name, `query failed: ${body.error ?? `status ${String(body.status)}`}`);
      }
      const kind = body.data?.resultType;
      const series = body.data?.result;
      if ((kind !== "vector" && kind !== "matrix") || !Array.isArray(series)) {
        throw new IncidentSourceError(
          name,
          `expected a vector result from ${options.query}, got ${String(kind)}`,
        );
      }
      if (series.length === 0) return { active: false, reason: `${name}: ${options.query} is empty` };
      const shown = series.slice(0, 3).map((item) => labels(item.metric ?? {}));
      const more = series.length > 3 ? ` and ${series.length - 3} more` : "";
      return { active: true, reason: `${name}: ${series.length} series firing: ${shown.join("; ")}${more}` };
    },
  };
}

/**
 * The checks a calendar's `incidents:` section describes. A bearer token is read from the named
 * environment variable and handed to `onSecret` first, so the caller can register it with the
 * Redactor before any request (or error message) carries it.
 */
export function incidentChecksFromCalendar(
  calendar: FreezeCalendar,
  deps: {
    fetch?: typeof globalThis.fetch;
    env?: Readonly<Record<string, string | undefined>>;
    onSecret?: (value: string) => void;
  } = {},
): IncidentCheck[] {
  const env = deps.env ?? process.env;
  return calendar.incidents.map((source) => {
    const headers: Record<string, string> = {};
    if (source.bearerTokenEnv !== undefined) {
      const token = env[source.bearerTokenEnv];
      // Missing token: keep the check, it will fail (closed) with a clear message.
      if (token === undefined || token === "") return missingToken(source.name, source.bearerTokenEnv);
      deps.onSecret?.(token);
      headers.authorization = `Bearer ${token}`;
    }
    const common = {
      name: source.name,
      headers,
      timeoutMs: source.timeoutMs,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    };
    return "prometheus" in source
      ? prometheusIncidentCheck({ ...common, url: source.prometheus, query: source.query })
      : httpJsonIncidentCheck({
          ...common,
          url: source.url,
          field: source.field,
          ...(source.reasonField ? { reasonField: source.reasonField } : {}),
        });
  });
}

function missingToken(name: string, variable: string): IncidentCheck {
  return {
    name,
    check: () =>
      Promise.reject(
        new IncidentSourceError(name, `environment variable ${variable} (its bearer token) is not set`),
      ),
  };
}

async function getJson(
  name: string,
  url: string,
  options: CommonOptions,
  signal?: AbortSignal,
): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { accept: "application/json", ...options.headers },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    const reason = timeout.aborted
      ? `no answer within ${options.timeoutMs ?? 10_000}ms`
      : (error as Error).message;
    throw new IncidentSourceError(name, `cannot reach ${safeUrl(url)}: ${reason}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    // Prometheus answers 400/422 with a JSON error body worth showing.
    let detail = "";
    try {
      detail = `: ${String((JSON.parse(text) as { error?: unknown }).error ?? "")}`;
    } catch {
      detail = "";
    }
    throw new IncidentSourceError(name, `${safeUrl(url)} answered HTTP ${response.status}${detail}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new IncidentSourceError(name, `${safeUrl(url)} did not answer JSON`);
  }
}

/** The URL without its query and credentials: a query string may carry a token. */
function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

function dig(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function truthiness(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value > 0;
  if (Array.isArray(value)) return value.length > 0;
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return value === undefined ? "missing" : JSON.stringify(value);
}

function labels(metric: Record<string, string>): string {
  const entries = Object.entries(metric);
  return entries.length === 0 ? "{}" : entries.map(([key, value]) => `${key}=${value}`).join(" ");
}
