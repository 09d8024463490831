// A canary whose error rate is above the runbook's 2% rollback trigger, through the shipped
// train: the first weight's gate fails on the real Prometheus, relctl exits 3, the rollback
// stage removes the canary (fake helm), production's stable release is left alone, later
// weights never start, and promote is refused afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { journal, releaseHistory, startedSteps, trainRecord } from "./records.js";
import {
  canaryMetricsScraped,
  PREVIOUS_DIGEST,
  PREVIOUS_VERSION,
  SERVICE,
  startTrainWorld,
  VERSION,
  type TrainWorld,
} from "./world.js";

let world: TrainWorld;

beforeAll(async () => {
  // 3% of the canary's requests fail: above the 1% gate and the 2% rollback trigger.
  world = await startTrainWorld({ canaryErrorRatio: 0.03 });
  const before = await world.relctl(["run", "freeze", "build", "sign", "stage", "validate", "--yes"]);
  if (before.exitCode !== 0)
    throw new Error(`the stages before canary failed:\n${before.stdout}\n${before.stderr}`);
  await canaryMetricsScraped(world);
});
afterAll(async () => {
  await world?.close();
});

describe("a canary that fails its gate", () => {
  let result: { exitCode: number; stdout: string; stderr: string };

  beforeAll(async () => {
    // Evaluated twice a second, the 11th failure (failure_limit: 10) comes after ~5s.
    result = await world.relctl(["canary", "--yes", "--var", "gate_interval=500ms"], { timeoutMs: 90_000 });
  });

  it("stops at the first weight with exit code 3 and says which gate failed and why", () => {
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(3);
    expect(result.stdout).toMatch(/✗ slo-10/);
    expect(result.stdout).toMatch(/failed \(11\) > failure_limit \(10\)/);
    expect(result.stderr).toMatch(/slo-10: error_rate 3% > 1% FAILED/);
  });

  it("never starts the later weights", () => {
    const started = startedSteps(journal(world.dir));
    expect(started).toContain("canary/shift-10");
    expect(started).not.toContain("canary/shift-50");
    expect(result.stdout).toMatch(
      /⊘ shift-50 Shift traffic to the canary at 50% .*\(not started: step slo-10 failed\)/,
    );
    const calls = world
      .fakeCalls("helm")
      .filter((argv) => argv[0] === "upgrade" && argv[2] === `${SERVICE}-canary`);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(expect.arrayContaining(["--set", "canary.weight=10"]));
  });

  it("runs the rollback stage, which removes the canary and leaves production's stable release and staging alone", () => {
    expect(result.stdout).toContain("stage rollback (on failure)");
    expect(world.fakeCalls("helm")).toContainEqual(
      expect.arrayContaining(["uninstall", `${SERVICE}-canary`, "--namespace", "production"]),
    );
    expect(world.helmRevisions("production", "production", `${SERVICE}-canary`)).toEqual([]);

    const production = world.helmRevisions("production", "production", SERVICE);
    expect(production.map((revision) => revision.info.status)).toEqual(["deployed"]);
    expect((production[0]!.config?.image as { digest: string }).digest).toBe(PREVIOUS_DIGEST);
    expect(world.fakeCalls("helm").filter((argv) => argv[0] === "rollback")).toEqual([]);
    // Staging stays on the candidate, where the failure can be reproduced.
    expect(result.stdout).toMatch(/↷ rollback-staging/);
    expect(world.helmRevisions("staging", "staging", `${SERVICE}-staging`).at(-1)?.info.status).toBe(
      "deployed",
    );
  });

  it("opens an incident issue that gives the gate's reason", () => {
    const incident = world.github.issues.at(-1);
    expect(incident?.title).toBe(`Rollback: ${SERVICE} v${VERSION}`);
    expect(incident?.body).toMatch(
      /gate failed: failed \(11\) > failure_limit \(10\); last: error_rate: 3% > 1%/,
    );
    expect(incident?.labels).toEqual(expect.arrayContaining(["incident", "auto-rollback"]));
  });

  it("does not record the canary as passed, so promote is refused", async () => {
    expect(Object.keys(trainRecord(world.dir).stages)).not.toContain("canary");
    const promote = await world.relctl(["promote", "--yes"]);
    expect(promote.exitCode).toBe(4);
    expect(promote.stderr).toMatch(/promote needs canary, which has not passed for release-train 1\.4\.0/);
    expect(await world.tagDigest(`v${VERSION}`)).toBeUndefined();
    expect(world.repo.remoteTagCommit(`v${VERSION}`)).toBeUndefined();
  });

  it("records that production runs the release before again, and 1.4.0 as rolled back (never a target)", () => {
    const history = releaseHistory(world.dir, "production");
    expect(history.map((record) => [record.kind, record.version])).toEqual([
      ["promote", PREVIOUS_VERSION],
      ["rollback", PREVIOUS_VERSION],
    ]);
    expect(history[1]).toMatchObject({
      rolledBackFrom: VERSION,
      imageDigests: { [SERVICE]: PREVIOUS_DIGEST },
    });
    // What runs now: the stable release's revision, not the canary that was removed.
    expect(history[1]!.helmRevisions).toEqual({ [SERVICE]: 1 });
  });
});
