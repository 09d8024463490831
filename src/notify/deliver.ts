// Sends one webhook request, retrying what a later attempt can fix: 429 (honouring Retry-After)
// and 5xx answers, and connections that failed or did not answer. Each request gives up after
// its timeout, and no attempt starts once the retry budget is spent. Waits go through ctx.clock
// so they are bounded, cancellable and instant in tests. (A webhook has nothing to look a
// message up by: a 5xx or a timeout after the service took the message can show it twice,
// which beats a rollback nobody hears of.) The URL is a secret: messages only ever show its origin.
import { StepFailure, type ActionContext } from "../executors/contract.js";
import { timedFetch, type HttpBudget } from "../executors/shared/http-budget.js";
import { formatDuration } from "../util/duration.js";

export interface DeliveryRequest {
  /** "Slack", "Teams", "the webhook": who answered, in messages. */
  service: string;
  /** The secret's name, for hints. */
  secretName: string;
  url: string;
  method: "POST" | "PUT";
  headers: Record<string, string>;
  body: string;
  /** Attempts in all, the first included. */
  attempts: number;
  /** How long one request may wait for its answer, and all attempts may take together. */
  budget: HttpBudget;
  /** Delay before the second attempt; doubles each time up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this fails the step instead of waiting. */
  maxRetryAfterMs?: number;
  /** Hints for answers the service documents (by status, or by the body's text). */
  hint?: (status: number, body: string) => string | undefined;
}

export interface Delivery {
  status: number;
  attempts: number;
  body: string;
}

/** scheme://host/*** : enough to see where a message went, nothing of the secret path. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/***`;
  } catch {
    return "***";
  }
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

const retryable = (status: number) => status === 429 || status >= 500;

export async function deliver(ctx: ActionContext, request: DeliveryRequest): Promise<Delivery> {
  const where = maskUrl(request.url);
  const baseDelay = request.baseDelayMs ?? 1000;
  const maxDelay = request.maxDelayMs ?? 30_000;
  const maxRetryAfter = request.maxRetryAfterMs ?? 60_000;
  const fetchOnce = timedFetch(ctx.fetch, request.budget.requestTimeoutMs);
  const deadline = ctx.clock.now().getTime() + request.budget.retryBudgetMs;
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    let wait = Math.min(baseDelay * 2 ** (attempt - 1), maxDelay);
    try {
      const response = await fetchOnce(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: ctx.signal,
      });
      const text = (await response.text()).trim().slice(0, 500);
      if (response.ok) return { status: response.status, attempts: attempt, body: text };
      failure = `${request.service} answered ${response.status}${text ? `: ${text}` : ""}`;
      if (!retryable(response.status)) {
        throw new StepFailure(`${failure} (${request.method} ${where})`, {
          ...hintFor(request, response.status, text),
        });
      }
      const asked = retryAfterMs(response.headers.get("retry-after"), ctx.clock.now());
      if (asked !== undefined) {
        if (asked > maxRetryAfter) {
          throw new StepFailure(
            `${failure} and asks to wait ${formatDuration(asked)}, longer than relctl waits (${formatDuration(maxRetryAfter)})`,
            {
              hint: "the service is rate-limiting this webhook; send fewer messages or re-run the step later",
            },
          );
        }
        wait = asked;
      }
    } catch (error) {
      if (error instanceof StepFailure || ctx.signal.aborted) throw error;
      const cause =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      failure = `could not reach ${request.service} at ${where}: ${cause}`;
    }
    const tried = `${attempt} attempt${attempt === 1 ? "" : "s"}`;
    if (attempt >= request.attempts) {
      throw new StepFailure(`${failure} (gave up after ${tried})`, {
        hint: `check that the secret ${request.secretName} holds a working webhook URL and that ${where} is reachable`,
      });
    }
    if (ctx.clock.now().getTime() + wait >= deadline) {
      throw new StepFailure(
        `${failure} (gave up after ${tried}: the retry_budget of ${formatDuration(request.budget.retryBudgetMs)} is spent)`,
        {
          hint: `check that ${where} is reachable, or raise retry_budget (the step's input)`,
        },
      );
    }
    ctx.log.warn(
      `${failure}; retrying in ${formatDuration(wait)} (attempt ${attempt + 1} of ${request.attempts})`,
    );
    await ctx.clock.sleep(wait, ctx.signal);
  }
}

function hintFor(request: DeliveryRequest, status: number, body: string): { hint?: string } {
  const hint =
    request.hint?.(status, body) ??
    (status === 401 || status === 403 || status === 404 || status === 410
      ? `the webhook behind secret ${request.secretName} was refused or no longer exists; create a new one and update the secret`
      : status === 400
        ? "the service rejected the message as invalid"
        : undefined);
  return hint ? { hint } : {};
}
