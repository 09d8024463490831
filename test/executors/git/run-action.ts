// Calls a git executor action the way the engine does: validate `with:` against the action's
// schema, then run it with a real ActionContext pointed at a test repository.
import git from "../../../src/executors/git.js";
import { StepFailure, type Outputs } from "../../../src/executors/contract.js";
import type { ProcessRunner } from "../../../src/run/process.js";
import { testContext, type TestContext } from "../../helpers/action-context.js";
import type { TestRepo } from "../../helpers/git-repo.js";

/** Git actions go through simple-git, never through ctx.exec: this runner proves it. */
const noProcesses: ProcessRunner = {
  run: (argv) =>
    Promise.reject(new Error(`git actions must not run processes through ctx.exec (${argv.join(" ")})`)),
};

export async function gitAction(
  name: string,
  input: Record<string, unknown>,
  repo: TestRepo,
  overrides: Partial<TestContext> = {},
): Promise<{ outputs: Outputs; ctx: TestContext }> {
  const action = git.actions[name];
  if (!action) throw new Error(`no git action ${name}`);
  const ctx = await testContext({ cwd: repo.dir, env: repo.env, runner: noProcesses, ...overrides });
  const outputs = await action.run(ctx, action.input.parse(input));
  return { outputs, ctx };
}

/** Runs an action that must fail and returns its StepFailure. */
export async function gitFailure(
  name: string,
  input: Record<string, unknown>,
  repo: TestRepo,
): Promise<StepFailure> {
  const error = await gitAction(name, input, repo).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return error;
}
