import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import {
  acquireLock,
  forceUnlock,
  inspectLock,
  lockFile,
  lockHeldError,
  type LockInfo,
} from "../../src/state/lock.js";
import { lockAuditPath, locksDir } from "../../src/state/paths.js";
import { childScript } from "./helpers/child-modules.js";

const target = { playbook: "api-release", environment: "production" };
const stateDir = () => mkdtempSync(join(tmpdir(), "relctl-lock-"));
const audit = (dir: string) =>
  readFileSync(lockAuditPath(dir), "utf8")
    .trim()
    .split("\n")
    .map(
      (line) =>
        JSON.parse(line) as {
          action: string;
          by?: string;
          reason?: string;
          lock?: LockInfo;
          previous?: LockInfo;
        },
    );

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(child.stdout);
}

function plantLock(dir: string, info: Partial<LockInfo>): LockInfo {
  const lock: LockInfo = {
    runId: "20261122T090000Z-dead",
    pid: deadPid(),
    hostname: hostname(),
    startedAt: "2026-11-22T09:00:00.000Z",
    command: ["relctl", "promote"],
    target,
    ...info,
  };
  mkdirSync(locksDir(dir), { recursive: true });
  writeFileSync(lockFile(dir, target), JSON.stringify(lock));
  return lock;
}

// Waits for a "go" file so every racer calls acquireLock at the same moment, prints its result,
// then stays alive (holding whatever it got) until the "done" file appears.
const racer = () =>
  childScript(
    "lock-racer",
    `import { existsSync } from "node:fs";
import { acquireLock } from "./src/state/lock.js";
const [stateDir, go, done, runId] = process.argv.slice(2);
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
process.stdout.write("ready\\n");
while (!existsSync(go)) pause(1);
const result = acquireLock(stateDir, { playbook: "api-release", environment: "production" }, { runId, command: ["relctl", "promote"] });
process.stdout.write(JSON.stringify({ runId, kind: result.kind, holder: result.holder?.runId, tookOver: result.tookOver !== undefined }) + "\\n");
const wait = setInterval(() => { if (existsSync(done)) { clearInterval(wait); process.exit(0); } }, 5);
`,
  );

interface RaceResult {
  runId: string;
  kind: "acquired" | "held";
  holder?: string;
  tookOver: boolean;
}

async function race(dir: string, count: number): Promise<RaceResult[]> {
  const go = join(dir, "go");
  const done = join(dir, "done");
  const children = Array.from({ length: count }, (_, index) => {
    const child = spawn(process.execPath, [racer(), dir, go, done, `racer-${index}`], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    const ready = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("ready")) resolve();
      }),
    );
    const result = new Promise<RaceResult>((resolve, reject) => {
      child.stdout.on("data", () => {
        const line = output.split("\n").find((text) => text.startsWith("{"));
        if (line) resolve(JSON.parse(line) as RaceResult);
      });
      child.on("exit", (code) => reject(new Error(`racer exited ${code} before answering: ${output}`)));
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    return { ready, result, exited };
  });
  await Promise.all(children.map((child) => child.ready));
  writeFileSync(go, "");
  const results = await Promise.all(children.map((child) => child.result));
  writeFileSync(done, "");
  await Promise.all(children.map((child) => child.exited));
  return results;
}

describe("run locks", () => {
  it("lets exactly one of several processes racing for the same target win, and names the winner to the others", async () => {
    const dir = stateDir();
    const results = await race(dir, 4);
    const winners = results.filter((result) => result.kind === "acquired");
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => result.kind === "held")) {
      expect(loser.holder).toBe(winners[0]!.runId);
    }
    expect(audit(dir).filter((entry) => entry.action === "acquire")).toHaveLength(1);
  });

  it("lets exactly one of several processes take over a lock left by a dead process, and records the takeover once", async () => {
    const dir = stateDir();
    const dead = plantLock(dir, {});
    const results = await race(dir, 4);
    const winners = results.filter((result) => result.kind === "acquired");
    expect(winners).toHaveLength(1);
    expect(winners[0]!.tookOver).toBe(true);
    expect(results.filter((result) => result.kind === "held").map((result) => result.holder)).toEqual(
      Array(3).fill(winners[0]!.runId),
    );
    const takeovers = audit(dir).filter((entry) => entry.action === "takeover");
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]!.previous?.runId).toBe(dead.runId);
  });

  it("refuses a second run while the first holds the lock, naming the holder", () => {
    const dir = stateDir();
    const first = acquireLock(dir, target, {
      runId: "run-1",
      command: ["relctl", "promote", "-e", "production"],
    });
    expect(first.kind).toBe("acquired");

    const second = acquireLock(dir, target, { runId: "run-2", command: ["relctl", "promote"] });

    expect(second.kind).toBe("held");
    if (second.kind !== "held") return;
    expect(second.holder?.runId).toBe("run-1");
    expect(second.message).toMatch(
      new RegExp(
        `api-release on production is locked by run run-1 \\(pid ${process.pid} on ${hostname()}, since .*: relctl promote -e production\\)`,
      ),
    );
    const error = lockHeldError(second);
    expect(error.exitCode).toBe(ExitCode.blocked);
    expect(error.code).toBe("E_LOCK_HELD");
  });

  it("keeps targets apart: another environment or playbook is a different lock", () => {
    const dir = stateDir();
    expect(acquireLock(dir, target, { runId: "a", command: [] }).kind).toBe("acquired");
    expect(acquireLock(dir, { ...target, environment: "staging" }, { runId: "b", command: [] }).kind).toBe(
      "acquired",
    );
    expect(acquireLock(dir, { ...target, playbook: "web" }, { runId: "c", command: [] }).kind).toBe(
      "acquired",
    );
  });

  it("frees the target on release, and a release never removes someone else's lock", () => {
    const dir = stateDir();
    const first = acquireLock(dir, target, { runId: "run-1", command: [] });
    if (first.kind !== "acquired") throw new Error("expected the lock");
    forceUnlock(dir, target, { by: "ops", reason: "stuck", evenIfAlive: true });
    const second = acquireLock(dir, target, { runId: "run-2", command: [] });
    expect(second.kind).toBe("acquired");

    expect(first.lock.release()).toBe(false);
    expect(inspectLock(dir, target)?.info?.runId).toBe("run-2");
    if (second.kind === "acquired") expect(second.lock.release()).toBe(true);
    expect(inspectLock(dir, target)).toBeUndefined();
    expect(audit(dir).map((entry) => entry.action)).toEqual([
      "acquire",
      "force-unlock",
      "acquire",
      "release",
    ]);
  });

  it("detects a lock whose pid is dead on this host as stale and takes it over, recording why", () => {
    const dir = stateDir();
    const dead = plantLock(dir, {});
    expect(inspectLock(dir, target)).toMatchObject({
      state: "stale",
      reason: `pid ${dead.pid} is no longer running on ${hostname()}`,
    });

    const result = acquireLock(dir, target, { runId: "run-2", command: [] });

    expect(result).toMatchObject({ kind: "acquired", tookOver: { previous: { runId: dead.runId } } });
    expect(audit(dir).at(-1)).toMatchObject({
      action: "takeover",
      previous: { runId: dead.runId },
      lock: { runId: "run-2" },
    });
  });

  it("reports a stale lock without taking it over when asked not to", () => {
    const dir = stateDir();
    plantLock(dir, {});
    const result = acquireLock(dir, target, { runId: "run-2", command: [] }, { takeOverStale: false });
    expect(result).toMatchObject({ kind: "held", stale: true });
  });

  it("never judges a lock held on another host stale, since its pid means nothing here", () => {
    const dir = stateDir();
    plantLock(dir, { hostname: "ci-runner-7" });
    const result = acquireLock(dir, target, { runId: "run-2", command: [] }, { isAlive: () => false });
    expect(result).toMatchObject({ kind: "held", stale: false });
    if (result.kind === "held") expect(result.message).toContain("held on another host (ci-runner-7)");
  });

  it("treats a live pid as holding the lock", () => {
    const dir = stateDir();
    plantLock(dir, { pid: 12345 });
    expect(acquireLock(dir, target, { runId: "x", command: [] }, { isAlive: () => true }).kind).toBe("held");
  });

  it("records a forced unlock, with who and why, before removing the lock", () => {
    const dir = stateDir();
    acquireLock(dir, target, { runId: "run-1", command: [] });

    // The holder (this test's own process) is alive here: refused, nothing recorded or removed.
    expect(() => forceUnlock(dir, target, { by: "Ana <ana@example.com>", reason: "stuck" })).toThrow(
      `api-release on production is locked by run run-1, whose relctl is still running: pid ${process.pid} on ${hostname()}`,
    );
    expect(existsSync(lockFile(dir, target))).toBe(true);
    expect(audit(dir).map((entry) => entry.action)).toEqual(["acquire"]);

    const result = forceUnlock(dir, target, {
      by: "Ana <ana@example.com>",
      reason: "runner VM was deleted",
      evenIfAlive: true,
    });

    expect(result.removed?.runId).toBe("run-1");
    expect(existsSync(lockFile(dir, target))).toBe(false);
    expect(audit(dir).at(-1)).toMatchObject({
      action: "force-unlock",
      by: "Ana <ana@example.com>",
      reason: "runner VM was deleted",
      previous: { runId: "run-1" },
      holderAlive: true,
      evenIfAlive: true,
    });
    expect(forceUnlock(dir, target, { by: "Ana", reason: "again" })).toEqual({
      removed: undefined,
      wasLocked: false,
    });
  });

  it("treats an unreadable lock file as being written while it is fresh, and as stale once it is old", () => {
    const dir = stateDir();
    plantLock(dir, {});
    writeFileSync(lockFile(dir, target), "");
    expect(acquireLock(dir, target, { runId: "x", command: [] })).toMatchObject({
      kind: "held",
      holder: undefined,
    });
    const old = new Date(Date.now() - 60_000);
    spawnSync("touch", ["-d", old.toISOString(), lockFile(dir, target)]);
    expect(acquireLock(dir, target, { runId: "x", command: [] })).toMatchObject({ kind: "acquired" });
  });
});
