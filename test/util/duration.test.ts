// The one rule for waits: at most 24 days (below Node's 24.8-day timer limit), and longer than 0
// where the wait is a timeout.
import { describe, expect, it } from "vitest";
import { formatDuration, MAX_WAIT_MS, parseDuration, waitProblem } from "../../src/util/duration.js";
import { MAX_TIMER_MS } from "../../src/util/timer.js";

describe("waitProblem", () => {
  it("keeps the limit below what one Node timer holds", () => {
    expect(MAX_WAIT_MS).toBe(parseDuration("24d"));
    expect(MAX_WAIT_MS).toBeLessThan(MAX_TIMER_MS);
  });

  it("accepts 0 up to exactly 24 days", () => {
    expect(waitProblem(0)).toBeUndefined();
    expect(waitProblem(MAX_WAIT_MS)).toBeUndefined();
  });

  it("refuses a wait over 24 days, echoing it as written, with a hint", () => {
    expect(waitProblem(MAX_WAIT_MS + 1, { written: "24d1ms" })).toEqual({
      message: "24d1ms is longer than relctl waits: at most 24d",
      hint: expect.stringContaining("relctl waits at most 24d") as string,
    });
    expect(waitProblem(2_073_601_000, { written: 2_073_601 })?.message).toBe(
      "2073601s is longer than relctl waits: at most 24d",
    );
    expect(waitProblem(30 * 86_400_000)?.message).toBe("30d00h is longer than relctl waits: at most 24d");
  });

  it("refuses a timeout of 0", () => {
    expect(waitProblem(0, { positive: true })).toEqual({
      message: "must be longer than 0s",
      hint: "give a timeout longer than 0s, or leave it out for none",
    });
    expect(waitProblem(1, { positive: true })).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it("shows days past 24 hours instead of hundreds of hours", () => {
    expect(formatDuration(25 * 86_400_000)).toBe("25d00h");
    expect(formatDuration(86_400_000 + 3 * 3_600_000)).toBe("1d03h");
    expect(formatDuration(23 * 3_600_000 + 5 * 60_000)).toBe("23h05m");
  });
});
