import { describe, expect, it } from "vitest";
import { parseFreezeCalendar } from "../../../src/release/freeze/calendar.js";
import { activeFreeze, nextFreezeStart } from "../../../src/release/freeze/windows.js";
import { instantOfLocal } from "../../../src/release/freeze/zoned-time.js";

const calendar = (windows: string, extra = "") =>
  parseFreezeCalendar(`environments: [production]\nwindows:\n${windows}\n${extra}`, "freeze.yaml");
const weekly = (from: string, to: string, timezone: string) =>
  calendar(`  - { name: w, from: "${from}", to: "${to}", timezone: ${timezone} }`);
const at = (iso: string) => new Date(iso);
const endsAt = (cal: ReturnType<typeof calendar>, iso: string) =>
  activeFreeze(cal, at(iso), "production")?.endsAt.toISOString();

describe("weekly freeze windows in UTC", () => {
  const weekend = weekly("Fri 17:00", "Mon 09:00", "UTC");

  it.each([
    ["2026-11-20T16:59:59.999Z", undefined, "Friday a moment before 17:00"],
    ["2026-11-20T17:00:00.000Z", "2026-11-23T09:00:00.000Z", "Friday at 17:00 sharp"],
    ["2026-11-21T00:00:00.000Z", "2026-11-23T09:00:00.000Z", "Saturday midnight"],
    ["2026-11-22T23:59:59.999Z", "2026-11-23T09:00:00.000Z", "Sunday just before the week turns"],
    ["2026-11-23T00:00:00.000Z", "2026-11-23T09:00:00.000Z", "Monday midnight, the new week"],
    ["2026-11-23T08:59:59.999Z", "2026-11-23T09:00:00.000Z", "Monday a moment before 09:00"],
    ["2026-11-23T09:00:00.000Z", undefined, "Monday at 09:00 sharp (the end is exclusive)"],
    ["2026-11-25T12:00:00.000Z", undefined, "midweek"],
  ] as [string, string | undefined, string][])("at %s ends at %s (%s)", (instant, expected) => {
    expect(endsAt(weekend, instant)).toBe(expected);
  });

  it("names the window and when it started", () => {
    expect(activeFreeze(weekend, at("2026-11-21T12:00:00Z"), "production")).toMatchObject({
      window: {
        kind: "weekly",
        name: "w",
        from: "Fri 17:00",
        to: "Mon 09:00",
        timezone: "UTC",
        startedAt: at("2026-11-20T17:00:00Z"),
      },
    });
  });

  it("handles a window that wraps within the same weekday (Fri 09:00 → Fri 08:00 is almost a week)", () => {
    const cal = weekly("Fri 09:00", "Fri 08:00", "UTC");
    expect(endsAt(cal, "2026-11-25T12:00:00Z")).toBe("2026-11-27T08:00:00.000Z");
    expect(endsAt(cal, "2026-11-27T08:30:00Z")).toBeUndefined();
  });

  it("handles a window inside one day", () => {
    const cal = weekly("Wed 12:00", "Wed 13:00", "UTC");
    expect(endsAt(cal, "2026-11-25T12:30:00Z")).toBe("2026-11-25T13:00:00.000Z");
    expect(endsAt(cal, "2026-11-25T13:30:00Z")).toBeUndefined();
    expect(endsAt(cal, "2026-11-26T12:30:00Z")).toBeUndefined();
  });
});

describe("weekly freeze windows in other time zones", () => {
  it("keeps Fri 17:00 → Mon 09:00 on local time in Tokyo", () => {
    const cal = weekly("Fri 17:00", "Mon 09:00", "Asia/Tokyo");
    expect(endsAt(cal, "2026-11-20T07:59:00Z")).toBeUndefined();
    expect(endsAt(cal, "2026-11-20T08:00:00Z")).toBe("2026-11-23T00:00:00.000Z");
  });

  it("crosses midnight UTC on a different local weekday (Honolulu Fri 17:00 is Sat 03:00 UTC)", () => {
    const cal = weekly("Fri 17:00", "Mon 09:00", "Pacific/Honolulu");
    expect(endsAt(cal, "2026-11-21T02:59:00Z")).toBeUndefined();
    expect(endsAt(cal, "2026-11-21T03:00:00Z")).toBe("2026-11-23T19:00:00.000Z");
  });

  describe("across DST changes in Europe/Berlin", () => {
    const weekend = weekly("Fri 17:00", "Mon 09:00", "Europe/Berlin");

    it("in March starts at 17:00 CET and ends at 09:00 CEST (the weekend is an hour shorter)", () => {
      // Clocks go 02:00 → 03:00 on Sunday 29 March 2026.
      expect(endsAt(weekend, "2026-03-27T15:59:00Z")).toBeUndefined();
      expect(endsAt(weekend, "2026-03-27T16:00:00Z")).toBe("2026-03-30T07:00:00.000Z");
      expect(endsAt(weekend, "2026-03-30T06:59:00Z")).toBe("2026-03-30T07:00:00.000Z");
      expect(endsAt(weekend, "2026-03-30T07:00:00Z")).toBeUndefined();
    });

    it("in October starts at 17:00 CEST and ends at 09:00 CET (an hour longer)", () => {
      // Clocks go 03:00 → 02:00 on Sunday 25 October 2026.
      expect(endsAt(weekend, "2026-10-23T14:59:00Z")).toBeUndefined();
      expect(endsAt(weekend, "2026-10-23T15:00:00Z")).toBe("2026-10-26T08:00:00.000Z");
      expect(endsAt(weekend, "2026-10-26T07:30:00Z")).toBe("2026-10-26T08:00:00.000Z");
    });

    it("places a boundary at 02:30 on the March Sunday (a time that does not exist) at the jump", () => {
      const cal = weekly("Sun 02:30", "Sun 05:00", "Europe/Berlin");
      expect(endsAt(cal, "2026-03-29T00:59:59Z")).toBeUndefined();
      expect(endsAt(cal, "2026-03-29T01:00:00Z")).toBe("2026-03-29T03:00:00.000Z");
    });

    it("places a boundary at 02:30 on the October Sunday (a time that happens twice) at its first occurrence", () => {
      const cal = weekly("Sun 02:30", "Sun 05:00", "Europe/Berlin");
      expect(endsAt(cal, "2026-10-25T00:29:00Z")).toBeUndefined();
      expect(endsAt(cal, "2026-10-25T00:30:00Z")).toBe("2026-10-25T04:00:00.000Z");
    });
  });

  describe("across DST changes in America/New_York", () => {
    it("starts a window at a skipped time (Sun 02:30 on 8 March 2026) when the clock jumps to 03:00 EDT", () => {
      const cal = weekly("Sun 02:30", "Sun 04:00", "America/New_York");
      expect(endsAt(cal, "2026-03-08T06:59:59.999Z")).toBeUndefined();
      expect(endsAt(cal, "2026-03-08T07:00:00Z")).toBe("2026-03-08T08:00:00.000Z");
      // An ordinary Sunday: 02:30 EDT.
      expect(endsAt(cal, "2026-03-15T06:29:00Z")).toBeUndefined();
      expect(endsAt(cal, "2026-03-15T06:30:00Z")).toBe("2026-03-15T08:00:00.000Z");
    });

    it("keeps a window that starts at a repeated time (Sun 01:30 on 1 November 2026) one block from the first 01:30", () => {
      const cal = weekly("Sun 01:30", "Sun 03:00", "America/New_York");
      expect(endsAt(cal, "2026-11-01T05:29:00Z")).toBeUndefined();
      expect(endsAt(cal, "2026-11-01T05:30:00Z")).toBe("2026-11-01T08:00:00.000Z");
      // 01:15 EST, after the clocks fell back: still inside.
      expect(endsAt(cal, "2026-11-01T06:15:00Z")).toBe("2026-11-01T08:00:00.000Z");
    });

    it("ends a window at the first 01:30 and does not reopen it when 01:30 comes round again", () => {
      const cal = weekly("Sat 22:00", "Sun 01:30", "America/New_York");
      expect(endsAt(cal, "2026-11-01T05:29:00Z")).toBe("2026-11-01T05:30:00.000Z");
      expect(endsAt(cal, "2026-11-01T05:45:00Z")).toBeUndefined();
      expect(endsAt(cal, "2026-11-01T06:15:00Z")).toBeUndefined();
    });

    it("keeps the weekend at 17:00/09:00 local around the November change", () => {
      const cal = weekly("Fri 17:00", "Mon 09:00", "America/New_York");
      expect(endsAt(cal, "2026-10-30T21:00:00Z")).toBe("2026-11-02T14:00:00.000Z");
      expect(endsAt(cal, "2026-10-30T20:59:00Z")).toBeUndefined();
    });
  });

  it("starts a window at a midnight that does not exist (Santiago skips Sun 00:00 on 6 September 2026) when the clock jumps", () => {
    const cal = weekly("Sun 00:00", "Sun 06:00", "America/Santiago");
    expect(endsAt(cal, "2026-09-06T03:59:59Z")).toBeUndefined();
    expect(endsAt(cal, "2026-09-06T04:00:00Z")).toBe("2026-09-06T09:00:00.000Z");
  });
});

describe("holidays", () => {
  const cal = calendar(
    `  - { name: weekend, from: "Fri 17:00", to: "Mon 09:00", timezone: UTC }`,
    `holidays:
  - { name: christmas, from: 2026-12-24, to: 2026-12-27, timezone: Europe/Berlin }
  - { name: new-year, date: 2027-01-01, timezone: UTC }
  - { name: midweek, from: 2026-12-14, to: 2026-12-16, timezone: UTC }
  - { name: launch, from: "2026-12-02T12:00", to: "2026-12-02T18:30", timezone: UTC }`,
  );

  it("covers whole days from local midnight to the midnight after the last day", () => {
    const names = (iso: string) =>
      activeFreeze(cal, at(iso), "production")?.active.map((window) => window.name) ?? [];
    expect(names("2026-12-23T22:59:00Z")).toEqual([]);
    expect(names("2026-12-23T23:00:00Z")).toEqual(["christmas"]);
    // Sunday evening: the weekend window is active too.
    expect(names("2026-12-27T22:59:00Z")).toContain("christmas");
    expect(names("2026-12-27T23:00:00Z")).not.toContain("christmas");
  });

  it("freezes a single date for that whole day", () => {
    expect(endsAt(cal, "2027-01-01T00:00:00Z")).toBe("2027-01-02T00:00:00.000Z");
    expect(endsAt(cal, "2026-12-31T23:59:59Z")).toBeUndefined();
  });

  it("honours a time when one is given", () => {
    expect(endsAt(cal, "2026-12-02T11:59:00Z")).toBeUndefined();
    expect(endsAt(cal, "2026-12-02T12:00:00Z")).toBe("2026-12-02T18:30:00.000Z");
  });

  it("says when the freeze lifts when a holiday runs into the weekend window", () => {
    // midweek ends Thu 17 Dec 00:00; no chain. Christmas (Thu 24 – Sun 27 Berlin) overlaps the weekend
    // that ends Mon 28 Dec 09:00 UTC.
    const freeze = activeFreeze(cal, at("2026-12-24T10:00:00Z"), "production");
    expect(freeze?.window.name).toBe("christmas");
    expect(freeze?.endsAt.toISOString()).toBe("2026-12-27T23:00:00.000Z");
    expect(freeze?.liftsAt.toISOString()).toBe("2026-12-28T09:00:00.000Z");
    const weekend = activeFreeze(cal, at("2026-12-26T10:00:00Z"), "production");
    expect(weekend?.active.map((window) => window.name).sort()).toEqual(["christmas", "weekend"]);
    expect(weekend?.window.name).toBe("weekend");
  });
});

describe("environment protection", () => {
  it("leaves unprotected environments alone", () => {
    const cal = weekly("Fri 17:00", "Mon 09:00", "UTC");
    expect(activeFreeze(cal, at("2026-11-21T12:00:00Z"), "staging")).toBeUndefined();
  });

  it("protects every environment with *", () => {
    const cal = parseFreezeCalendar(
      `environments: ["*"]\nwindows: [{ name: w, from: "Fri 17:00", to: "Mon 09:00" }]`,
    );
    expect(activeFreeze(cal, at("2026-11-21T12:00:00Z"), "staging")?.window.name).toBe("w");
  });

  it("lets a window name its own environments", () => {
    const cal = parseFreezeCalendar(`environments: [production]
windows:
  - { name: staging-maintenance, from: "Wed 10:00", to: "Wed 11:00", environments: [staging] }`);
    expect(activeFreeze(cal, at("2026-11-25T10:30:00Z"), "staging")?.window.name).toBe("staging-maintenance");
    expect(activeFreeze(cal, at("2026-11-25T10:30:00Z"), "production")).toBeUndefined();
  });
});

describe("the next freeze", () => {
  it("is the nearest start of a protecting window after now", () => {
    const cal = weekly("Fri 17:00", "Mon 09:00", "Europe/Berlin");
    expect(nextFreezeStart(cal, at("2026-11-25T12:00:00Z"), "production")?.startsAt.toISOString()).toBe(
      "2026-11-27T16:00:00.000Z",
    );
    expect(nextFreezeStart(cal, at("2026-11-25T12:00:00Z"), "staging")).toBeUndefined();
  });
});

describe("wall-clock times", () => {
  it("turns an ordinary local time into its instant", () => {
    expect(
      new Date(instantOfLocal({ year: 2026, month: 7, day: 1 }, 9 * 60, "Europe/Berlin")).toISOString(),
    ).toBe("2026-07-01T07:00:00.000Z");
    expect(
      new Date(instantOfLocal({ year: 2026, month: 1, day: 1 }, 0, "Asia/Kathmandu")).toISOString(),
    ).toBe("2025-12-31T18:15:00.000Z");
  });
});
