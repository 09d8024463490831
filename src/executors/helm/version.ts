// Which helm major is on PATH, asked once per run (`helm version --short`), because v3 and v4
// spell some flags differently: v3 --atomic is v4 --rollback-on-failure, and v4 --wait takes
// a strategy (watcher when bare, hookOnly, legacy).
import { StepFailure, type ActionContext } from "../contract.js";
import { commandFailure, runTool } from "../shared/command.js";
import { isSupportedHelmMajor, parseHelmVersion } from "./version-text.js";

export type HelmMajor = 3 | 4;

export interface HelmVersion {
  major: HelmMajor;
  /** As helm prints it: v3.16.4+g7877b45. */
  version: string;
}

/** One answer per run (and PATH): helm does not change under a running release. */
const cache = new Map<string, Promise<HelmVersion>>();

export async function detectHelmVersion(ctx: ActionContext): Promise<HelmVersion> {
  const key = `${ctx.run.id}\0${ctx.run.stateDir}\0${ctx.env.PATH ?? ""}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = askHelm(ctx);
    cache.set(key, pending);
    // A failed look-up (helm missing, cancelled) is not remembered: the next step asks again.
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function askHelm(ctx: ActionContext): Promise<HelmVersion> {
  const result = await runTool(ctx, ["helm", "version", "--short"]);
  if (result.exitCode !== 0) {
    throw commandFailure(`helm version failed (exit ${result.exitCode})`, result, {
      hint: "check that helm works on its own (helm version)",
    });
  }
  const parsed = parseHelmVersion(result.stdout);
  if (!parsed) {
    throw new StepFailure(`could not read a version from \`helm version --short\`: ${result.stdout.trim()}`, {
      command: result.command,
    });
  }
  if (!isSupportedHelmMajor(parsed.major)) {
    throw new StepFailure(`helm ${parsed.version} is not supported; relctl drives helm v3 and v4`, {
      command: result.command,
      hint: "install helm v3 or v4 (https://helm.sh/docs/intro/install/)",
    });
  }
  ctx.log.debug(`helm ${parsed.version}`);
  return { major: parsed.major, version: parsed.version };
}

/** The major to build flags for: the one the step pins, or the one on PATH. */
export async function helmVersionFor(
  ctx: ActionContext,
  pinned: HelmMajor | undefined,
): Promise<HelmVersion> {
  if (pinned !== undefined) return { major: pinned, version: `v${pinned}` };
  return detectHelmVersion(ctx);
}
