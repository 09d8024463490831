// Calls a prometheus executor action the way the engine does: validate `with:` against the
// action's schema, then run (or, for a dry-run, preview) it with a test ActionContext whose
// clock the test controls.
import prometheus from "../../../src/executors/prometheus.js";
import { StepFailure, type Outputs } from "../../../src/executors/contract.js";
import { testContext, type TestContext } from "../../helpers/action-context.js";

export function action(name: string) {
  const found = prometheus.actions[name];
  if (!found) throw new Error(`no prometheus action ${name}`);
  return found;
}

export async function context(overrides: Partial<TestContext> = {}): Promise<TestContext> {
  return testContext({ env: {}, ...overrides });
}

export async function runAction(
  name: string,
  input: Record<string, unknown>,
  ctx?: TestContext,
): Promise<{ outputs: Outputs; ctx: TestContext }> {
  const context_ = ctx ?? (await context());
  const chosen = action(name);
  const outputs = await chosen.run(context_, chosen.input.parse(input));
  return { outputs, ctx: context_ };
}

export async function previewAction(
  name: string,
  input: Record<string, unknown>,
  ctx?: TestContext,
): Promise<{ outputs: Outputs; ctx: TestContext }> {
  const context_ = ctx ?? (await context());
  const chosen = action(name);
  const outputs = await chosen.preview!(context_, chosen.input.parse(input));
  return { outputs, ctx: context_ };
}

/** Runs an action that must fail and returns its StepFailure with the context. */
export async function failAction(
  name: string,
  input: Record<string, unknown>,
  ctx?: TestContext,
): Promise<{ failure: StepFailure; ctx: TestContext }> {
  const context_ = ctx ?? (await context());
  const error = await runAction(name, input, context_).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return { failure: error, ctx: context_ };
}

export const messages = (ctx: TestContext, level?: "info" | "warn" | "debug") =>
  ctx.logs.filter((log) => level === undefined || log.level === level).map((log) => log.message);

export const recordsOf = (ctx: TestContext, kind: string) =>
  ctx.records.filter((record) => record.kind === kind).map((record) => record.data);
