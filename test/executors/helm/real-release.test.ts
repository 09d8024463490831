// helm.rollback, history, status and uninstall on the real helm binaries (v3.17 and v4.1), against
// the loopback Kubernetes API. Broken revisions are made the way a cluster makes them: an image
// the kubelet cannot pull, so the pods never get ready.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import helm from "../../../src/executors/helm.js";
import { HELM_LINES, realBinaries } from "../../helpers/real-binaries.js";
import type { RealCluster } from "../real-cluster.js";
import { deployedImage, helmCluster, PROD } from "./real-setup.js";

// Real binaries on a machine shared with other work: room for slow processes, and for fetching
// the binaries once on a fresh machine, before any test starts its clock.
vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => void realBinaries(), 600_000);

const UNPULLABLE = { "image.repository": "registry.example.com/unpullable" };

describe.each(HELM_LINES)("helm %s releases (real binary)", (line) => {
  let cluster: (RealCluster & { chart: string }) | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  /** Deploys `api` straight through helm (no executor), for tests whose subject comes after. */
  async function deploy(args: string[] = []): Promise<void> {
    const result = await cluster!.tool(
      ["helm", "upgrade", "--install", "api", cluster!.chart, "--namespace", "production"].concat([
        "--kube-context",
        "prod",
        ...args,
      ]),
    );
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  }

  it("skips a failed revision that helm's own 'previous' would have returned to", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    await deploy();
    await cluster.fail(
      "upgrade",
      { ...PROD, chart: cluster.chart, atomic: true, timeout: "2s", set_string: UNPULLABLE },
      ctx,
    );
    // History: 1 superseded, 2 failed, 3 deployed (helm's own rollback to 1). Revision 2 is broken.
    expect(await cluster.run("rollback", PROD, ctx)).toMatchObject({
      rolled_back_to: 1,
      previous_revision: 3,
      revision: 4,
      status: "deployed",
    });
  });

  it("fails a rollback whose pods never get ready once timeout has passed, and keeps what is deployed", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    // Revision 1's pods never get ready; without --wait helm did not notice.
    await deploy(["--set-string", "image.repository=registry.example.com/unpullable"]);
    await deploy();
    const failure = await cluster.fail("rollback", { ...PROD, revision: 1, timeout: "2s" }, ctx);
    expect(failure.message).toMatch(
      /^helm rollback api to revision 1 failed: .*(context deadline exceeded|timed out|not ready)/,
    );
    expect(failure.hint).toMatch(/did not become ready within the timeout/);
    const history = await cluster.run("history", PROD, ctx);
    expect((history.revisions as { status: string }[]).map((entry) => entry.status)).toEqual([
      "superseded",
      "deployed",
      "failed",
    ]);
  });

  it("returns to a given revision, with that revision's values", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    for (const tag of ["1.0.0", "1.1.0", "1.2.0"]) await deploy(["--set-string", `image.tag=${tag}`]);
    expect(await cluster.run("rollback", { ...PROD, revision: 1 }, ctx)).toMatchObject({
      revision: 4,
      rolled_back_to: 1,
    });
    expect((await cluster.run("status", PROD, ctx)).values).toEqual({ image: { tag: "1.0.0" } });
    expect(deployedImage(cluster)).toBe("registry.example.com/acme/api:1.0.0");
  });

  it("reports a revision that is not in the history with helm's own words", async () => {
    cluster = await helmCluster(line);
    await deploy();
    const failure = await cluster.fail("rollback", { ...PROD, revision: 9 });
    expect(failure.message).toBe("helm rollback api to revision 9 failed: release has no 9 version");
    expect(failure.hint).toMatch(/not in the release's history/);
  });

  it("says there is nothing to return to after the first install", async () => {
    cluster = await helmCluster(line);
    await deploy();
    const failure = await cluster.fail("rollback", PROD);
    expect(failure.message).toBe(
      "api has no earlier successful revision to roll back to (current: revision 1, deployed)",
    );
    expect(failure.hint).toMatch(/helm.uninstall/);
  });

  it("fails clearly for a release that does not exist, naming the look-up it ran", async () => {
    cluster = await helmCluster(line);
    const failure = await cluster.fail("rollback", PROD);
    expect(failure.message).toBe(
      "there is no release api in namespace production, context prod to roll back",
    );
    expect(failure.command).toEqual([
      "helm",
      "history",
      "api",
      "--namespace",
      "production",
      "--kube-context",
      "prod",
      "--output",
      "json",
    ]);
  });

  it("reads the history oldest first and says which revision serves and where a rollback would go", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    await deploy();
    await deploy();
    await cluster.fail(
      "upgrade",
      { ...PROD, chart: cluster.chart, timeout: "2s", set_string: UNPULLABLE },
      ctx,
    );
    const history = await cluster.run("history", PROD, ctx);
    expect(history).toMatchObject({
      exists: true,
      revision: 3,
      status: "failed",
      deployed_revision: 2,
      previous_successful_revision: 2,
    });
    expect((history.revisions as unknown[])[0]).toEqual({
      revision: 1,
      updated: expect.stringMatching(/^\d{4}-/) as unknown,
      status: "superseded",
      chart: "api-1.2.0",
      app_version: "1.2.0",
      description: "Install complete",
    });
  });

  it("reads where a rollback returned, from helm's description or v4's rollback_revision", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    await deploy();
    await deploy();
    await cluster.run("rollback", PROD, ctx);
    const last = (await cluster.run("history", PROD, ctx)).revisions as { description?: string }[];
    expect(last.at(-1)?.description).toBe("Rollback to 1");
  });

  it("reads the revision of helm status from `version`, with the values given", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    await deploy();
    await deploy(["--set", "replicaCount=4"]);
    expect(await cluster.run("status", PROD, ctx)).toMatchObject({
      exists: true,
      revision: 2,
      status: "deployed",
      namespace: "production",
      description: "Upgrade complete",
      values: { replicaCount: 4 },
    });
  });

  it("reports a missing release as not existing when allowed, and as helm's error otherwise", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    expect(await cluster.run("status", { ...PROD, allow_missing: true }, ctx)).toMatchObject({
      exists: false,
      revision: 0,
    });
    expect(await cluster.run("history", { ...PROD, allow_missing: true }, ctx)).toMatchObject({
      exists: false,
      revisions: [],
    });
    const failure = await cluster.fail("status", PROD, ctx);
    expect(failure.message).toBe("helm status api failed: release: not found");
    expect(failure.exitCode).toBe(1);
  });

  it("reports a release that does not exist yet as exists: false in a dry-run preview", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    for (const name of ["history", "status"]) {
      const action = helm.actions[name]!;
      expect(await action.preview!(ctx, action.input.parse(PROD))).toMatchObject({
        exists: false,
        revision: 0,
      });
    }
  });

  it("fails to uninstall a release that is gone, in helm's words", async () => {
    cluster = await helmCluster(line);
    const failure = await cluster.fail("uninstall", { ...PROD, release: "api-canary" });
    expect(failure.message).toMatch(/^helm uninstall api-canary failed: .*api-canary: release: not found$/);
  });
});
