// The zod schema of the freeze calendar file (calendar.ts turns its output into a
// FreezeCalendar and its issues into diagnostics with line and column).
import { z } from "zod";
import { MAX_WAIT, MAX_WAIT_MS } from "../../util/duration.js";
import type { LocalPoint, WeekTime } from "./calendar.js";
import { WEEKDAYS, isValidTimeZone } from "./zoned-time.js";

const WEEK_TIME = /^([a-z]+)\s+([01]?\d|2[0-3]):([0-5]\d)$/i;
const DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d))?$/;

const timezone = z.string().refine(isValidTimeZone, {
  error: (issue) =>
    `unknown time zone ${JSON.stringify(issue.input)} (use an IANA name like Europe/Berlin, or UTC)`,
});

/** "Fri 17:00", "friday 17:00": a day name (three letters or more) and a 24-hour time. */
const weekTime = z.string().transform((text, ctx): WeekTime & { text: string } => {
  const match = WEEK_TIME.exec(text.trim());
  const word = match?.[1]?.toLowerCase() ?? "";
  const weekday = word.length >= 3 ? DAY_NAMES.findIndex((day) => day.startsWith(word)) : -1;
  if (!match || weekday < 0) {
    ctx.addIssue({
      code: "custom",
      message: `expected a weekday and a 24-hour time like "Fri 17:00", got ${JSON.stringify(text)}`,
    });
    return z.NEVER;
  }
  return {
    weekday,
    minutes: Number(match[2]) * 60 + Number(match[3]),
    text: `${WEEKDAYS[weekday]} ${match[2]!.padStart(2, "0")}:${match[3]}`,
  };
});

const localPoint = z
  .union([z.string(), z.date()])
  .transform((value, ctx): LocalPoint & { hasTime: boolean; text: string } => {
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : value.trim();
    const match = DATE_TIME.exec(text);
    const date = match
      ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }
      : undefined;
    const real = date && new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDate() === date.day;
    if (!match || !date || !real) {
      ctx.addIssue({
        code: "custom",
        message: `expected a date like 2026-12-24 (or 2026-12-24T17:00), got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    const minutes = match[4] === undefined ? 0 : Number(match[4]) * 60 + Number(match[5]);
    return { date, minutes, hasTime: match[4] !== undefined, text };
  });

const environments = z.array(z.string().min(1)).min(1, "list at least one environment, e.g. [production]");
const name = z.string().min(1);

const windowSchema = z
  .strictObject({
    name,
    from: weekTime,
    to: weekTime,
    timezone: timezone.optional(),
    environments: environments.optional(),
  })
  .refine((w) => w.from.weekday !== w.to.weekday || w.from.minutes !== w.to.minutes, {
    message: "from and to are the same moment; a window must have a length",
    path: ["to"],
  });

const holidaySchema = z
  .strictObject({
    name,
    date: localPoint.optional(),
    from: localPoint.optional(),
    to: localPoint.optional(),
    timezone: timezone.optional(),
    environments: environments.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.date === undefined) === (value.from === undefined)) {
      ctx.addIssue({ code: "custom", message: "give either date, or from (and to)" });
    } else if (value.to && value.date) {
      ctx.addIssue({ code: "custom", message: "give either date, or from and to, not both", path: ["to"] });
    } else if (value.from && value.to && pointKey(value.to, true) <= pointKey(value.from, false)) {
      ctx.addIssue({
        code: "custom",
        message: `to (${value.to.text}) is before from (${value.from.text})`,
        path: ["to"],
      });
    }
  });

/** Sortable text for a point; a date-only end means the end of that day. */
function pointKey(point: LocalPoint & { hasTime: boolean }, isEnd: boolean): string {
  const minutes = isEnd && !point.hasTime ? 24 * 60 : point.minutes;
  const { year, month, day } = point.date;
  return [year, month, day, minutes].map((n) => String(n).padStart(4, "0")).join("-");
}

/** Seconds to wait for an incident source's answer: a wait like any other, at most MAX_WAIT. */
const incidentTimeout = z
  .number()
  .positive()
  .max(MAX_WAIT_MS / 1000, `at most ${MAX_WAIT_MS / 1000} seconds (${MAX_WAIT}), the longest relctl waits`)
  .default(10);

const incidentSchema = z.union([
  z.strictObject({
    name: name.optional(),
    prometheus: z.url(),
    query: z.string().min(1),
    bearer_token_env: z.string().optional(),
    timeout: incidentTimeout,
  }),
  z.strictObject({
    name: name.optional(),
    url: z.url(),
    field: z.string().default("active"),
    reason_field: z.string().optional(),
    bearer_token_env: z.string().optional(),
    timeout: incidentTimeout,
  }),
]);

/** Keys allowed at the top level and in each list entry, for "did you mean" suggestions. */
export const KNOWN_KEYS: Record<string, string[]> = {
  "": ["timezone", "environments", "windows", "holidays", "incidents"],
  windows: ["name", "from", "to", "timezone", "environments"],
  holidays: ["name", "date", "from", "to", "timezone", "environments"],
  incidents: ["name", "prometheus", "query", "url", "field", "reason_field", "bearer_token_env", "timeout"],
};

export const calendarSchema = z.strictObject({
  timezone: timezone.default("UTC"),
  environments: environments,
  windows: z.array(windowSchema).default([]),
  holidays: z.array(holidaySchema).default([]),
  incidents: z.array(incidentSchema).default([]),
});
