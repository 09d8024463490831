// The freeze calendar file: when protected environments must not change. Validated with zod,
// and every problem is reported at once with its file, line and column.
//
//   timezone: UTC                 # default for entries that name none
//   environments: [production]    # which environments the calendar protects ("*": all)
//   windows:                      # weekly, recurring
//     - { name: weekend, from: "Fri 17:00", to: "Mon 09:00", timezone: UTC }
//   holidays:                     # dated; whole days unless a time is given
//     - { name: christmas, from: 2026-12-24, to: 2026-12-27, timezone: Europe/Berlin }
//     - { name: new-year, date: 2027-01-01 }
//   incidents:                    # active-incident sources (see incidents.ts)
//     - { name: paging, prometheus: http://prometheus:9090, query: 'ALERTS{alertstate="firing"}' }
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { ExitCode, RelctlError } from "../../errors.js";
import { formatDiagnostic, type Diagnostic } from "../../playbook/diagnostics.js";
import { WEEKDAYS, isValidTimeZone, type LocalDate } from "./zoned-time.js";

/** A point in a week, in a window's own time zone. */
export interface WeekTime {
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Minutes after midnight. */
  minutes: number;
}

export interface WeeklyWindow {
  kind: "weekly";
  name: string;
  from: WeekTime;
  to: WeekTime;
  /** As written, for messages: "Fri 17:00". */
  fromText: string;
  toText: string;
  timezone: string;
  environments?: string[];
}

export interface LocalPoint {
  date: LocalDate;
  minutes: number;
}

export interface Holiday {
  kind: "holiday";
  name: string;
  /** Inclusive start (midnight unless a time was written). */
  from: LocalPoint;
  /** Exclusive end: midnight after the last day, or the time written. */
  to: LocalPoint;
  fromText: string;
  toText: string;
  timezone: string;
  environments?: string[];
}

export type IncidentSourceConfig =
  | { name: string; prometheus: string; query: string; bearerTokenEnv?: string; timeoutMs: number }
  | { name: string; url: string; field: string; reasonField?: string; bearerTokenEnv?: string; timeoutMs: number };

export interface FreezeCalendar {
  file?: string;
  timezone: string;
  environments: string[];
  windows: WeeklyWindow[];
  holidays: Holiday[];
  incidents: IncidentSourceConfig[];
}

const WEEK_TIME = /^([a-z]+)\s+([01]?\d|2[0-3]):([0-5]\d)$/i;
const DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d))?$/;

const timezone = z.string().refine(isValidTimeZone, {
  error: (issue) => `unknown time zone ${JSON.stringify(issue.input)} (use an IANA name like Europe/Berlin, or UTC)`,
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
  return { weekday, minutes: Number(match[2]) * 60 + Number(match[3]), text: `${WEEKDAYS[weekday]} ${match[2]!.padStart(2, "0")}:${match[3]}` };
});

const localPoint = z
  .union([z.string(), z.date()])
  .transform((value, ctx): LocalPoint & { hasTime: boolean; text: string } => {
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : value.trim();
    const match = DATE_TIME.exec(text);
    const date = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
    const real = date && new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDate() === date.day;
    if (!match || !date || !real) {
      ctx.addIssue({ code: "custom", message: `expected a date like 2026-12-24 (or 2026-12-24T17:00), got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    const minutes = match[4] === undefined ? 0 : Number(match[4]) * 60 + Number(match[5]);
    return { date, minutes, hasTime: match[4] !== undefined, text };
  });

const environments = z.array(z.string().min(1)).min(1, "list at least one environment, e.g. [production]");
const name = z.string().min(1);

const windowSchema = z
  .strictObject({ name, from: weekTime, to: weekTime, timezone: timezone.optional(), environments: environments.optional() })
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
      ctx.addIssue({ code: "custom", message: `to (${value.to.text}) is before from (${value.from.text})`, path: ["to"] });
    }
  });

/** Sortable text for a point; a date-only end means the end of that day. */
function pointKey(point: LocalPoint & { hasTime: boolean }, isEnd: boolean): string {
  const minutes = isEnd && !point.hasTime ? 24 * 60 : point.minutes;
  const { year, month, day } = point.date;
  return [year, month, day, minutes].map((n) => String(n).padStart(4, "0")).join("-");
}

const incidentSchema = z.union([
  z.strictObject({
    name: name.optional(),
    prometheus: z.url(),
    query: z.string().min(1),
    bearer_token_env: z.string().optional(),
    timeout: z.number().positive().default(10),
  }),
  z.strictObject({
    name: name.optional(),
    url: z.url(),
    field: z.string().default("active"),
    reason_field: z.string().optional(),
    bearer_token_env: z.string().optional(),
    timeout: z.number().positive().default(10),
  }),
]);

const calendarSchema = z.strictObject({
  timezone: timezone.default("UTC"),
  environments: environments,
  windows: z.array(windowSchema).default([]),
  holidays: z.array(holidaySchema).default([]),
  incidents: z.array(incidentSchema).default([]),
});

export class FreezeCalendarError extends RelctlError {
  readonly diagnostics: Diagnostic[];

  constructor(file: string, diagnostics: Diagnostic[]) {
    super(
      "E_FREEZE_CALENDAR_INVALID",
      ExitCode.invalid,
      `${file} is not a valid freeze calendar:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`,
      { hint: "see docs/release-safety.md#freeze-calendar", details: { diagnostics } },
    );
    this.diagnostics = diagnostics;
  }
}

export async function loadFreezeCalendar(file: string): Promise<FreezeCalendar> {
  return parseFreezeCalendar(await readFile(file, "utf8"), file);
}

export function parseFreezeCalendar(text: string, file = "freeze.yaml"): FreezeCalendar {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new FreezeCalendarError(
      file,
      doc.errors.map((error) => ({ code: "yaml", message: error.message.split("\n")[0]!, location: at(error.pos[0]) })),
    );
  }
  const result = calendarSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new FreezeCalendarError(
      file,
      result.error.issues.map((issue) => {
        const path = issue.path.map((key) => (typeof key === "symbol" ? String(key) : key));
        const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
        return {
          code: issue.code,
          message: `${issue.message}${keys}`,
          location: { ...at(nodeOffset(doc, path)), path: dotted(path) },
        };
      }),
    );
  }
  const data = result.data;
  const zone = (own: string | undefined) => own ?? data.timezone;
  return {
    file,
    timezone: data.timezone,
    environments: data.environments,
    windows: data.windows.map((w) => ({
      kind: "weekly" as const,
      name: w.name,
      from: { weekday: w.from.weekday, minutes: w.from.minutes },
      to: { weekday: w.to.weekday, minutes: w.to.minutes },
      fromText: w.from.text,
      toText: w.to.text,
      timezone: zone(w.timezone),
      ...(w.environments ? { environments: w.environments } : {}),
    })),
    holidays: data.holidays.map((h) => {
      const from = (h.from ?? h.date)!;
      const last = h.to ?? from;
      // A date without a time means the whole day: the window ends at the next midnight.
      const to = last.hasTime ? last : { ...last, date: nextDay(last.date), minutes: 0 };
      return {
        kind: "holiday" as const,
        name: h.name,
        from: { date: from.date, minutes: from.minutes },
        to: { date: to.date, minutes: to.minutes },
        fromText: from.text,
        toText: last.text,
        timezone: zone(h.timezone),
        ...(h.environments ? { environments: h.environments } : {}),
      };
    }),
    incidents: data.incidents.map((source, index) => {
      const common = {
        name: source.name ?? `incidents[${index}]`,
        timeoutMs: source.timeout * 1000,
        ...(source.bearer_token_env ? { bearerTokenEnv: source.bearer_token_env } : {}),
      };
      return "prometheus" in source
        ? { ...common, prometheus: source.prometheus, query: source.query }
        : { ...common, url: source.url, field: source.field, ...(source.reason_field ? { reasonField: source.reason_field } : {}) };
    }),
  };
}

function nextDay(date: LocalDate): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The offset of the deepest node that exists along `path` (a missing key points at its parent). */
function nodeOffset(doc: Document, path: (string | number)[]): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = doc.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return node.range[0];
  }
  return undefined;
}

function dotted(path: (string | number)[]): string {
  return path.map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`)).join("");
}
