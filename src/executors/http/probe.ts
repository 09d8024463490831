// http.probe: a health or smoke probe. One request per attempt (method, URL, headers — values
// may come from secrets — and body); the answer must have the expected status and JSON values;
// attempts repeat every `interval` until they pass, run out, or pass the deadline (time from
// ctx.clock). A probe with GET, HEAD or OPTIONS changes nothing, so it also runs in dry-runs and
// plans (as a single attempt); other methods mutate unless the step says read_only: true.
import { z } from "zod";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import { cancelledFailure, requireSecret } from "../shared/command.js";
import { formatDuration } from "../../util/duration.js";
import { durationMs, keyedRecord, keyMatching, secretName } from "../shared/fields.js";
import {
  checkExpectation,
  describeStatus,
  isStatusPattern,
  parsePath,
  statusMatches,
  type JsonExpectation,
} from "./expect.js";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const BODY_LIMIT = 64 * 1024;

const headerValue = z.union([
  z.string(),
  z.object({
    secret: secretName("the header's value"),
    prefix: z.string().default("").describe('written before the secret ("Bearer ")'),
  }),
]);

function pathProblem(path: string): string | undefined {
  try {
    parsePath(path);
    return undefined;
  } catch {
    return `"${path}" is not a path like .version, .checks.db.status or .items[0].name`;
  }
}

const validPath = z.string().superRefine((path, ctx) => {
  const problem = pathProblem(path);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const jsonExpectation = z
  .object({
    path: validPath.describe("where in the JSON body: .version, .checks.db.status, .items[0].name"),
    equals: z.unknown().optional().describe("the value there must equal this"),
    contains: z.unknown().optional().describe("the text or list there must contain this"),
    matches: z
      .string()
      .refine((pattern) => {
        try {
          new RegExp(pattern);
          return true;
        } catch {
          return false;
        }
      }, "not a valid regular expression")
      .optional()
      .describe("the text there must match this regular expression"),
    exists: z.boolean().optional().describe("the path must exist (true) or be absent (false)"),
  })
  .refine(
    (value) => ["equals", "contains", "matches", "exists"].filter((key) => key in value).length === 1,
    "give exactly one of equals, contains, matches and exists",
  );

const statusPattern = z
  .union([z.number().int(), z.string()])
  .refine(isStatusPattern, 'a status is a code (200), a class ("2xx") or a range ("200-299")');

const probeInput = z.object({
  url: z
    .string()
    .refine(
      (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
      "an http:// or https:// URL",
    )
    .describe("the http:// or https:// URL to request")
    .meta({ examples: ["https://staging.example.com/healthz"] }),
  method: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]))
    .default("GET")
    .describe("the HTTP method (default GET); GET, HEAD and OPTIONS count as read-only"),
  headers: keyedRecord(headerValue, keyMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "not a valid header name"))
    .default({})
    .describe('request headers; a value may be { secret: name, prefix: "Bearer " }'),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .optional()
    .describe("request body; an object or list is sent as JSON"),
  expect: z
    .object({
      status: z
        .union([statusPattern, z.array(statusPattern).min(1)])
        .default("2xx")
        .describe('expected status: 200, "2xx", "200-299" or a list'),
      json: z
        .union([z.array(jsonExpectation), keyedRecord(z.unknown(), pathProblem)])
        .default([])
        .describe(
          "values in the JSON body: a list of {path, equals|contains|matches|exists}, or {path: value}",
        ),
      body_contains: z.string().optional().describe("text the body must contain"),
    })
    .default({ status: "2xx", json: [] })
    .describe('what a passing response is: status (default "2xx"), json values, body_contains'),
  attempts: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("attempts in all (default 1, or unlimited with deadline)"),
  interval: durationMs("interval").default(5_000).describe("pause between attempts (default 5s)"),
  deadline: durationMs("deadline")
    .optional()
    .describe("stop trying after this long (from the first attempt)"),
  timeout: durationMs("timeout", { positive: true })
    .default(10_000)
    .describe("timeout of each request (default 10s)"),
  read_only: z
    .boolean()
    .optional()
    .describe("declare that a POST/PUT/… probe changes nothing, so it may run in dry-runs"),
  follow_redirects: z
    .boolean()
    .default(true)
    .describe(
      "follow 3xx answers to where they point; false checks the redirect itself (expect.status: 302)",
    ),
});
type ProbeInput = z.output<typeof probeInput>;

const readOnly = (input: ProbeInput): boolean => READ_METHODS.has(input.method) || input.read_only === true;

function expectations(input: ProbeInput): JsonExpectation[] {
  const { json } = input.expect;
  return Array.isArray(json)
    ? (json as JsonExpectation[])
    : Object.entries(json).map(([path, equals]) => ({ path, equals }));
}

interface Attempt {
  passed: boolean;
  reason: string;
  status: number;
  /** The answer's Location header (where a redirect points), empty when it has none. */
  location: string;
  body: string;
  json: unknown;
  values: Record<string, unknown>;
}

function requestHeaders(ctx: ActionContext, input: ProbeInput): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    headers[name] =
      typeof value === "string"
        ? value
        : `${value.prefix}${requireSecret(ctx, value.secret, `header ${name}`)}`;
  }
  if (input.body !== undefined && typeof input.body !== "string") {
    const hasType = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
    if (!hasType) headers["content-type"] = "application/json";
  }
  return headers;
}

async function attempt(
  ctx: ActionContext,
  input: ProbeInput,
  headers: Record<string, string>,
): Promise<Attempt> {
  const failed = (reason: string, status = 0): Attempt => ({
    passed: false,
    reason,
    status,
    location: "",
    body: "",
    json: null,
    values: {},
  });
  let response: Response;
  try {
    response = await ctx.fetch(input.url, {
      method: input.method,
      headers,
      ...(input.body === undefined
        ? {}
        : { body: typeof input.body === "string" ? input.body : JSON.stringify(input.body) }),
      // "manual" hands back the 3xx answer itself (Node's fetch gives its real status and headers).
      redirect: input.follow_redirects ? "follow" : "manual",
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(input.timeout)]),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw cancelledFailure(ctx, error);
    if ((error as Error).name === "TimeoutError") return failed(`no answer within ${input.timeout}ms`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return failed(`could not connect: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  let text: string;
  try {
    text = input.method === "HEAD" ? "" : await response.text();
  } catch (error) {
    if (ctx.signal.aborted) throw cancelledFailure(ctx, error);
    return failed(
      `the answer was cut off (${(error as Error).name === "TimeoutError" ? `no complete body within ${input.timeout}ms` : (error as Error).message})`,
      response.status,
    );
  }
  const body = text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…` : text;
  let json: unknown = null;
  try {
    json = text.trim() === "" ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  const problems: string[] = [];
  const { status } = response;
  if (!statusMatches(status, input.expect.status)) {
    problems.push(`status ${status} is not ${describeStatus(input.expect.status)}`);
  }
  const values: Record<string, unknown> = {};
  const wanted = expectations(input);
  if (wanted.length > 0 && json === null) problems.push("the body is not JSON");
  else {
    for (const expectation of wanted) {
      const { actual, problem } = checkExpectation(json, expectation);
      values[expectation.path] = actual ?? null;
      if (problem) problems.push(problem);
    }
  }
  if (input.expect.body_contains !== undefined && !text.includes(input.expect.body_contains)) {
    problems.push(`the body does not contain ${JSON.stringify(input.expect.body_contains)}`);
  }
  const location = response.headers.get("location") ?? "";
  return { passed: problems.length === 0, reason: problems.join("; "), status, location, body, json, values };
}

function outputsOf(result: Attempt, attempts: number, durationMs: number) {
  return {
    status: result.status,
    location: result.location,
    body: result.body,
    json: result.json,
    values: result.values,
    attempts,
    duration_ms: durationMs,
  };
}

export const probe = defineAction({
  description:
    "Health or smoke probe: request a URL until the answer has the expected status and JSON values (retries until a deadline)",
  input: probeInput,
  outputs: {
    status: "the last answer's HTTP status",
    location: "the last answer's Location header (where a redirect points; empty when none)",
    body: "the last answer's body (first 64 KiB)",
    json: "the last answer's body parsed as JSON (null when it is not JSON)",
    values: "path → value found, for every expected JSON path",
    attempts: "how many requests were made",
    duration_ms: "time from the first request to the answer that passed",
    passed: "dry-run preview only: whether the one request passed",
    reason: "dry-run preview only: what was wrong with the answer",
  },
  mutates: (input) => !readOnly(input),
  dryRunSafe: (input) => readOnly(input),
  plan: (input) => ({
    summary: `${input.method} ${input.url} until it answers ${describeStatus(input.expect.status)}${
      expectations(input).length > 0
        ? ` with ${expectations(input)
            .map((item) => item.path)
            .join(", ")} as expected`
        : ""
    }`,
    request: { method: input.method, url: input.url },
    details: {
      ...(Object.keys(input.headers).length > 0
        ? {
            headers: Object.fromEntries(
              Object.entries(input.headers).map(([name, value]) => [
                name,
                typeof value === "string" ? value : `${value.prefix}<secret ${value.secret}>`,
              ]),
            ),
          }
        : {}),
      attempts: input.attempts ?? (input.deadline === undefined ? 1 : "until the deadline"),
      interval_ms: input.interval,
      ...(input.deadline === undefined ? {} : { deadline_ms: input.deadline }),
      timeout_ms: input.timeout,
      ...(input.follow_redirects ? {} : { follow_redirects: false }),
    },
  }),
  run: async (ctx, input) => {
    const headers = requestHeaders(ctx, input);
    const maxAttempts = input.attempts ?? (input.deadline === undefined ? 1 : Number.POSITIVE_INFINITY);
    const started = ctx.clock.now().getTime();
    for (let count = 1; ; count++) {
      const result = await attempt(ctx, input, headers);
      const elapsed = ctx.clock.now().getTime() - started;
      if (result.passed) {
        ctx.log.info(`${input.method} ${input.url}: ${result.status} as expected (attempt ${count})`);
        return outputsOf(result, count, elapsed);
      }
      const outOfTime = input.deadline !== undefined && elapsed + input.interval > input.deadline;
      if (count >= maxAttempts || outOfTime) {
        throw new StepFailure(
          `${input.method} ${input.url} did not pass after ${count} attempt${count === 1 ? "" : "s"}${elapsed > 0 ? ` over ${formatDuration(elapsed)}` : ""}: ${result.reason}`,
          {
            hint: "check the service's pods and logs; raise attempts or deadline if it only needs longer",
            outputs: outputsOf(result, count, elapsed),
          },
        );
      }
      ctx.log.info(`attempt ${count}: ${result.reason}; next in ${formatDuration(input.interval)}`);
      await ctx.clock.sleep(input.interval, ctx.signal).catch((error: unknown) => {
        throw cancelledFailure(ctx, error);
      });
    }
  },
  // A dry-run makes one request and reports whether the probe would pass now, without failing.
  preview: async (ctx, input) => {
    const result = await attempt(ctx, input, requestHeaders(ctx, input));
    return { ...outputsOf(result, 1, 0), passed: result.passed, reason: result.reason };
  },
});
