// Wall-clock time in an IANA time zone, computed with Intl only (no tz database of our own, no
// dependency): Intl knows every zone's offsets and DST rules, including historical changes.
//
// The one rule for wall-clock times that a DST change makes odd, used for every window boundary:
// a boundary is the first instant at which a clock in that zone reads that time or later.
// - A time that does not exist (skipped when clocks spring forward, e.g. 02:30 on the US
//   spring-forward Sunday) is reached at the moment of the jump: 03:00 EDT, 07:00Z.
// - A time that happens twice (clocks fall back, e.g. 01:30 on the US fall-back Sunday) is
//   reached the first time: 01:30 EDT, 05:30Z.
// So a freeze never starts later than its wall-clock time, and a window stays one block.

export interface LocalDate {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading in `timeZone` at `instantMs`. */
export function localDateTime(instantMs: number, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const date = { year: parts.year!, month: parts.month!, day: parts.day! };
  return {
    ...date,
    // Some ICU versions print midnight as 24 even with h23.
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
    weekday: weekdayOf(date),
  };
}

/** The wall-clock reading as if it were UTC milliseconds: comparable, and offset = wall - instant. */
function wallMs(instantMs: number, timeZone: string): number {
  const local = localDateTime(instantMs, timeZone);
  const subSecond = ((instantMs % 1000) + 1000) % 1000;
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) + subSecond;
}

/**
 * The first instant at which the clock in `timeZone` reads `date` at `minutes` past midnight, or
 * later (see the rule at the top of this file).
 */
export function instantOfLocal(date: LocalDate, minutes: number, timeZone: string): number {
  const target = Date.UTC(date.year, date.month - 1, date.day) + minutes * 60_000;
  // The offsets in force a day either side cover both sides of any DST change near the target.
  const offsets = new Set(
    [target - DAY_MS, target, target + DAY_MS].map((probe) => wallMs(probe, timeZone) - probe),
  );
  const candidates = [...offsets].map((offset) => target - offset);
  const exact = candidates.filter((instant) => wallMs(instant, timeZone) === target);
  if (exact.length > 0) return Math.min(...exact);
  // Skipped time: find the jump. Before it the clock reads less than the target, after it more.
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  if (wallMs(low, timeZone) >= target || wallMs(high, timeZone) < target) {
    throw new Error(`cannot place ${formatLocal(date, minutes)} in ${timeZone}`);
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallMs(middle, timeZone) >= target) high = middle;
    else low = middle;
  }
  return high;
}

export function weekdayOf(date: LocalDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

function formatLocal(date: LocalDate, minutes: number): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.year}-${pad(date.month)}-${pad(date.day)} ${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** "Mon 2026-11-23 09:00 Europe/Berlin": how a person reads a boundary in its own zone. */
export function formatInZone(instantMs: number, timeZone: string): string {
  const local = localDateTime(instantMs, timeZone);
  return `${WEEKDAYS[local.weekday]} ${formatLocal(local, local.hour * 60 + local.minute)} ${timeZone}`;
}
