// Calls a github executor action the way the engine does: validate `with:` against the action's
// schema, then run it with a real ActionContext whose token secret is set, against the fake API.
import { createGitHubExecutor } from "../../../src/executors/github.js";
import { StepFailure, type Outputs } from "../../../src/executors/contract.js";
import type { ProcessRunner } from "../../../src/run/process.js";
import { testContext, type TestContext } from "../../helpers/action-context.js";
import { TOKEN, type FakeGitHub } from "./fake-github.js";

/** GitHub actions talk HTTP only: this runner proves they never start a process. */
const noProcesses: ProcessRunner = {
  run: (argv) => Promise.reject(new Error(`github actions must not run processes (${argv.join(" ")})`)),
};

/** Waits shortened so the suite stays fast: 5ms retry units, 20ms per second of retry-after. */
export const github = createGitHubExecutor({ pace: false, retryUnitMs: 5, rateLimitUnitMs: 20 });

export async function githubContext(overrides: Partial<TestContext> = {}): Promise<TestContext> {
  return testContext({
    runner: noProcesses,
    secrets: { get: (name) => (name === "github_token" ? TOKEN : undefined) },
    env: {},
    ...overrides,
  });
}

export async function githubAction(
  name: string,
  input: Record<string, unknown>,
  server: FakeGitHub,
  options: { ctx?: TestContext; executor?: ReturnType<typeof createGitHubExecutor> } = {},
): Promise<{ outputs: Outputs; ctx: TestContext }> {
  const action = (options.executor ?? github).actions[name];
  if (!action) throw new Error(`no github action ${name}`);
  const ctx = options.ctx ?? (await githubContext());
  const parsed = action.input.parse({ repository: "acme/api", base_url: server.url, ...input });
  return { outputs: await action.run(ctx, parsed), ctx };
}

/** Runs an action that must fail and returns its StepFailure. */
export async function githubFailure(
  name: string,
  input: Record<string, unknown>,
  server: FakeGitHub,
  options: { ctx?: TestContext; executor?: ReturnType<typeof createGitHubExecutor> } = {},
): Promise<StepFailure> {
  const error = await githubAction(name, input, server, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return error;
}
