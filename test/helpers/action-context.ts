// A real ActionContext for calling an executor action directly in a test: a real process
// runner unless one is given, a clock the test controls, and logs kept for assertions.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ActionContext } from "../../src/executors/contract.js";
import type { Clock } from "../../src/run/clock.js";
import type { ProcessRunner } from "../../src/run/process.js";

export interface TestContext extends ActionContext {
  logs: { level: "info" | "warn" | "debug"; message: string }[];
  records: { kind: string; data: Record<string, unknown> }[];
  /** Aborts ctx.signal, as a timeout or Ctrl-C would. */
  abort(reason?: Error): void;
}

/** A clock whose sleep advances time at once and records how long it was asked to wait. */
export function manualClock(start = new Date("2026-11-22T10:00:00Z")): Clock & { sleeps: number[] } {
  let now = start.getTime();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

export async function testContext(
  overrides: Partial<ActionContext> & { runner?: ProcessRunner } = {},
): Promise<TestContext> {
  const controller = new AbortController();
  const logs: TestContext["logs"] = [];
  const records: TestContext["records"] = [];
  const { runner, ...rest } = overrides;
  const exec =
    runner ?? overrides.exec ?? (await import("../../src/run/process-runner.js")).createProcessRunner();
  return {
    exec,
    fetch: globalThis.fetch,
    clock: manualClock(),
    log: {
      info: (message) => logs.push({ level: "info", message }),
      warn: (message) => logs.push({ level: "warn", message }),
      debug: (message) => logs.push({ level: "debug", message }),
    },
    signal: controller.signal,
    secrets: { get: () => undefined },
    redact: (text) => text,
    cwd: process.cwd(),
    env: process.env,
    step: { id: "test-step", stage: "test", declaredOutputs: [] },
    run: { id: "test-run", stateDir: mkdtempSync(join(tmpdir(), "relctl-state-")) },
    tempDir: mkdtempSync(join(tmpdir(), "relctl-step-")),
    record: (kind, data) => records.push({ kind, data }),
    ...rest,
    logs,
    records,
    abort: (reason) => controller.abort(reason ?? new Error("aborted")),
  };
}
