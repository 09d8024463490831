// Recording and reading a person's decision on a paused gate (what `relctl decide` will call),
// and the pause itself on a manual clock.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitForDecision } from "../../../src/executors/prometheus/pause.js";
import { decisionPath, readDecision, writeDecision } from "../../../src/state/decisions.js";
import { manualClock } from "../../helpers/action-context.js";
import { tempDir } from "../../helpers/servers.js";
import { context, messages, recordsOf } from "./run-action.js";

const NOW = new Date("2026-11-22T10:05:00Z");

describe("recording a decision on a paused gate", () => {
  it("writes <stateDir>/decisions/<run>/<step>.json with who, why and when", async () => {
    const stateDir = tempDir("state");
    const result = await writeDecision(
      stateDir,
      "run-42",
      "canary-gate",
      { decision: "continue", by: "alice", reason: "looks fine" },
      NOW,
    );
    expect(result).toMatchObject({
      written: true,
      path: join(stateDir, "decisions", "run-42", "canary-gate.json"),
    });
    expect(JSON.parse(readFileSync(result.path, "utf8"))).toEqual({
      decision: "continue",
      by: "alice",
      reason: "looks fine",
      at: "2026-11-22T10:05:00.000Z",
    });
    expect(await readDecision(stateDir, "run-42", "canary-gate")).toMatchObject({
      state: "decided",
      decision: { decision: "continue" },
    });
  });

  it("keeps the first decision and reports it when someone decides again", async () => {
    const stateDir = tempDir("state");
    await writeDecision(
      stateDir,
      "run-42",
      "gate",
      { decision: "abort", by: "bob", reason: "error budget is gone" },
      NOW,
    );
    const second = await writeDecision(
      stateDir,
      "run-42",
      "gate",
      { decision: "continue", by: "carol", reason: "ship it" },
      NOW,
    );
    expect(second).toMatchObject({ written: false, existing: { decision: "abort", by: "bob" } });
  });

  it("reads no decision as none and a malformed one as invalid, never as a decision", async () => {
    const stateDir = tempDir("state");
    expect(await readDecision(stateDir, "run-42", "gate")).toEqual({ state: "none" });
    const path = decisionPath(stateDir, "run-42", "gate");
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"decision":"yes"}');
    expect(await readDecision(stateDir, "run-42", "gate")).toMatchObject({
      state: "invalid",
      problem: expect.stringContaining("decision:"),
    });
  });

  it.each([["../../etc"], ["a/b"], [""]])(
    "refuses a run id or step id like %j that could leave the state directory",
    async (id) => {
      const stateDir = tempDir("state");
      const decision = { decision: "continue" as const, by: "x", reason: "y" };
      await expect(writeDecision(stateDir, id, "gate", decision)).rejects.toThrow(/invalid run id/);
      await expect(writeDecision(stateDir, "run", id, decision)).rejects.toThrow(/invalid step id/);
    },
  );

  it("requires who decided and why", async () => {
    await expect(
      writeDecision(tempDir("state"), "run", "gate", { decision: "continue", by: " ", reason: "x" }),
    ).rejects.toThrow(/say who decided/);
  });
});

describe("pausing for a decision", () => {
  it("ignores a malformed decision file with one warning, then takes the default at the deadline", async () => {
    const ctx = await context({ clock: manualClock(NOW) });
    const path = decisionPath(ctx.run.stateDir, ctx.run.id, ctx.step.id);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "continue please");
    const outcome = await waitForDecision(ctx, { deadlineMs: 60_000, fallback: "abort", why: "no data" });
    expect(outcome).toEqual({
      decision: "abort",
      by: "relctl",
      reason: "nobody decided within 1m (on_inconclusive.default: abort)",
      defaulted: true,
    });
    expect(messages(ctx, "warn").filter((m) => m.startsWith("ignoring"))).toEqual([
      `ignoring ${path}: it is not JSON; write it again with relctl decide`,
    ]);
    expect(ctx.clock.now()).toEqual(new Date(NOW.getTime() + 60_000));
    expect(recordsOf(ctx, "gate.paused")).toEqual([
      { reason: "no data", deadline: "2026-11-22T10:06:00Z", default: "abort", file: path },
    ]);
  });

  it("can default to continue when the playbook says so", async () => {
    const ctx = await context({ clock: manualClock(NOW) });
    const outcome = await waitForDecision(ctx, { deadlineMs: 30_000, fallback: "continue", why: "no data" });
    expect(outcome).toMatchObject({ decision: "continue", defaulted: true });
  });
});
