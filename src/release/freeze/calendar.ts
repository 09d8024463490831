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
import * as yaml from "yaml";
import { LineCounter, isMap, isScalar, parseDocument, type Document } from "yaml";
import { checkYamlLimits, tooDeep } from "../../playbook/yaml-limits.js";
import { ExitCode, RelctlError } from "../../errors.js";
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from "../../playbook/diagnostics.js";
import { checkAliases } from "../../playbook/yaml-aliases.js";
import { readInputText, type InputFileKind } from "../../util/input-file.js";
import { closestMatch } from "../../util/suggest.js";
import { quotedName, visibleName } from "../../util/visible-name.js";
import { KNOWN_KEYS, calendarSchema } from "./calendar-schema.js";
import { addDays, type LocalDate } from "./zoned-time.js";

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
  | {
      name: string;
      url: string;
      field: string;
      reasonField?: string;
      bearerTokenEnv?: string;
      timeoutMs: number;
    };

export interface FreezeCalendar {
  file?: string;
  timezone: string;
  environments: string[];
  windows: WeeklyWindow[];
  holidays: Holiday[];
  incidents: IncidentSourceConfig[];
}

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

/** The calendar file a playbook names: small UTF-8 YAML, like a playbook. */
export const FREEZE_CALENDAR_FILE: InputFileKind = {
  what: "freeze calendar",
  label: "the freeze calendar",
  format: "UTF-8 YAML",
  maxBytes: 2 * 1024 * 1024,
  check: "the path is relative to the playbook file that names it",
};

export async function loadFreezeCalendar(file: string): Promise<FreezeCalendar> {
  const read = await readInputText(file, file, FREEZE_CALENDAR_FILE);
  if ("problem" in read) {
    const { code, message, hint, at } = read.problem;
    throw new FreezeCalendarError(file, [
      { code, message, hint, location: { file, line: at?.line ?? 1, column: at?.column ?? 1 } },
    ]);
  }
  return parseFreezeCalendar(read.text, file);
}

export function parseFreezeCalendar(text: string, file = "freeze.yaml"): FreezeCalendar {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, column: pos.col };
  };
  // The same limits as a playbook: no nesting past MAX_YAML_DEPTH, no tags beyond the core schema.
  const overflow = doc.errors.find((error) => /maximum call stack size exceeded/i.test(error.message));
  const limits = overflow
    ? { ...tooDeep(file, {}), offset: overflow.pos[0] }
    : doc.errors.length === 0
      ? checkYamlLimits(doc, yaml, file, text)
      : undefined;
  if (limits) {
    throw new FreezeCalendarError(file, [
      { code: limits.code, message: limits.message, hint: limits.hint, location: at(limits.offset) },
    ]);
  }
  if (doc.errors.length > 0) {
    throw new FreezeCalendarError(
      file,
      doc.errors.map((error) => ({
        code: "yaml",
        message: error.message.split("\n")[0]!,
        location: at(error.pos[0]),
      })),
    );
  }
  const aliases = checkAliases(doc, yaml, file);
  if (aliases) {
    throw new FreezeCalendarError(file, [
      { code: aliases.code, message: aliases.message, hint: aliases.hint, location: at(aliases.offset) },
    ]);
  }
  // The aliases were checked above, at their place; yaml's own count would refuse ordinary use.
  const result = calendarSchema.safeParse(doc.toJS({ maxAliasCount: -1 }) ?? {});
  if (!result.success) {
    throw new FreezeCalendarError(
      file,
      sortDiagnostics(
        result.error.issues.flatMap((issue): Diagnostic[] => {
          const path = issue.path.map((key) => (typeof key === "symbol" ? String(key) : key));
          if (issue.code !== "unrecognized_keys") {
            return [
              {
                code: issue.code,
                message: issue.message,
                location: { ...at(nodeOffset(doc, path)), path: dotted(path) },
              },
            ];
          }
          // One diagnostic per unknown key, pointing at the key itself, with a suggestion.
          return issue.keys.map((key) => {
            const known = closestMatch(key, KNOWN_KEYS[String(path[0] ?? "")] ?? []);
            return {
              code: "unknown-key",
              message: `unknown key ${quotedName(key)}${known ? ` (did you mean ${known}?)` : ""}`,
              location: {
                ...at(keyOffset(doc, path, key) ?? nodeOffset(doc, path)),
                path: dotted([...path, key]),
              },
            };
          });
        }),
      ),
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
      const to = last.hasTime ? last : { ...last, date: addDays(last.date, 1), minutes: 0 };
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
        : {
            ...common,
            url: source.url,
            field: source.field,
            ...(source.reason_field ? { reasonField: source.reason_field } : {}),
          };
    }),
  };
}

/** The offset of the deepest node that exists along `path` (a missing key points at its parent). */
function nodeOffset(doc: Document, path: (string | number)[]): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = doc.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return node.range[0];
  }
  return undefined;
}

/** The offset of `key` itself in the map at `path`. */
function keyOffset(doc: Document, path: (string | number)[], key: string): number | undefined {
  const map = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as unknown;
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}

function dotted(path: (string | number)[]): string {
  return path
    .map((key, index) =>
      typeof key === "number" ? `[${key}]` : index === 0 ? visibleName(key) : `.${visibleName(key)}`,
    )
    .join("");
}
