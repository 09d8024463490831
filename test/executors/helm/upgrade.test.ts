import { describe, expect, it } from "vitest";
import helm from "../../../src/executors/helm.js";
import { StepFailure } from "../../../src/executors/contract.js";
import { pathWithoutTools, refusal } from "../tool-fakes.js";
import { deploy, helmProject, PROD, storedRevisions } from "./setup.js";

const upgradeCalls = (calls: string[][]) => calls.filter((argv) => argv[0] === "upgrade");

describe("helm.upgrade", () => {
  it("installs a new release as revision 1 and records that nothing was deployed before", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    const outputs = await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(outputs).toEqual({
      release: "api",
      revision: 1,
      previous_revision: 0,
      status: "deployed",
      chart: "api-1.2.0",
      app_version: "1.2.0",
      installed: true,
      helm_version: "v3.16.4+g7877b45",
    });
    expect(ctx.records).toEqual([
      {
        kind: "helm.release",
        data: expect.objectContaining({
          action: "upgrade",
          release: "api",
          previous_revision: 0,
          revision: 1,
        }) as unknown,
      },
    ]);
  });

  it("records the revision before and after each upgrade, so upgrading twice gives revision 2 then 3", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    const second = await fake.run(
      "upgrade",
      { ...PROD, chart: fake.chart, set: { "image.tag": "1.3.0" } },
      ctx,
    );
    expect(second).toMatchObject({ revision: 2, previous_revision: 1, installed: false, status: "deployed" });
    const third = await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(third).toMatchObject({ revision: 3, previous_revision: 2 });
    expect(storedRevisions(fake, "api").map((revision) => revision.info.status)).toEqual([
      "superseded",
      "superseded",
      "deployed",
    ]);
  });

  it("runs the exact helm upgrade command the runbooks run by hand", async () => {
    const fake = helmProject();
    await fake.run("upgrade", {
      ...PROD,
      chart: fake.chart,
      values: [fake.overlay],
      set: { "image.tag": "rc-20240501-001" },
      set_string: { build: "007" },
      timeout: "5m",
      atomic: true,
    });
    expect(upgradeCalls(fake.calls())).toEqual([
      [
        "upgrade",
        "--install",
        "api",
        "./charts/api",
        "--namespace",
        "production",
        "--kube-context",
        "prod",
        "--values",
        "overlays/us-east/values.yaml",
        "--set",
        "image.tag=rc-20240501-001",
        "--set-string",
        "build=007",
        "--wait",
        "--timeout",
        "5m",
        "--atomic",
      ],
    ]);
  });

  it("asks helm for its version once per run, not once per step", async () => {
    const fake = helmProject();
    const ctx = await fake.context({ run: { id: "one-run", stateDir: fake.cwd } });
    await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(fake.calls().filter((argv) => argv[0] === "version")).toEqual([["version", "--short"]]);
  });

  it("says --rollback-on-failure and a wait strategy to helm v4, which would reject v3's spelling", async () => {
    const fake = helmProject("4");
    const outputs = await fake.run("upgrade", { ...PROD, chart: fake.chart, atomic: true, wait: "legacy" });
    expect(outputs).toMatchObject({ revision: 1, helm_version: "v4.0.4+g8650e1d" });
    const argv = upgradeCalls(fake.calls())[0]!;
    expect(argv).toContain("--rollback-on-failure");
    expect(argv).toContain("--wait=legacy");
    expect(argv).not.toContain("--atomic");
  });

  it("fails like helm v3 does when given v4's flag, so a wrong flag cannot pass unnoticed", async () => {
    const fake = helmProject("3");
    const failure = await fake.fail("upgrade", { ...PROD, chart: fake.chart, atomic: true, helm_major: 4 });
    expect(failure.message).toBe("helm upgrade api failed: unknown flag: --rollback-on-failure");
    expect(failure.exitCode).toBe(1);
    expect(failure.hint).toMatch(/does not know a flag/);
  });

  it("keeps the last release's values on an upgrade given none, as real helm does (the fake agrees)", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    expect(await deploy(fake, ["--set-string", "image.tag=1.3.0"])).toBe(0);
    expect(await deploy(fake)).toBe(0);
    expect((await fake.run("status", PROD, ctx)).values).toEqual({ image: { tag: "1.3.0" } });
    // relctl says --reset-values itself, so a step without values deploys the chart's defaults.
    await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(upgradeCalls(fake.calls()).at(-1)).toContain("--reset-values");
    expect((await fake.run("status", PROD, ctx)).values).toEqual({});
  });

  it("passes commas, braces and backslashes in --set values through exactly", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    const note = "a,b=c {d} \\e";
    await fake.run("upgrade", { ...PROD, chart: fake.chart, set: { note, replicas: 3, debug: false } }, ctx);
    const status = await fake.run("status", PROD, ctx);
    expect(status.values).toEqual({ note, replicas: 3, debug: false });
  });

  it("reports a failed atomic upgrade as rolled back, with the revision the release is back on", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const failure = await fake.fail(
      "upgrade",
      {
        ...PROD,
        chart: fake.chart,
        atomic: true,
        set: { "fake.fail": "timed out waiting for the condition" },
      },
      ctx,
    );
    expect(failure.message).toBe(
      "helm upgrade api failed: UPGRADE FAILED: release api failed, and has been rolled back due to atomic being set: timed out waiting for the condition",
    );
    expect(failure.command?.slice(0, 3)).toEqual(["helm", "upgrade", "--install"]);
    expect(failure.exitCode).toBe(1);
    expect(failure.stderrTail).toMatch(/^Error: UPGRADE FAILED/);
    expect(failure.hint).toMatch(/undid the failed change/);
    expect(failure.outputs).toMatchObject({
      previous_revision: 1,
      revision: 3,
      status: "deployed",
      outcome: "rolled_back",
    });
    expect(ctx.records.at(-1)?.data).toMatchObject({
      action: "upgrade",
      outcome: "rolled_back",
      revision: 3,
    });
  });

  it("reports helm v4's rollback-on-failure wording the same way", async () => {
    const fake = helmProject("4");
    const ctx = await fake.context();
    await deploy(fake);
    const failure = await fake.fail(
      "upgrade",
      { ...PROD, chart: fake.chart, atomic: true, set: { "fake.fail": "context deadline exceeded" } },
      ctx,
    );
    expect(failure.message).toMatch(
      /has been rolled back due to rollback-on-failure being set: context deadline exceeded$/,
    );
    expect(failure.outputs).toMatchObject({ outcome: "rolled_back", revision: 3 });
  });

  it("leaves a failed revision behind when the upgrade was not atomic, and says so in its outputs", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const failure = await fake.fail(
      "upgrade",
      { ...PROD, chart: fake.chart, set: { "fake.fail": "timed out waiting for the condition" } },
      ctx,
    );
    expect(failure.message).toBe(
      "helm upgrade api failed: UPGRADE FAILED: timed out waiting for the condition",
    );
    expect(failure.hint).toMatch(/did not become ready/);
    expect(failure.outputs).toMatchObject({
      previous_revision: 1,
      revision: 2,
      status: "failed",
      outcome: "failed",
    });
  });

  it("fails an upgrade whose resources never get ready once timeout has passed, as helm --wait does", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const started = Date.now();
    const failure = await fake.fail(
      "upgrade",
      { ...PROD, chart: fake.chart, timeout: "1s", set: { "fake.hang": true } },
      ctx,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(failure.message).toBe("helm upgrade api failed: UPGRADE FAILED: context deadline exceeded");
    expect(failure.hint).toMatch(/did not become ready within the timeout/);
    expect(failure.outputs).toMatchObject({
      previous_revision: 1,
      revision: 2,
      status: "failed",
      outcome: "failed",
    });
    expect(storedRevisions(fake, "api").map((revision) => revision.info)).toMatchObject([
      { status: "deployed" },
      { status: "failed", description: 'Upgrade "api" failed: context deadline exceeded' },
    ]);
  });

  it("rolls back an atomic upgrade that timed out, and fails a first install that timed out", async () => {
    const fake = helmProject("4");
    const ctx = await fake.context();
    await deploy(fake);
    const rolledBack = await fake.fail(
      "upgrade",
      { ...PROD, chart: fake.chart, atomic: true, timeout: "300ms", set: { "fake.hang": true } },
      ctx,
    );
    expect(rolledBack.message).toBe(
      "helm upgrade api failed: UPGRADE FAILED: release api failed, and has been rolled back due to rollback-on-failure being set: context deadline exceeded",
    );
    expect(rolledBack.outputs).toMatchObject({ revision: 3, status: "deployed", outcome: "rolled_back" });

    const install = await fake.fail(
      "upgrade",
      { ...PROD, release: "web", chart: fake.chart, timeout: "0m0.3s", set: { "fake.hang": true } },
      ctx,
    );
    expect(install.message).toBe("helm upgrade web failed: INSTALLATION FAILED: context deadline exceeded");
    expect(storedRevisions(fake, "web").map((revision) => revision.info)).toMatchObject([
      { status: "failed", description: 'Release "web" failed: context deadline exceeded' },
    ]);
  });

  it("deploys resources that never get ready when told not to wait, as helm does", async () => {
    const fake = helmProject();
    const outputs = await fake.run("upgrade", {
      ...PROD,
      chart: fake.chart,
      wait: false,
      set: { "fake.hang": true },
    });
    expect(outputs).toMatchObject({ revision: 1, status: "deployed" });
    expect(upgradeCalls(fake.calls())[0]).not.toContain("--wait");
  });

  it("records an upgrade cancelled while it waits as failed, as real helm does on SIGTERM", async () => {
    // (A helm killed outright leaves the release locked: real-helm.test.ts shows it on the real binary.)
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const hanging = fake.fail("upgrade", { ...PROD, chart: fake.chart, set: { "fake.hang": true } }, ctx);
    for (let tries = 0; storedRevisions(fake, "api").at(-1)?.info.status !== "pending-upgrade"; tries++) {
      if (tries > 200) throw new Error("the fake never wrote the pending revision");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    ctx.abort(new Error("interrupted"));
    expect((await hanging).kind).toBe("cancelled");
    for (let tries = 0; storedRevisions(fake, "api").at(-1)?.info.status !== "failed"; tries++) {
      if (tries > 200) throw new Error("the fake never recorded the cancelled revision as failed");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(storedRevisions(fake, "api").at(-1)?.info.description).toBe(
      'Upgrade "api" failed: context canceled',
    );
    expect(await fake.run("upgrade", { ...PROD, chart: fake.chart })).toMatchObject({
      revision: 3,
      previous_revision: 1,
    });
  });

  it("fails an upgrade without install when the release does not exist", async () => {
    const fake = helmProject();
    const failure = await fake.fail("upgrade", { ...PROD, chart: fake.chart, install: false });
    expect(failure.message).toBe('helm upgrade api failed: UPGRADE FAILED: "api" has no deployed releases');
    expect(failure.hint).toMatch(/no revision to upgrade from/);
  });

  it("names the cluster problem when the kube-context's API server does not answer", async () => {
    const fake = helmProject();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${fake.state}/unreachable.json`, JSON.stringify(["prod"]));
    const failure = await fake.fail("upgrade", { ...PROD, chart: fake.chart });
    expect(failure.message).toMatch(/^helm history api failed: Kubernetes cluster unreachable/);
    expect(failure.hint).toMatch(/kube_context and kubeconfig/);
    expect(upgradeCalls(fake.calls())).toEqual([]);
  });

  it("names the missing program and points at relctl doctor when helm is not installed", async () => {
    const fake = helmProject();
    const ctx = await fake.context({ env: { ...fake.env, PATH: pathWithoutTools() } });
    const failure = await fake.fail("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe("helm: command not found");
    expect(failure.hint).toMatch(/relctl doctor/);
  });

  it.each([
    [{ release: "--dry-run", chart: "./charts/api" }, 'release must not start with "-"'],
    [{ release: "api", chart: "--post-renderer=/bin/sh" }, 'chart must not start with "-"'],
    [
      { release: "API_v2", chart: "./charts/api" },
      "a release name is lowercase letters, digits, - and . (a DNS name)",
    ],
    [
      { release: "api", chart: "./c", set: { "a,b": 1 } },
      'a --set key is a dotted path without spaces, "=" or ","',
    ],
    [{ release: "api", chart: "./c", timeout: "2d" }, '"2d" is not a duration like 90s, 5m or 1h30m'],
    [
      { release: "api", chart: "./c", reuse_values: true, reset_values: true },
      "reuse_values and reset_values exclude each other",
    ],
  ])("refuses %j before running anything", (input, message) => {
    expect(refusal(helm, "upgrade", input)).toContain(message);
  });

  it("plans the v3 command and notes the v4 spelling when the major is not pinned", () => {
    const action = helm.actions.upgrade!;
    const plan = action.plan(
      action.input.parse({ ...PROD, chart: "./charts/api", atomic: true, timeout: 300 }),
    );
    expect(plan.argv).toEqual([
      "helm",
      "upgrade",
      "--install",
      "api",
      "./charts/api",
      "--namespace",
      "production",
      "--kube-context",
      "prod",
      "--wait",
      "--timeout",
      "300s",
      "--atomic",
      "--reset-values",
    ]);
    expect(plan.details?.helm_v4).toMatch(/--rollback-on-failure/);
  });
});
