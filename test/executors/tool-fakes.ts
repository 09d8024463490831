// Running an executor action against the fake helm, cosign and kubectl programs (test/fakes/bin,
// first on PATH) through the real process runner, the way the engine runs it: `with:` parsed by
// the action's schema, then run with a real ActionContext whose environment names the fake's
// state directory.
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { StepFailure, type Executor, type Outputs } from "../../src/executors/contract.js";
import { createProcessRunner } from "../../src/run/process-runner.js";
import { testContext, type TestContext } from "../helpers/action-context.js";
import { tempDir } from "../helpers/servers.js";

export const FAKES_BIN = fileURLToPath(new URL("../fakes/bin", import.meta.url));

/** PATH with the fakes first (node stays reachable for their #! line). */
export const pathWithFakes = (): string => `${FAKES_BIN}${delimiter}${process.env.PATH ?? ""}`;

/** PATH with node only: no helm, cosign or kubectl anywhere. */
export const pathWithoutTools = (): string => dirname(process.execPath);

export interface FakeTool {
  /** The fake's state directory. */
  state: string;
  /** A directory to run in (charts, keys, files go here). */
  cwd: string;
  env: Record<string, string | undefined>;
  /** argv (without the program) of every call the fake received, oldest first. */
  calls(): string[][];
  context(overrides?: Partial<TestContext>): Promise<TestContext>;
  run(name: string, input: Record<string, unknown>, ctx?: TestContext): Promise<Outputs>;
  fail(name: string, input: Record<string, unknown>, ctx?: TestContext): Promise<StepFailure>;
}

export function fakeTool(
  executor: Executor,
  stateVariable: string,
  extraEnv: Record<string, string | undefined> = {},
  defaults: Partial<TestContext> = {},
): FakeTool {
  const state = tempDir(`${executor.name}-state`);
  const cwd = tempDir(`${executor.name}-run`);
  const env = { ...process.env, PATH: pathWithFakes(), [stateVariable]: state, ...extraEnv };
  const context = (overrides: Partial<TestContext> = {}) =>
    testContext({ runner: createProcessRunner(), cwd, env, ...defaults, ...overrides });
  const run = async (name: string, input: Record<string, unknown>, ctx?: TestContext) => {
    const action = executor.actions[name];
    if (!action) throw new Error(`no ${executor.name} action ${name}`);
    return action.run(ctx ?? (await context()), action.input.parse(input));
  };
  return {
    state,
    cwd,
    env,
    calls: () => {
      const file = join(state, "calls.jsonl");
      if (!existsSync(file)) return [];
      return readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { argv: string[] }).argv);
    },
    context,
    run,
    fail: async (name, input, ctx) => {
      const error = await run(name, input, ctx).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
      return error;
    },
  };
}

/** The messages of a schema's refusal of an input. */
export function refusal(executor: Executor, name: string, input: Record<string, unknown>): string[] {
  const result = executor.actions[name]!.input.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}
