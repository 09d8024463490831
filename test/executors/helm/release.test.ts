import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import helm from "../../../src/executors/helm.js";
import { deploy, helmProject, PROD, storedRevisions } from "./setup.js";

const rollbackCalls = (calls: string[][]) => calls.filter((argv) => argv[0] === "rollback");

describe("helm.rollback", () => {
  it("rolls back to the previous revision and records where it returned: revision 3 pointing at 1", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    await deploy(fake, ["--set", "image.tag=1.3.0"]);
    const outputs = await fake.run("rollback", PROD, ctx);
    expect(outputs).toEqual({
      release: "api",
      revision: 3,
      rolled_back_to: 1,
      previous_revision: 2,
      status: "deployed",
      app_version: "1.2.0",
    });
    expect(rollbackCalls(fake.calls())).toEqual([
      ["rollback", "api", "1", "--namespace", "production", "--kube-context", "prod", "--wait"],
    ]);
    expect(storedRevisions(fake, "api").at(-1)?.info.description).toBe("Rollback to 1");
    expect(ctx.records.at(-1)).toEqual({
      kind: "helm.release",
      data: expect.objectContaining({ action: "rollback", revision: 3, rolled_back_to: 1 }) as unknown,
    });
  });

  it("skips a failed revision that helm's own 'previous' would have returned to", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    await fake.fail(
      "upgrade",
      { ...PROD, chart: fake.chart, atomic: true, set: { "fake.fail": "boom" } },
      ctx,
    );
    // History: 1 superseded, 2 failed, 3 deployed (helm's atomic rollback to 1). Revision 2 is broken.
    const outputs = await fake.run("rollback", PROD, ctx);
    expect(outputs).toMatchObject({
      rolled_back_to: 1,
      previous_revision: 3,
      revision: 4,
      status: "deployed",
    });
  });

  it("fails a rollback whose resources never get ready once timeout has passed, as helm --wait does", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    // Revision 1's resources never get ready; without --wait helm did not notice.
    await deploy(fake, ["--set", "fake.hang=true"]);
    await deploy(fake, ["--set", "fake.hang=false"]);
    const failure = await fake.fail("rollback", { ...PROD, revision: 1, timeout: "500ms" }, ctx);
    expect(failure.message).toBe(
      "helm rollback api to revision 1 failed: release api failed: context deadline exceeded",
    );
    expect(failure.hint).toMatch(/did not become ready within the timeout/);
    // What was deployed stays deployed, beside the failed rollback.
    expect(storedRevisions(fake, "api").map((revision) => revision.info)).toMatchObject([
      { status: "superseded" },
      { status: "deployed" },
      { status: "failed", description: 'Release "api" failed: context deadline exceeded' },
    ]);
  });

  it("returns to a given revision", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    for (const tag of ["1.0.0", "1.1.0", "1.2.0"]) await deploy(fake, ["--set-string", `image.tag=${tag}`]);
    expect(await fake.run("rollback", { ...PROD, revision: 1 }, ctx)).toMatchObject({
      revision: 4,
      rolled_back_to: 1,
    });
    expect((await fake.run("status", PROD, ctx)).values).toEqual({ image: { tag: "1.0.0" } });
  });

  it("reads where a helm v4 rollback returned from its rollback_revision", async () => {
    const fake = helmProject("4");
    const ctx = await fake.context();
    await deploy(fake);
    await deploy(fake);
    await fake.run("rollback", PROD, ctx);
    const history = await fake.run("history", PROD, ctx);
    expect((history.revisions as { rollback_revision?: number }[]).at(-1)?.rollback_revision).toBe(1);
  });

  it("reports a revision that is not in the history with helm's own words", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const failure = await fake.fail("rollback", { ...PROD, revision: 9 }, ctx);
    expect(failure.message).toBe("helm rollback api to revision 9 failed: release has no 9 version");
    expect(failure.hint).toMatch(/not in the release's history/);
  });

  it("says there is nothing to return to after the first install", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const failure = await fake.fail("rollback", PROD, ctx);
    expect(failure.message).toBe(
      "api has no earlier successful revision to roll back to (current: revision 1, deployed)",
    );
    expect(failure.hint).toMatch(/helm.uninstall/);
  });

  it("refuses revision 0, which would mean 'previous' to helm, as a value from a first install", async () => {
    const fake = helmProject();
    await expect(fake.run("rollback", { ...PROD, revision: 0 })).rejects.toThrow(
      /revision must be 1 or more/,
    );
  });

  it("fails clearly for a release that does not exist", async () => {
    const fake = helmProject();
    const failure = await fake.fail("rollback", PROD);
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
});

describe("helm.history and helm.status", () => {
  it("parses the history oldest first and says which revision serves and where a rollback would go", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    await deploy(fake);
    await fake.fail(
      "upgrade",
      { ...PROD, chart: fake.chart, set: { "fake.fail": "image pull failed" } },
      ctx,
    );
    const history = await fake.run("history", PROD, ctx);
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

  it("reads the revision of helm status from `version`", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    await deploy(fake, ["--set", "replicas=4"]);
    expect(await fake.run("status", PROD, ctx)).toMatchObject({
      exists: true,
      revision: 2,
      status: "deployed",
      namespace: "production",
      description: "Upgrade complete",
      values: { replicas: 4 },
    });
  });

  it("reports a missing release as not existing when allowed, and as helm's error otherwise", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    expect(await fake.run("status", { ...PROD, allow_missing: true }, ctx)).toMatchObject({
      exists: false,
      revision: 0,
    });
    expect(await fake.run("history", { ...PROD, allow_missing: true }, ctx)).toMatchObject({
      exists: false,
      revisions: [],
    });
    const failure = await fake.fail("status", PROD, ctx);
    expect(failure.message).toBe("helm status api failed: release: not found");
    expect(failure.exitCode).toBe(1);
  });

  it("reports a release that does not exist yet as exists: false in a dry-run preview", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    for (const name of ["history", "status"]) {
      const action = helm.actions[name]!;
      expect(await action.preview!(ctx, action.input.parse(PROD))).toMatchObject({
        exists: false,
        revision: 0,
      });
    }
  });

  it("fails on history output that is not in helm's shape instead of guessing", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const file = join(fake.state, "prod", "production", "api.json");
    writeFileSync(file, JSON.stringify([{ version: "one", info: { status: "deployed" }, chart: {} }]));
    const failure = await fake.fail("history", PROD, ctx);
    expect(failure.message).toMatch(/^helm history printed JSON in an unexpected shape/);
  });
});

describe("helm.uninstall", () => {
  it("removes a release, and with ignore_missing succeeds when it is already gone", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake, [], "api-canary");
    expect(await fake.run("uninstall", { ...PROD, release: "api-canary" }, ctx)).toEqual({
      release: "api-canary",
      uninstalled: true,
    });
    expect(
      await fake.run("uninstall", { ...PROD, release: "api-canary", ignore_missing: true }, ctx),
    ).toEqual({
      release: "api-canary",
      uninstalled: false,
    });
    const failure = await fake.fail("uninstall", { ...PROD, release: "api-canary" }, ctx);
    expect(failure.message).toBe(
      "helm uninstall api-canary failed: uninstall: Release not loaded: api-canary: release: not found",
    );
  });
});
