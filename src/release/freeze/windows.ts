// Which freeze window, if any, holds an environment at a given instant. Weekly windows recur in
// their own time zone, so "Fri 17:00 → Mon 09:00 Europe/Berlin" stays 17:00 local across DST
// changes (its length in hours changes instead). Boundaries follow the rule in zoned-time.ts.
import type { FreezeCalendar, Holiday, WeeklyWindow } from "./calendar.js";
import { addDays, instantOfLocal, localDateTime, weekdayOf, type LocalDate } from "./zoned-time.js";

/** A window as a person reads it in a message. */
export interface FreezeWindowRef {
  kind: "weekly" | "holiday";
  name: string;
  /** As written: "Fri 17:00", "2026-12-24". */
  from: string;
  to: string;
  timezone: string;
  /** When this occurrence began. */
  startedAt: Date;
}

export interface ActiveFreeze {
  /** The active window that ends last (the one a person must wait for). */
  window: FreezeWindowRef;
  /** When that window ends. */
  endsAt: Date;
  /**
   * When the environment is free again: later than endsAt when another window begins before this
   * one ends (Christmas holidays running into a weekend freeze).
   */
  liftsAt: Date;
  /** Every window active at the instant. */
  active: FreezeWindowRef[];
}

interface Occurrence {
  ref: FreezeWindowRef;
  endsAt: number;
}

/** Longest chain of back-to-back windows followed when working out liftsAt. */
const MAX_CHAIN = 64;

export function protects(
  calendar: FreezeCalendar,
  entry: WeeklyWindow | Holiday,
  environment: string,
): boolean {
  return listsEnvironment(entry.environments ?? calendar.environments, environment);
}

/** Whether an `environments:` list names `environment` ("*" names every one). */
export function listsEnvironment(list: readonly string[], environment: string): boolean {
  return list.includes("*") || list.includes(environment);
}

export function activeFreeze(
  calendar: FreezeCalendar,
  at: Date,
  environment: string,
): ActiveFreeze | undefined {
  const now = at.getTime();
  const active = occurrencesAt(calendar, now, environment);
  if (active.length === 0) return undefined;
  const longest = active.reduce((best, item) => (item.endsAt > best.endsAt ? item : best));
  let liftsAt = longest.endsAt;
  for (let step = 0; step < MAX_CHAIN; step++) {
    const next = occurrencesAt(calendar, liftsAt, environment);
    if (next.length === 0) break;
    liftsAt = Math.max(...next.map((item) => item.endsAt));
  }
  return {
    window: longest.ref,
    endsAt: new Date(longest.endsAt),
    liftsAt: new Date(liftsAt),
    active: active.map((item) => item.ref),
  };
}

function occurrencesAt(calendar: FreezeCalendar, now: number, environment: string): Occurrence[] {
  const found: Occurrence[] = [];
  for (const window of calendar.windows) {
    if (!protects(calendar, window, environment)) continue;
    const occurrence = weeklyOccurrence(window, now);
    if (occurrence) found.push(occurrence);
  }
  for (const holiday of calendar.holidays) {
    if (!protects(calendar, holiday, environment)) continue;
    const start = instantOfLocal(holiday.from.date, holiday.from.minutes, holiday.timezone);
    const end = instantOfLocal(holiday.to.date, holiday.to.minutes, holiday.timezone);
    if (start <= now && now < end)
      found.push({ ref: ref(holiday, holiday.fromText, holiday.toText, start), endsAt: end });
  }
  return found;
}

/**
 * The occurrence of a weekly window that contains `now`, if any: take the latest start at or
 * before now (at most a week back), then the first end after that start.
 */
export function weeklyOccurrence(window: WeeklyWindow, now: number): Occurrence | undefined {
  const local = localDateTime(now, window.timezone);
  const today: LocalDate = { year: local.year, month: local.month, day: local.day };
  let start: number | undefined;
  let startDay: LocalDate | undefined;
  // Today's start may lie ahead of now; then the previous one is a week back (8 days covered).
  for (let back = 0; back <= 7 && start === undefined; back++) {
    const day = addDays(today, -back);
    if (weekdayOf(day) !== window.from.weekday) continue;
    const instant = instantOfLocal(day, window.from.minutes, window.timezone);
    if (instant <= now) [start, startDay] = [instant, day];
  }
  if (start === undefined || startDay === undefined) return undefined;
  for (let forward = 0; forward <= 7; forward++) {
    const day = addDays(startDay, forward);
    if (weekdayOf(day) !== window.to.weekday) continue;
    const end = instantOfLocal(day, window.to.minutes, window.timezone);
    if (end <= start) continue;
    return now < end ? { ref: ref(window, window.fromText, window.toText, start), endsAt: end } : undefined;
  }
  return undefined;
}

/** The next time a protecting window starts after `at` (for "next freeze" hints), within `days`. */
export function nextFreezeStart(
  calendar: FreezeCalendar,
  at: Date,
  environment: string,
  days = 14,
): { window: FreezeWindowRef; startsAt: Date } | undefined {
  const now = at.getTime();
  let best: { window: FreezeWindowRef; startsAt: Date } | undefined;
  const consider = (entry: WeeklyWindow | Holiday, start: number, from: string, to: string) => {
    if (start > now && (!best || start < best.startsAt.getTime())) {
      best = { window: ref(entry, from, to, start), startsAt: new Date(start) };
    }
  };
  for (const window of calendar.windows) {
    if (!protects(calendar, window, environment)) continue;
    const local = localDateTime(now, window.timezone);
    for (let ahead = 0; ahead <= days; ahead++) {
      const day = addDays({ year: local.year, month: local.month, day: local.day }, ahead);
      if (weekdayOf(day) !== window.from.weekday) continue;
      consider(
        window,
        instantOfLocal(day, window.from.minutes, window.timezone),
        window.fromText,
        window.toText,
      );
    }
  }
  for (const holiday of calendar.holidays) {
    if (!protects(calendar, holiday, environment)) continue;
    const start = instantOfLocal(holiday.from.date, holiday.from.minutes, holiday.timezone);
    if (start - now <= days * 86_400_000) consider(holiday, start, holiday.fromText, holiday.toText);
  }
  return best;
}

function ref(entry: WeeklyWindow | Holiday, from: string, to: string, start: number): FreezeWindowRef {
  return {
    kind: entry.kind,
    name: entry.name,
    from,
    to,
    timezone: entry.timezone,
    startedAt: new Date(start),
  };
}
