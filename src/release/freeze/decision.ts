// The freeze decision for one environment at one instant: clear, blocked (and why, and until
// when), or overridden by break-glass (and then recorded). The CLI maps a block to exit code 4
// before anything runs; a break-glass record goes to the audit log and into the evidence bundle.
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import { appendJsonLine } from "../../state/jsonl.js";
import { breakGlassAuditPath } from "../../state/paths.js";
import type { FreezeCalendar } from "./calendar.js";
import type { IncidentCheck, IncidentStatus } from "./incidents.js";
import { activeFreeze, listsEnvironment, type FreezeWindowRef } from "./windows.js";
import { formatInZone } from "./zoned-time.js";

export interface FreezeBlocked {
  kind: "blocked";
  environment: string;
  /** window: a freeze window is active; incident: a source reports one; unreachable: a source did not answer. */
  cause: "window" | "incident" | "incident-source-unreachable";
  window?: FreezeWindowRef;
  /** When the window ends, and when the environment is free again (chained windows). */
  endsAt?: Date;
  liftsAt?: Date;
  incident?: { source: string; reason: string };
  message: string;
}

export interface BreakGlassRecord {
  by: string;
  reason: string;
  at: string;
  environment: string;
  /** The window that was overridden, if one was active. */
  window?: {
    kind: FreezeWindowRef["kind"];
    name: string;
    from: string;
    to: string;
    timezone: string;
    endsAt: string;
  };
  /** Every block that was overridden, in words. */
  overridden: string[];
}

export type FreezeDecision =
  | { kind: "clear"; environment: string }
  | FreezeBlocked
  | { kind: "break-glass"; record: BreakGlassRecord; overridden: FreezeBlocked[] };

export interface FreezeCheckInput {
  calendar: FreezeCalendar;
  environment: string;
  at: Date;
  incidents?: readonly IncidentCheck[];
  /** `--break-glass --reason "…"`: proceed despite every block, and say who and why. */
  breakGlass?: { by: string; reason: string };
  signal?: AbortSignal;
}

export async function checkFreeze(input: FreezeCheckInput): Promise<FreezeDecision> {
  const { calendar, environment, at } = input;
  if (input.breakGlass && input.breakGlass.reason.trim() === "") {
    throw usageError('--break-glass needs --reason "…": the override is recorded with it');
  }
  // Incident checks guard the calendar's own environments (a window may name others for itself).
  const protectedHere = listsEnvironment(calendar.environments, environment);
  const blocks: FreezeBlocked[] = [];

  const freeze = activeFreeze(calendar, at, environment);
  if (freeze) {
    const { window, endsAt, liftsAt } = freeze;
    const chained =
      liftsAt > endsAt
        ? `; another window follows, so it is frozen until ${when(liftsAt, window.timezone)}`
        : "";
    blocks.push({
      kind: "blocked",
      environment,
      cause: "window",
      window,
      endsAt,
      liftsAt,
      message:
        `${environment} is frozen by ${window.kind === "weekly" ? "weekly window" : "holiday"} ${window.name} ` +
        `(${window.from} → ${window.to} ${window.timezone}) until ${when(endsAt, window.timezone)}${chained}`,
    });
    // Without break-glass one reason is enough; do not call incident sources for nothing.
    if (!input.breakGlass) return blocks[0]!;
  }

  if (protectedHere) {
    const results = await Promise.all(
      (input.incidents ?? []).map(
        async (
          source,
        ): Promise<{ source: string; status: IncidentStatus } | { source: string; error: Error }> => {
          try {
            return { source: source.name, status: await source.check(input.signal) };
          } catch (error) {
            return { source: source.name, error: error instanceof Error ? error : new Error(String(error)) };
          }
        },
      ),
    );
    for (const result of results) {
      if ("error" in result) {
        blocks.push({
          kind: "blocked",
          environment,
          cause: "incident-source-unreachable",
          incident: { source: result.source, reason: result.error.message },
          message: `cannot tell whether an incident is active (${result.error.message}); refusing to change ${environment} without knowing`,
        });
      } else if (result.status.active) {
        blocks.push({
          kind: "blocked",
          environment,
          cause: "incident",
          incident: { source: result.source, reason: result.status.reason },
          message: `an incident is active (${result.status.reason}); ${environment} does not change during an incident`,
        });
      }
    }
  }

  if (blocks.length === 0) return { kind: "clear", environment };
  if (!input.breakGlass) return blocks[0]!;
  const windowBlock = blocks.find((block) => block.window);
  const record: BreakGlassRecord = {
    by: input.breakGlass.by,
    reason: input.breakGlass.reason,
    at: at.toISOString(),
    environment,
    overridden: blocks.map((block) => block.message),
  };
  if (windowBlock?.window && windowBlock.endsAt) {
    const { kind, name, from, to, timezone } = windowBlock.window;
    record.window = { kind, name, from, to, timezone, endsAt: windowBlock.endsAt.toISOString() };
  }
  return { kind: "break-glass", record, overridden: blocks };
}

export function freezeBlockedError(blocked: FreezeBlocked): RelctlError {
  return new RelctlError("E_FREEZE_BLOCKED", ExitCode.blocked, blocked.message, {
    hint:
      blocked.cause === "window"
        ? `wait until ${blocked.liftsAt?.toISOString() ?? "the window ends"}, or override with --break-glass --reason "…" (recorded)`
        : `resolve the incident (or the incident source), or override with --break-glass --reason "…" (recorded)`,
    details: {
      environment: blocked.environment,
      cause: blocked.cause,
      ...(blocked.window ? { window: blocked.window.name } : {}),
      ...(blocked.endsAt ? { endsAt: blocked.endsAt.toISOString() } : {}),
      ...(blocked.liftsAt ? { liftsAt: blocked.liftsAt.toISOString() } : {}),
      ...(blocked.incident ? { incident: blocked.incident } : {}),
    },
  });
}

/** Appends the record to <stateDir>/audit/break-glass.jsonl (fsync'd) before the run goes on. */
export function recordBreakGlass(stateDir: string, record: BreakGlassRecord): void {
  appendJsonLine(breakGlassAuditPath(stateDir), record);
}

function when(instant: Date, timezone: string): string {
  const iso = instant.toISOString().replace(/:00\.000Z$/, "Z");
  return `${formatInZone(instant.getTime(), timezone)} (${iso})`;
}
