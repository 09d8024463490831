import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { releaseHistoryPath } from "../../src/state/paths.js";
import {
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
