import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { releaseHistoryPath } from "../../src/state/paths.js";
import {
  helmRollbackRevision,
  knownGood,
  lastKnownGood,
  recordRelease,
  releaseHistory,
  type ReleaseRecordInput,
} from "../../src/state/release-record.js";

const stateDir = () => mkdtempSync(join(tmpdir(), "relctl-releases-"));
const digest = (char: string) => `sha256:${char.repeat(64)}`;
const release = (version: string, changes: Partial<ReleaseRecordInput> = {}): ReleaseRecordInput => ({
  environment: "production",
  version,
  gitSha: "0123456789abcdef0123456789abcdef01234567",
  tag: `v${version}`,
  imageDigests: { api: digest("a") },
  helmRevisions: { api: 3 },
  at: "2026-11-22T10:00:00.000Z",
  runId: `run-${version}`,
  ...changes,
});

describe("last known good", () => {
  it("is the latest successful promote, and the rollback target is the one before it", () => {
    const dir = stateDir();
    recordRelease(dir, release("1.2.0"));
    recordRelease(
      dir,
      release("1.3.0", {
        imageDigests: { api: digest("b"), worker: digest("c") },
        helmRevisions: { api: 4 },
      }),
    );

    const good = knownGood(dir, "production");

    expect(good.current).toMatchObject({
      version: "1.3.0",
      kind: "promote",
      imageDigests: { api: digest("b"), worker: digest("c") },
      helmRevisions: { api: 4 },
    });
    expect(good.previous).toMatchObject({ version: "1.2.0", tag: "v1.2.0", runId: "run-1.2.0" });
    expect(lastKnownGood(dir, "production")?.version).toBe("1.3.0");
  });

  it("keeps environments apart", () => {
    const dir = stateDir();
    recordRelease(dir, release("1.3.0", { environment: "staging" }));
    expect(lastKnownGood(dir, "production")).toBeUndefined();
    expect(lastKnownGood(dir, "staging")?.version).toBe("1.3.0");
  });

  it("skips a re-promote of the same version when choosing the rollback target", () => {
    const dir = stateDir();
    for (const version of ["1.2.0", "1.3.0", "1.3.0"]) recordRelease(dir, release(version));
    expect(knownGood(dir, "production").previous?.version).toBe("1.2.0");
  });

  it("never offers a version that was rolled back as a rollback target again", () => {
    const dir = stateDir();
    for (const version of ["1.1.0", "1.2.0", "1.3.0"]) recordRelease(dir, release(version));
    recordRelease(dir, release("1.2.0", { kind: "rollback", rolledBackFrom: "1.3.0" }));
    const good = knownGood(dir, "production");
    expect(good.current).toMatchObject({ version: "1.2.0", kind: "rollback" });
    expect(good.previous?.version).toBe("1.1.0");
  });

  it("reads the history past a torn last line", () => {
    const dir = stateDir();
    recordRelease(dir, release("1.2.0"));
    appendFileSync(releaseHistoryPath(dir, "production"), '{"kind":"promote","environment":"produ');
    expect(releaseHistory(dir, "production").map((record) => record.version)).toEqual(["1.2.0"]);
  });

  it("refuses a record with a malformed image digest", () => {
    expect(() => recordRelease(stateDir(), release("1.2.0", { imageDigests: { api: "latest" } }))).toThrow(
      /sha256:<64 hex>/,
    );
  });

  it("refuses an environment name that is a path", () => {
    expect(() => recordRelease(stateDir(), release("1.2.0", { environment: "../prod" }))).toThrow(
      /invalid environment/,
    );
  });
});

describe("rollback target from helm history", () => {
  // As `helm history api -o json` prints it.
  const history = [
    {
      revision: 1,
      updated: "2026-11-01T10:00:00Z",
      status: "superseded",
      chart: "api-1.1.0",
      app_version: "1.1.0",
      description: "Install complete",
    },
    {
      revision: 2,
      updated: "2026-11-08T10:00:00Z",
      status: "superseded",
      chart: "api-1.2.0",
      app_version: "1.2.0",
      description: "Upgrade complete",
    },
    {
      revision: 3,
      updated: "2026-11-15T10:00:00Z",
      status: "deployed",
      chart: "api-1.3.0",
      app_version: "1.3.0",
      description: "Upgrade complete",
    },
  ];

  it("picks the revision the deployed one superseded", () => {
    const choice = helmRollbackRevision(history);
    expect(choice?.target.revision).toBe(2);
    expect(choice?.current.revision).toBe(3);
    expect(choice?.reason).toBe(
      "revision 2 (api-1.2.0, app 1.2.0, superseded) is the last good revision before the current 3 (deployed)",
    );
  });

  it("after a failed upgrade, picks the release that was running before it", () => {
    const failed = [...history, { revision: 4, status: "failed", chart: "api-1.4.0", app_version: "1.4.0" }];
    expect(helmRollbackRevision(failed)?.target.revision).toBe(3);
  });

  it("skips failed and pending revisions, and accepts revisions printed as strings", () => {
    const messy = [
      { revision: "1", status: "superseded", chart: "api-1.1.0" },
      { revision: "2", status: "failed", chart: "api-1.2.0" },
      { revision: "3", status: "pending-upgrade", chart: "api-1.2.1" },
      { revision: "4", status: "deployed", chart: "api-1.3.0" },
    ];
    expect(helmRollbackRevision(messy)?.target.revision).toBe(1);
  });

  it("honours the current revision it is given", () => {
    expect(helmRollbackRevision(history, { currentRevision: 2 })?.target.revision).toBe(1);
  });

  it("finds nothing when there is no earlier good revision", () => {
    expect(helmRollbackRevision([history[0]])).toBeUndefined();
    expect(helmRollbackRevision([])).toBeUndefined();
  });

  it("rejects output that is not helm history", () => {
    expect(() => helmRollbackRevision([{ version: 3 }])).toThrow();
  });
});
