// A delay past Node's 2^31-1 ms timer limit fires after 1 ms unless it is waited in pieces:
// setLongTimeout and the system clock's sleep never fire early, whatever the length.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/run/clock.js";
import { MAX_TIMER_MS, setLongTimeout } from "../../src/util/timer.js";

const DAY = 86_400_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("setLongTimeout", () => {
  it("calls back after 30 days, not at Node's 24.8-day limit and not at once", () => {
    const fired = vi.fn();
    const set = vi.spyOn(globalThis, "setTimeout");
    setLongTimeout(fired, 30 * DAY);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY - MAX_TIMER_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
    // No single timer was asked for more than Node holds.
    for (const [, delay] of set.mock.calls) expect(delay).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it("calls back after a short delay like setTimeout", () => {
    const fired = vi.fn();
    setLongTimeout(fired, 50);
    vi.advanceTimersByTime(49);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
  });

  it("never calls back once cancelled, even between pieces", () => {
    const fired = vi.fn();
    const cancel = setLongTimeout(fired, 60 * DAY);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    cancel();
    vi.advanceTimersByTime(60 * DAY);
    expect(fired).not.toHaveBeenCalled();
  });
});

describe("the system clock's sleep", () => {
  it("resolves after 30 days, not before", async () => {
    let done = false;
    const sleeping = systemClock.sleep(30 * DAY).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(30 * DAY - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("rejects with the signal's reason when aborted during a long sleep", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(30 * DAY, controller.signal);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 5);
    controller.abort(new Error("interrupted"));
    await expect(sleeping).rejects.toThrow("interrupted");
  });
});
