// Creates that must not happen twice: an incident issue, a release, a deployment, an upload.
// GitHub may carry out a POST and still answer 5xx, or the answer may be lost (a timeout, a
// reset connection), so a failed create is never sent again blindly (the retry plugin is off
// for it): first relctl looks up what the create may have made, and only when nothing is there
// does it try again, within the request's retry budget.
import { StepFailure, type ActionContext } from "../contract.js";
import { RequestTimedOut, type HttpBudget } from "../shared/http-budget.js";
import { isHttpError } from "./client.js";

/** Request options for a create: the retry plugin must not send it again by itself. */
export const NO_RETRY = { retries: 0 } as const;

/** Attempts at a create in all, the first included (as many as the retry plugin makes). */
const CREATE_ATTEMPTS = 4;

/** Whether GitHub may have carried out a request that failed: a server error, or no answer. */
export function mayHaveHappened(error: unknown): boolean {
  if (error instanceof StepFailure) return false;
  if (error instanceof RequestTimedOut) return true;
  if (isHttpError(error)) return error.status >= 500 || error.response === undefined;
  // fetch's TypeError ("fetch failed": a reset connection) and the like.
  return error instanceof TypeError;
}

function said(error: unknown): string {
  if (isHttpError(error)) {
    return error.response ? `GitHub answered ${error.status}` : `no answer (${error.message})`;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface CreateOnce<T> {
  /** "the incident issue", "the release v1.2.0": for messages. */
  what: string;
  create: () => Promise<T>;
  /** What an earlier attempt of this create made, if anything. */
  find: () => Promise<T | undefined>;
  /** Milliseconds of a retry unit: attempts wait 1, 4 and 9 units, as the retry plugin does. */
  retryUnitMs: number;
}

/** The created thing, and whether this call found it after an answer that did not say. */
export async function createOnce<T>(
  ctx: ActionContext,
  budget: HttpBudget,
  steps: CreateOnce<T>,
): Promise<{ value: T; found: boolean }> {
  const deadline = ctx.clock.now().getTime() + budget.retryBudgetMs;
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      return { value: await steps.create(), found: false };
    } catch (error) {
      if (ctx.signal.aborted || !mayHaveHappened(error)) throw error;
      failure = error;
    }
    ctx.log.warn(
      `creating ${steps.what}: ${said(failure)}; looking for what it may have created before trying again`,
    );
    const found = await steps.find();
    if (found !== undefined) {
      ctx.log.info(`${steps.what} was created all the same; going on with it`);
      return { value: found, found: true };
    }
    const wait = steps.retryUnitMs * attempt ** 2;
    if (attempt >= CREATE_ATTEMPTS || ctx.clock.now().getTime() + wait >= deadline) throw failure;
    ctx.log.warn(
      `${steps.what} was not created; trying again (attempt ${attempt + 1} of ${CREATE_ATTEMPTS})`,
    );
    await ctx.clock.sleep(wait, ctx.signal);
  }
}

/** GitHub's 422 for a create whose resource exists already (a release for the tag, an asset name). */
export function isAlreadyExists(error: unknown): boolean {
  if (!isHttpError(error) || error.status !== 422) return false;
  const errors = (error.response?.data as { errors?: unknown } | undefined)?.errors;
  return (
    Array.isArray(errors) &&
    errors.some((item) => (item as { code?: unknown } | null)?.code === "already_exists")
  );
}
