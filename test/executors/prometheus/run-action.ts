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

async function call(
  how: "run" | "preview",
  name: string,
  input: Record<string, unknown>,
  ctx?: TestContext,
): Promise<{ outputs: Outputs; ctx: TestContext }> {
  const context_ = ctx ?? (await context());
  const chosen = action(name);
  const method = how === "run" ? chosen.run : chosen.preview;
  if (!method) throw new Error(`prometheus.${name} has no ${how}`);
  const outputs = await method.call(chosen, context_, chosen.input.parse(input));
  return { outputs, ctx: context_ };
}

export const runAction = (name: string, input: Record<string, unknown>, ctx?: TestContext) =>
  call("run", name, input, ctx);

export const previewAction = (name: string, input: Record<string, unknown>, ctx?: TestContext) =>
  call("preview", name, input, ctx);

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
