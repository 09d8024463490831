import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/errors.js";
import {
  FreezeCalendarError,
  loadFreezeCalendar,
  parseFreezeCalendar,
} from "../../../src/release/freeze/calendar.js";

// The runbook's rules: no production deploys Fri 17:00 → Mon 09:00 UTC, nor over the holidays,
// nor while P0/P1 alerts fire.
const RUNBOOK = `timezone: UTC
environments: [production]
windows:
  - name: weekend
    from: "Fri 17:00"
    to: "Mon 09:00"
    timezone: UTC
holidays:
  - name: christmas
    from: 2026-12-24
    to: 2026-12-27
    timezone: Europe/Berlin
  - name: new-year
    date: 2027-01-01
incidents:
  - name: paging
    prometheus: http://prometheus.internal:9090
    query: 'ALERTS{alertstate="firing", severity=~"P0|P1"}'
  - name: status-page
    url: https://status.example.com/api/v2/incidents/unresolved.json
    field: incidents
    reason_field: incidents.0.name
    bearer_token_env: STATUS_TOKEN
`;

function problems(text: string): string[] {
  try {
    parseFreezeCalendar(text, "freeze.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(FreezeCalendarError);
    return (error as FreezeCalendarError).diagnostics.map(
      (d) => `${d.location.line}:${d.location.column} ${d.location.path ?? ""}: ${d.message}`,
    );
  }
  throw new Error("expected the calendar to be refused");
}

describe("freeze calendar files", () => {
  it("reads the runbook's weekend, holidays and incident sources", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relctl-freeze-"));
    writeFileSync(join(dir, "freeze.yaml"), RUNBOOK);
    const calendar = await loadFreezeCalendar(join(dir, "freeze.yaml"));
    expect(calendar.environments).toEqual(["production"]);
    expect(calendar.windows).toEqual([
      {
        kind: "weekly",
        name: "weekend",
        from: { weekday: 4, minutes: 1020 },
        to: { weekday: 0, minutes: 540 },
        fromText: "Fri 17:00",
        toText: "Mon 09:00",
        timezone: "UTC",
      },
    ]);
    expect(calendar.holidays).toEqual([
      {
        kind: "holiday",
        name: "christmas",
        from: { date: { year: 2026, month: 12, day: 24 }, minutes: 0 },
        to: { date: { year: 2026, month: 12, day: 28 }, minutes: 0 },
        fromText: "2026-12-24",
        toText: "2026-12-27",
        timezone: "Europe/Berlin",
      },
      {
        kind: "holiday",
        name: "new-year",
        from: { date: { year: 2027, month: 1, day: 1 }, minutes: 0 },
        to: { date: { year: 2027, month: 1, day: 2 }, minutes: 0 },
        fromText: "2027-01-01",
        toText: "2027-01-01",
        timezone: "UTC",
      },
    ]);
    expect(calendar.incidents).toEqual([
      {
        name: "paging",
        prometheus: "http://prometheus.internal:9090",
        query: 'ALERTS{alertstate="firing", severity=~"P0|P1"}',
        timeoutMs: 10_000,
      },
      {
        name: "status-page",
        url: "https://status.example.com/api/v2/incidents/unresolved.json",
        field: "incidents",
        reasonField: "incidents.0.name",
        bearerTokenEnv: "STATUS_TOKEN",
        timeoutMs: 10_000,
      },
    ]);
  });

  it("accepts full day names and normalises them", () => {
    const calendar = parseFreezeCalendar(
      `environments: [production]\nwindows: [{ name: w, from: "friday 17:00", to: "Monday 9:00" }]`,
    );
    expect([calendar.windows[0]!.fromText, calendar.windows[0]!.toText]).toEqual(["Fri 17:00", "Mon 09:00"]);
  });

  it("reports every problem at once, each with its line, column and path", () => {
    expect(
      problems(`environments: [production]
windows:
  - name: weekend
    from: "Friday 5pm"
    to: "Mon 09:00"
    timezone: Mars/Olympus
  - { name: same, from: "Mon 09:00", to: "Mon 09:00" }
holidays:
  - { name: xmas, from: 2026-12-27, to: 2026-12-24 }
  - { name: both, date: 2026-12-31, from: 2026-12-30 }
  - { name: bad, date: 2026-02-30 }
incidnets: []
`),
    ).toEqual([
      '4:11 windows[0].from: expected a weekday and a 24-hour time like "Fri 17:00", got "Friday 5pm"',
      '6:15 windows[0].timezone: unknown time zone "Mars/Olympus" (use an IANA name like Europe/Berlin, or UTC)',
      "7:42 windows[1].to: from and to are the same moment; a window must have a length",
      "9:41 holidays[0].to: to (2026-12-24) is before from (2026-12-27)",
      "10:5 holidays[1]: give either date, or from (and to)",
      '11:24 holidays[2].date: expected a date like 2026-12-24 (or 2026-12-24T17:00), got "2026-02-30"',
      '12:1 incidnets: unknown key "incidnets" (did you mean incidents?)',
    ]);
  });

  it("asks for the protected environments", () => {
    expect(problems("windows: []")).toEqual([
      "1:1 environments: Invalid input: expected array, received undefined",
    ]);
  });

  it("reports YAML syntax errors with their position", () => {
    const [problem] = problems("environments: [production\nwindows: []\n");
    expect(problem).toMatch(/^\d+:\d+ : /);
  });

  it("is a usage error (exit 2) that names the file", () => {
    try {
      parseFreezeCalendar("environments: []", "ops/freeze.yaml");
    } catch (error) {
      expect((error as FreezeCalendarError).exitCode).toBe(ExitCode.invalid);
      expect((error as Error).message).toMatch(
        /^ops\/freeze\.yaml is not a valid freeze calendar:\n {2}ops\/freeze\.yaml:1:15 \(environments\): list at least one environment/,
      );
      return;
    }
    throw new Error("expected an error");
  });

  it.each(["/dev/zero", "/dev/urandom"])("refuses %s at run time at once, as exit 2", async (file) => {
    const error = await loadFreezeCalendar(file).then(
      () => expect.fail("expected a rejection"),
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(FreezeCalendarError);
    expect((error as FreezeCalendarError).exitCode).toBe(ExitCode.invalid);
    expect((error as FreezeCalendarError).diagnostics).toEqual([
      {
        code: "file-not-regular",
        message: `cannot read the freeze calendar ${file}: it is a character device, not a regular file`,
        hint: "a freeze calendar must be a regular file; the path is relative to the playbook file that names it",
        location: { file, line: 1, column: 1 },
      },
    ]);
  });

  it("reports an alias without an anchor at its place instead of crashing", () => {
    expect(problems("environments: [production]\nwindows: *weekend\n")).toEqual([
      "2:10 : invalid YAML: alias *weekend has no anchor &weekend before it",
    ]);
  });

  it("shows an invisible character in an unknown key as an escape", () => {
    expect(problems("environments: [production]\nwindow\u200bs: []\n")).toEqual([
      '2:1 window\\u200bs: unknown key "window\\u200bs" (did you mean windows?)',
    ]);
  });
});
