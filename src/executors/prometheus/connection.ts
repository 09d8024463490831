// Where Prometheus is and how to talk to it: the address (input or RELCTL_PROMETHEUS_URL),
// credentials named as secrets (never written in the playbook), extra headers (tenancy headers
// of Mimir, Thanos or Cortex), a custom CA and a timeout per query.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { StepFailure, type ActionContext } from "../contract.js";
import { ms, waitField } from "./fields.js";
import { fetchTransport, httpsTransport, type Transport } from "./transport.js";

export const PROMETHEUS_URL_ENV = "RELCTL_PROMETHEUS_URL";

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const connectionFields = {
  url: z
    .string()
    .optional()
    .describe(`Prometheus base URL, e.g. https://prometheus.example.com (default: $${PROMETHEUS_URL_ENV})`),
  bearer_token_secret: z.string().min(1).optional().describe("name of the secret holding a bearer token"),
  basic_auth: z
    .strictObject({
      username: z.string().min(1).describe("the basic-auth user name"),
      password_secret: z.string().min(1).describe("name of the secret holding the password"),
    })
    .optional()
    .describe("HTTP basic auth: { username, password_secret }"),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe("extra request headers, e.g. X-Scope-OrgID for a multi-tenant Mimir"),
  ca_file: z.string().min(1).optional().describe("PEM file of the CA that signed the server's certificate"),
  query_timeout: waitField
    .default("30s")
    .describe("how long one query may take before it counts as an error"),
};

export type ConnectionInput = z.output<z.ZodObject<typeof connectionFields>>;

/** Cross-field checks every Prometheus action adds to its schema. */
export function checkConnection(input: ConnectionInput, ctx: z.RefinementCtx): void {
  if (input.bearer_token_secret !== undefined && input.basic_auth !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["basic_auth"],
      message: "give bearer_token_secret or basic_auth, not both",
    });
  }
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      ctx.addIssue({ code: "custom", path: ["headers", name], message: "must be an HTTP header name" });
    if (/[\r\n\0]/.test(value))
      ctx.addIssue({ code: "custom", path: ["headers", name], message: "must not contain line breaks" });
  }
  const hasAuthHeader = Object.keys(input.headers ?? {}).some(
    (name) => name.toLowerCase() === "authorization",
  );
  if (hasAuthHeader && (input.bearer_token_secret !== undefined || input.basic_auth !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["headers"],
      message: "an Authorization header conflicts with bearer_token_secret / basic_auth",
    });
  }
  if (input.query_timeout !== undefined && ms(input.query_timeout) === 0) {
    ctx.addIssue({ code: "custom", path: ["query_timeout"], message: "must be longer than 0s" });
  }
}

export interface Connection {
  /** Base URL without a trailing slash; safe to show (credentials never live in it). */
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  transport: Transport;
}

/** The address a plan can show before anything runs. */
export function plannedUrl(input: Pick<ConnectionInput, "url">): string {
  return input.url ?? `$${PROMETHEUS_URL_ENV}`;
}

export function resolveConnection(ctx: ActionContext, input: ConnectionInput): Connection {
  const raw = input.url ?? ctx.env[PROMETHEUS_URL_ENV];
  if (raw === undefined || raw.trim() === "") {
    throw new StepFailure("no Prometheus address", {
      hint: `set url in the step's with:, or the ${PROMETHEUS_URL_ENV} environment variable`,
    });
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new StepFailure(`the Prometheus address ${JSON.stringify(raw)} is not a URL`, {
      hint: "write it as http://host:9090 or https://host/prefix",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StepFailure(`the Prometheus address must be http:// or https://, not ${url.protocol}//`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new StepFailure("the Prometheus address must not carry credentials", {
      hint: "name secrets in basic_auth or bearer_token_secret instead, so they are redacted",
    });
  }
  const headers: Record<string, string> = { accept: "application/json", ...input.headers };
  if (input.bearer_token_secret !== undefined) {
    headers.authorization = `Bearer ${requireSecret(ctx, input.bearer_token_secret)}`;
  }
  if (input.basic_auth !== undefined) {
    const password = requireSecret(ctx, input.basic_auth.password_secret);
    const pair = Buffer.from(`${input.basic_auth.username}:${password}`).toString("base64");
    headers.authorization = `Basic ${pair}`;
  }
  return {
    baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, "")}`,
    headers,
    timeoutMs: ms(input.query_timeout),
    transport:
      input.ca_file === undefined
        ? fetchTransport(ctx.fetch)
        : httpsTransport(readCa(ctx, input.ca_file, url)),
  };
}

function requireSecret(ctx: ActionContext, name: string): string {
  const value = ctx.secrets.get(name);
  if (value === undefined || value === "") {
    throw new StepFailure(`the secret ${name} has no value`, {
      hint: `declare ${name} under secrets: in the playbook and make its source available`,
    });
  }
  return value;
}

function readCa(ctx: ActionContext, file: string, url: URL): Buffer {
  if (url.protocol !== "https:") {
    throw new StepFailure(`ca_file is set but ${url.origin} is not https://`, {
      hint: "use the https:// address, or drop ca_file",
    });
  }
  const path = resolve(ctx.cwd, file);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new StepFailure(`cannot read the CA file ${path}: ${(error as Error).message}`, { cause: error });
  }
}
