// Running helm and kubectl executor actions on the real binaries against the loopback
// Kubernetes API (test/fakes/kube-api): a kubeconfig with a context `prod` on that API and a
// context `down` on a port nothing listens on, an isolated HOME (kubectl's discovery cache,
// helm's config), and PATH with only the binaries of one helm line (and node).
import { dirname, join } from "node:path";
import { StepFailure, type Executor, type Outputs } from "../../src/executors/contract.js";
import { createProcessRunner } from "../../src/run/process-runner.js";
import { writeKubeconfig } from "../fakes/kube-api/kubeconfig.js";
import { startKubeApi, type KubeApi, type KubeApiOptions } from "../fakes/kube-api/server.js";
import { testContext, type TestContext } from "../helpers/action-context.js";
import { realBinaries, type HelmLine } from "../helpers/real-binaries.js";
import { freePort, tempDir } from "../helpers/servers.js";

export interface RealCluster {
  line: HelmLine;
  api: KubeApi;
  /** A directory to run in (charts and manifests go here). */
  cwd: string;
  env: Record<string, string | undefined>;
  kubeconfig: string;
  context(overrides?: Partial<TestContext>): Promise<TestContext>;
  run(name: string, input: Record<string, unknown>, ctx?: TestContext): Promise<Outputs>;
  fail(name: string, input: Record<string, unknown>, ctx?: TestContext): Promise<StepFailure>;
  /** Runs helm or kubectl itself (setup and checks that are not the subject of the test). */
  tool(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function realCluster(
  executor: Executor,
  line: HelmLine,
  options: KubeApiOptions & { run?: TestContext["run"] } = {},
): Promise<RealCluster> {
  const binaries = realBinaries()[line];
  const api = await startKubeApi({ namespaces: ["production"], ...options });
  const home = tempDir("kube-home");
  const cwd = tempDir(`${executor.name}-run`);
  const kubeconfig = writeKubeconfig(home, [
    { name: "prod", server: api.url, namespace: "production" },
    { name: "down", server: `http://127.0.0.1:${await freePort()}` },
  ]);
  const env: Record<string, string | undefined> = {
    PATH: `${binaries.dir}:${dirname(process.execPath)}`,
    HOME: home,
    KUBECONFIG: kubeconfig,
    HELM_CACHE_HOME: join(home, "helm-cache"),
    HELM_CONFIG_HOME: join(home, "helm-config"),
    HELM_DATA_HOME: join(home, "helm-data"),
    TMPDIR: process.env.TMPDIR,
  };
  const context = (overrides: Partial<TestContext> = {}) =>
    testContext({
      runner: createProcessRunner(),
      cwd,
      env,
      ...(options.run ? { run: options.run } : {}),
      ...overrides,
    });
  const run = async (name: string, input: Record<string, unknown>, ctx?: TestContext) => {
    const action = executor.actions[name];
    if (!action) throw new Error(`no ${executor.name} action ${name}`);
    return action.run(ctx ?? (await context()), action.input.parse(input));
  };
  return {
    line,
    api,
    cwd,
    env,
    kubeconfig,
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
    tool: async (argv) => {
      const { execa } = await import("execa");
      const result = await execa(argv[0]!, argv.slice(1), {
        cwd,
        env,
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      });
      return {
        exitCode: result.exitCode ?? -1,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
      };
    },
    close: () => api.close(),
  };
}
