// helm.upgrade, rollback, history and status on the real helm binaries (v3.17 and v4.1), against
// the loopback Kubernetes API: the release lives in the API's Secrets, the Deployment rolls out
// through its ReplicaSets, and helm --wait waits on them as it would on a cluster.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { HELM_LINES, realBinaries } from "../../helpers/real-binaries.js";
import type { RealCluster } from "../real-cluster.js";
import { DEFAULT_IMAGE, deployedImage, helmCluster, PROD, writeChart } from "./real-setup.js";

// Real binaries on a machine shared with other work: room for slow processes, and for fetching
// the binaries once on a fresh machine, before any test starts its clock.
vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => void realBinaries(), 600_000);

describe.each(HELM_LINES)("helm %s (real binary)", (line) => {
  let cluster: (RealCluster & { chart: string }) | undefined;
  const start = async () => (cluster = await helmCluster(line));
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it("installs a release as revision 1, with the Deployment rolled out in the cluster", async () => {
    const { run, chart, context, api } = await start();
    const ctx = await context();
    const outputs = await run("upgrade", { ...PROD, chart, timeout: "60s" }, ctx);
    expect(outputs).toMatchObject({
      release: "api",
      revision: 1,
      previous_revision: 0,
      status: "deployed",
      chart: "api-1.2.0",
      app_version: "1.2.0",
      installed: true,
    });
    expect(outputs.helm_version).toMatch(line === "v3" ? /^v3\.17\./ : /^v4\.1\./);
    expect(deployedImage(cluster!)).toBe(DEFAULT_IMAGE);
    const secrets = api.list("v1", "secrets", "production").map((secret) => secret.metadata.labels);
    expect(secrets).toEqual([expect.objectContaining({ owner: "helm", name: "api", status: "deployed" })]);
    expect(ctx.records.at(-1)?.data).toMatchObject({ action: "upgrade", previous_revision: 0, revision: 1 });
  });

  it("records the revision before and after each upgrade, and the cluster runs the new image", async () => {
    const { run, chart, context } = await start();
    const ctx = await context();
    await run("upgrade", { ...PROD, chart, timeout: "60s" }, ctx);
    const second = await run("upgrade", { ...PROD, chart, set_string: { "image.tag": "1.3.0" } }, ctx);
    expect(second).toMatchObject({ revision: 2, previous_revision: 1, installed: false, status: "deployed" });
    expect(deployedImage(cluster!)).toBe("registry.example.com/acme/api:1.3.0");
    const history = await run("history", PROD, ctx);
    expect(history).toMatchObject({
      exists: true,
      revision: 2,
      deployed_revision: 2,
      previous_successful_revision: 1,
    });
    expect((history.revisions as { status: string }[]).map((entry) => entry.status)).toEqual([
      "superseded",
      "deployed",
    ]);
  });

  it("starts an upgrade without values from the chart's defaults, not from the last release's values", async () => {
    // Real helm reuses the last release's values when an upgrade gives none: without
    // --reset-values this upgrade would keep 1.3.0 although the playbook asks for the chart.
    const { run, chart, context } = await start();
    const ctx = await context();
    await run("upgrade", { ...PROD, chart, set_string: { "image.tag": "1.3.0" } }, ctx);
    const outputs = await run("upgrade", { ...PROD, chart }, ctx);
    expect(outputs).toMatchObject({ revision: 2, status: "deployed" });
    expect(deployedImage(cluster!)).toBe(DEFAULT_IMAGE);
    expect((await run("status", PROD, ctx)).values).toEqual({});
  });

  it("merges with the last release's values when reuse_values is set", async () => {
    const { run, chart, context } = await start();
    const ctx = await context();
    await run("upgrade", { ...PROD, chart, set_string: { "image.tag": "1.3.0" } }, ctx);
    await run("upgrade", { ...PROD, chart, reuse_values: true, set: { replicaCount: 2 } }, ctx);
    expect(deployedImage(cluster!)).toBe("registry.example.com/acme/api:1.3.0");
    expect((await run("status", PROD, ctx)).values).toEqual({ image: { tag: "1.3.0" }, replicaCount: 2 });
  });

  it("rolls back to the previous revision: a new revision, the old image back in the cluster", async () => {
    const { run, chart, context } = await start();
    const ctx = await context();
    await run("upgrade", { ...PROD, chart }, ctx);
    await run("upgrade", { ...PROD, chart, set_string: { "image.tag": "1.3.0" } }, ctx);
    const outputs = await run("rollback", PROD, ctx);
    expect(outputs).toEqual({
      release: "api",
      revision: 3,
      rolled_back_to: 1,
      previous_revision: 2,
      status: "deployed",
      app_version: "1.2.0",
    });
    expect(deployedImage(cluster!)).toBe(DEFAULT_IMAGE);
    expect(await run("status", PROD, ctx)).toMatchObject({ exists: true, revision: 3, status: "deployed" });
  });

  it("fails an upgrade whose pods never get ready once timeout has passed, leaving a failed revision", async () => {
    const { run, fail, chart, context } = await start();
    const ctx = await context();
    await run("upgrade", { ...PROD, chart }, ctx);
    const failure = await fail(
      "upgrade",
      {
        ...PROD,
        chart,
        timeout: "2s",
        set_string: { "image.repository": "registry.example.com/unpullable" },
      },
      ctx,
    );
    expect(failure.message).toMatch(
      /^helm upgrade api failed: UPGRADE FAILED: .*(context deadline exceeded|timed out|not ready)/,
    );
    expect(failure.hint).toMatch(/did not become ready within the timeout/);
    expect(failure.outputs).toMatchObject({
      previous_revision: 1,
      revision: 2,
      status: "failed",
      outcome: "failed",
    });
  });

  it("rolls an atomic upgrade whose pods never get ready back by itself, and says so", async () => {
    const { run, fail, chart, context } = await start();
    const ctx = await context();
    await run("upgrade", { ...PROD, chart }, ctx);
    const failure = await fail(
      "upgrade",
      {
        ...PROD,
        chart,
        atomic: true,
        timeout: "2s",
        set_string: { "image.repository": "registry.example.com/unpullable" },
      },
      ctx,
    );
    expect(failure.message).toMatch(
      line === "v3"
        ? /has been rolled back due to atomic being set/
        : /has been rolled back due to rollback-on-failure being set/,
    );
    expect(failure.hint).toMatch(/undid the failed change/);
    expect(failure.outputs).toMatchObject({
      previous_revision: 1,
      revision: 3,
      status: "deployed",
      outcome: "rolled_back",
    });
    expect(deployedImage(cluster!)).toBe(DEFAULT_IMAGE);
  });

  it("passes the API's refusal of an invalid manifest through, with the field it names", async () => {
    const { fail, cwd } = await start();
    const chart = writeChart(cwd, {
      "admin.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: api-admin\nspec:\n  type: ClusterIP\n",
    });
    const failure = await fail("upgrade", { ...PROD, chart });
    expect(failure.message).toMatch(
      /^helm upgrade api failed: .*Service "api-admin" is invalid: spec\.ports: Required value/,
    );
    expect(failure.outputs).toMatchObject({ revision: 1, status: "failed", outcome: "failed" });
  });

  it("uninstalls a release: its Deployment, Service and release Secrets are gone from the cluster", async () => {
    const { run, chart, context, api } = await start();
    const ctx = await context();
    await run("upgrade", { ...PROD, chart }, ctx);
    expect(await run("uninstall", PROD, ctx)).toEqual({ release: "api", uninstalled: true });
    expect(api.list("apps/v1", "deployments", "production")).toEqual([]);
    expect(api.list("v1", "services", "production")).toEqual([]);
    expect(api.list("v1", "secrets", "production")).toEqual([]);
    expect(await run("uninstall", { ...PROD, ignore_missing: true }, ctx)).toEqual({
      release: "api",
      uninstalled: false,
    });
  });

  /** Resolves once helm has stored a revision as pending-upgrade (it then waits on the pods). */
  async function pendingUpgrade(api: RealCluster["api"]): Promise<void> {
    const pending = () =>
      api
        .list("v1", "secrets", "production")
        .some((secret) => secret.metadata.labels?.status === "pending-upgrade");
    for (let tries = 0; !pending(); tries++) {
      if (tries > 800) throw new Error("helm never stored a pending revision");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it("stops helm when the step is cancelled while it waits: helm marks the revision failed", async () => {
    const { run, fail, chart, context, api } = await start();
    await run("upgrade", { ...PROD, chart });
    const ctx = await context();
    const waiting = fail(
      "upgrade",
      {
        ...PROD,
        chart,
        timeout: "5m",
        set_string: { "image.repository": "registry.example.com/unpullable" },
      },
      ctx,
    );
    await pendingUpgrade(api);
    ctx.abort(new Error("interrupted"));
    expect((await waiting).kind).toBe("cancelled");
    // helm handles SIGTERM: it cancels the wait and records the revision as failed, not pending.
    expect(await run("history", PROD)).toMatchObject({ revision: 2, status: "failed", deployed_revision: 1 });
    expect(await run("upgrade", { ...PROD, chart })).toMatchObject({ revision: 3, previous_revision: 1 });
  });

  it("refuses to upgrade a release a killed helm left pending, and names the way out", async () => {
    const { fail, chart, api, cwd, env } = await start();
    const { execa } = await import("execa");
    const helmArgs = [
      "upgrade",
      "--install",
      "api",
      chart,
      "--namespace",
      "production",
      "--kube-context",
      "prod",
    ];
    expect((await execa("helm", helmArgs, { cwd, env, extendEnv: false })).exitCode).toBe(0);
    const hanging = execa(
      "helm",
      [
        ...helmArgs,
        "--wait",
        "--timeout",
        "5m",
        "--set-string",
        "image.repository=registry.example.com/unpullable",
      ],
      { cwd, env, extendEnv: false, reject: false },
    );
    await pendingUpgrade(api);
    // A CI runner that died, or kill -9: helm gets no chance to record the outcome.
    hanging.kill("SIGKILL");
    await hanging;
    const locked = await fail("upgrade", { ...PROD, chart });
    expect(locked.message).toBe(
      "helm upgrade api failed: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress",
    );
    expect(locked.hint).toContain("helm history api --namespace production --kube-context prod");
    expect(locked.hint).toMatch(/roll back to the last deployed revision/);
  });

  it("passes commas, braces and backslashes in --set values through exactly", async () => {
    const { run, chart, context } = await start();
    const ctx = await context();
    const note = "a,b=c {d} \\e";
    await run("upgrade", { ...PROD, chart, set: { note, replicaCount: 3, debug: false } }, ctx);
    expect((await run("status", PROD, ctx)).values).toEqual({ note, replicaCount: 3, debug: false });
  });

  it("deploys pods that never get ready when told not to wait, as helm does", async () => {
    const { run, chart } = await start();
    const outputs = await run("upgrade", {
      ...PROD,
      chart,
      wait: false,
      set_string: { "image.repository": "registry.example.com/unpullable" },
    });
    expect(outputs).toMatchObject({ revision: 1, status: "deployed" });
  });

  it("fails a first install whose pods never get ready, leaving the failed revision", async () => {
    const { fail, chart, run } = await start();
    const failure = await fail("upgrade", {
      ...PROD,
      chart,
      timeout: "2s",
      set_string: { "image.repository": "registry.example.com/unpullable" },
    });
    // v3 says "context deadline exceeded", v4 names the resource that is not ready.
    expect(failure.message).toMatch(/^helm upgrade api failed: .*(context deadline exceeded|not ready)/);
    expect(failure.hint).toMatch(/did not become ready within the timeout/);
    expect(failure.outputs).toMatchObject({
      previous_revision: 0,
      revision: 1,
      status: "failed",
      outcome: "failed",
    });
    expect(await run("history", PROD)).toMatchObject({ revision: 1, status: "failed", deployed_revision: 0 });
  });

  it("fails an upgrade without install when the release does not exist", async () => {
    const { fail, chart } = await start();
    const failure = await fail("upgrade", { ...PROD, chart, install: false });
    expect(failure.message).toBe('helm upgrade api failed: UPGRADE FAILED: "api" has no deployed releases');
    expect(failure.hint).toMatch(/no revision to upgrade from/);
  });

  it("names the cluster problem when the kube-context's API server does not answer", async () => {
    const { fail, chart } = await start();
    const failure = await fail("upgrade", { ...PROD, kube_context: "down", chart });
    expect(failure.message).toMatch(
      /^helm history api failed: Kubernetes cluster unreachable: .*connection refused/i,
    );
    expect(failure.hint).toMatch(/kube_context and kubeconfig/);
  });

  it("says there is no release to roll back in the namespace asked", async () => {
    const { fail } = await start();
    const failure = await fail("rollback", PROD);
    expect(failure.message).toBe(
      "there is no release api in namespace production, context prod to roll back",
    );
  });
});

describe("helm v3 (real binary) given helm v4's spelling", () => {
  it("fails with helm's own unknown-flag error and relctl's hint, so a wrong pin cannot pass unnoticed", async () => {
    const cluster = await helmCluster("v3");
    try {
      const failure = await cluster.fail("upgrade", {
        ...PROD,
        chart: cluster.chart,
        atomic: true,
        helm_major: 4,
      });
      expect(failure.message).toBe("helm upgrade api failed: unknown flag: --rollback-on-failure");
      expect(failure.exitCode).toBe(1);
      expect(failure.hint).toMatch(/does not know a flag/);
    } finally {
      await cluster.close();
    }
  });
});
