import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/errors.js";
import { parseFreezeCalendar } from "../../../src/release/freeze/calendar.js";
import { checkFreeze, freezeBlockedError, recordBreakGlass } from "../../../src/release/freeze/decision.js";
import type { IncidentCheck } from "../../../src/release/freeze/incidents.js";
import { breakGlassAuditPath } from "../../../src/state/paths.js";

const calendar = parseFreezeCalendar(`environments: [production]
windows:
  - { name: weekend, from: "Fri 17:00", to: "Mon 09:00", timezone: UTC }
holidays:
  - { name: christmas, from: 2026-12-24, to: 2026-12-27, timezone: Europe/Berlin }
`);
const saturday = new Date("2026-11-21T12:00:00Z");
const wednesday = new Date("2026-11-25T12:00:00Z");

function source(
  name: string,
  answer: { active: boolean; reason: string } | Error,
): IncidentCheck & { calls: number } {
  const check = {
    name,
    calls: 0,
    check() {
      check.calls++;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return check;
}
const quiet = () => source("paging", { active: false, reason: "paging: no active incident" });

describe("the freeze decision", () => {
  it("blocks a protected environment inside a window, naming the window and when it ends, without asking incident sources", async () => {
    const paging = quiet();
    const decision = await checkFreeze({
      calendar,
      environment: "production",
      at: saturday,
      incidents: [paging],
    });
    expect(decision).toMatchObject({
      kind: "blocked",
      cause: "window",
      window: { name: "weekend" },
      endsAt: new Date("2026-11-23T09:00:00Z"),
    });
    if (decision.kind !== "blocked") return;
    expect(decision.message).toBe(
      "production is frozen by weekly window weekend (Fri 17:00 → Mon 09:00 UTC) until Mon 2026-11-23 09:00 UTC (2026-11-23T09:00Z)",
    );
    expect(paging.calls).toBe(0);
    const error = freezeBlockedError(decision);
    expect(error.exitCode).toBe(ExitCode.blocked);
    expect(error.hint).toContain("--break-glass");
  });

  it("says when a chain of windows lifts, in the window's own time zone", async () => {
    const decision = await checkFreeze({
      calendar,
      environment: "production",
      at: new Date("2026-12-24T10:00:00Z"),
    });
    expect(decision.kind === "blocked" && decision.message).toBe(
      "production is frozen by holiday christmas (2026-12-24 → 2026-12-27 Europe/Berlin) until Mon 2026-12-28 00:00 Europe/Berlin (2026-12-27T23:00Z); " +
        "another window follows, so it is frozen until Mon 2026-12-28 10:00 Europe/Berlin (2026-12-28T09:00Z)",
    );
  });

  it("clears an unprotected environment without asking incident sources", async () => {
    const paging = source("paging", { active: true, reason: "P0 firing" });
    expect(
      await checkFreeze({ calendar, environment: "staging", at: saturday, incidents: [paging] }),
    ).toEqual({ kind: "clear", environment: "staging" });
    expect(paging.calls).toBe(0);
  });

  it("clears a protected environment outside every window when no incident is active", async () => {
    expect(
      await checkFreeze({ calendar, environment: "production", at: wednesday, incidents: [quiet()] }),
    ).toEqual({
      kind: "clear",
      environment: "production",
    });
  });

  it("blocks during an active incident", async () => {
    const decision = await checkFreeze({
      calendar,
      environment: "production",
      at: wednesday,
      incidents: [quiet(), source("status-page", { active: true, reason: "status-page: API degraded" })],
    });
    expect(decision).toMatchObject({
      kind: "blocked",
      cause: "incident",
      incident: { source: "status-page", reason: "status-page: API degraded" },
    });
  });

  it("fails closed: an incident source that cannot answer blocks", async () => {
    const decision = await checkFreeze({
      calendar,
      environment: "production",
      at: wednesday,
      incidents: [
        source("paging", new Error("paging: cannot reach http://127.0.0.1:1/api/v1/query: ECONNREFUSED")),
      ],
    });
    expect(decision).toMatchObject({ kind: "blocked", cause: "incident-source-unreachable" });
    if (decision.kind === "blocked")
      expect(decision.message).toMatch(/^cannot tell whether an incident is active \(paging: cannot reach/);
  });

  it("lets break-glass through every block and records who, why, when and which window", async () => {
    const decision = await checkFreeze({
      calendar,
      environment: "production",
      at: saturday,
      incidents: [source("paging", new Error("paging: timed out"))],
      breakGlass: { by: "Ana Lima <ana@example.com>", reason: "INC-1234 auth bypass hotfix" },
    });
    expect(decision.kind).toBe("break-glass");
    if (decision.kind !== "break-glass") return;
    expect(decision.record).toEqual({
      by: "Ana Lima <ana@example.com>",
      reason: "INC-1234 auth bypass hotfix",
      at: "2026-11-21T12:00:00.000Z",
      environment: "production",
      window: {
        kind: "weekly",
        name: "weekend",
        from: "Fri 17:00",
        to: "Mon 09:00",
        timezone: "UTC",
        endsAt: "2026-11-23T09:00:00.000Z",
      },
      overridden: [
        expect.stringContaining("frozen by weekly window weekend"),
        expect.stringContaining("cannot tell whether an incident is active"),
      ],
    });

    const stateDir = mkdtempSync(join(tmpdir(), "relctl-breakglass-"));
    recordBreakGlass(stateDir, decision.record);
    expect(JSON.parse(readFileSync(breakGlassAuditPath(stateDir), "utf8"))).toEqual(decision.record);
  });

  it("needs a reason to break glass", async () => {
    await expect(
      checkFreeze({
        calendar,
        environment: "production",
        at: saturday,
        breakGlass: { by: "ana", reason: "  " },
      }),
    ).rejects.toThrow(/needs --reason/);
  });

  it("does not invent a break-glass record when nothing was blocked", async () => {
    expect(
      await checkFreeze({
        calendar,
        environment: "production",
        at: wednesday,
        breakGlass: { by: "ana", reason: "just in case" },
      }),
    ).toEqual({ kind: "clear", environment: "production" });
  });
});
