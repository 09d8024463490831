// Which helm this is, read once by one parser: the helm executor (v3 or v4 flags) and
// `relctl doctor` (its report) agree, on the real binaries and on output with version-like noise.
import { beforeAll, describe, expect, it, vi } from "vitest";
import helm from "../../../src/executors/helm.js";
import { detectHelmVersion } from "../../../src/executors/helm/version.js";
import { parseHelmVersion } from "../../../src/executors/helm/version-text.js";
import { KNOWN_TOOLS, runDoctor } from "../../../src/release/doctor.js";
import { createProcessRunner } from "../../../src/run/process-runner.js";
import { HELM_LINES, realBinaries } from "../../helpers/real-binaries.js";
import { realCluster } from "../real-cluster.js";

// Real binaries on a machine shared with other work: room for slow processes, and for fetching
// the binaries once on a fresh machine, before any test starts its clock.
vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => void realBinaries(), 600_000);

describe.each(HELM_LINES)("helm %s version (real binary)", (line) => {
  it("is the same version for doctor and for the executor, asked once per run", async () => {
    const cluster = await realCluster(helm, line);
    try {
      const ctx = await cluster.context({ run: { id: `version-${line}`, stateDir: cluster.cwd } });
      const detected = await detectHelmVersion(ctx);
      await detectHelmVersion(ctx);
      expect(detected.major).toBe(line === "v3" ? 3 : 4);
      expect(detected.version).toMatch(
        line === "v3" ? /^v3\.17\.\d+\+g[0-9a-f]+$/ : /^v4\.1\.\d+\+g[0-9a-f]+$/,
      );
      const report = await runDoctor(["helm.upgrade"], { runner: createProcessRunner(), env: cluster.env });
      const tool = report.tools.find((candidate) => candidate.name === "helm");
      expect(tool).toMatchObject({ state: "ok", version: detected.version.slice(1).replace(/\+.*$/, "") });
    } finally {
      await cluster.close();
    }
  });
});

describe("reading helm's version output", () => {
  it.each([
    ["v3.17.3+ge4da497", "v3.17.3+ge4da497"],
    ["v4.1.4+g05fa379\n", "v4.1.4+g05fa379"],
    ['version.BuildInfo{Version:"v3.17.3", GitCommit:"e4da4978", GoVersion:"go1.23.7"}', "v3.17.3"],
    // A plugin or a kubeconfig path with a version-like word before the version line.
    [
      'WARNING: plugin "diff" at /opt/helm/v9.9.9/plugins is not signed\nv3.16.4+g7877b45',
      "v3.16.4+g7877b45",
    ],
  ])("reads %j as %s, in doctor and in the executor alike", (text, version) => {
    expect(parseHelmVersion(text)?.version).toBe(version);
    expect(KNOWN_TOOLS.helm!.parseVersion(text)).toBe(version.slice(1).replace(/\+.*$/, ""));
  });

  it("reads nothing from output that has no version line", () => {
    expect(parseHelmVersion("Error: unknown flag: --short")).toBeUndefined();
    expect(KNOWN_TOOLS.helm!.parseVersion("Error: unknown flag: --short")).toBeUndefined();
  });
});
