// What the helm release actions do that the real binaries cannot be made to show here: a
// schema refusal, helm output in a shape relctl does not know, and helm v4's rollback_revision
// field. Rollback, history, status and uninstall run on the real helm v3 and v4 against the
// loopback Kubernetes API: real-release.test.ts.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deploy, helmProject, PROD } from "./setup.js";

describe("helm release actions on the fake helm", () => {
  it("reads where a helm v4 rollback returned from its rollback_revision", async () => {
    const fake = helmProject("4");
    const ctx = await fake.context();
    await deploy(fake);
    await deploy(fake);
    await fake.run("rollback", PROD, ctx);
    const history = await fake.run("history", PROD, ctx);
    expect((history.revisions as { rollback_revision?: number }[]).at(-1)?.rollback_revision).toBe(1);
  });

  it("refuses revision 0, which would mean 'previous' to helm, as a value from a first install", async () => {
    const fake = helmProject();
    await expect(fake.run("rollback", { ...PROD, revision: 0 })).rejects.toThrow(
      /revision must be 1 or more/,
    );
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
