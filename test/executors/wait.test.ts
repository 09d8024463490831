// wait.sleep and wait.until wait at most 24 days (Node's timers end at 24.8): a longer wait fails
// the step before it starts waiting, never fires early.
import { describe, expect, it } from "vitest";
import { StepFailure } from "../../src/executors/contract.js";
import wait from "../../src/executors/wait.js";
import { manualClock, testContext } from "../helpers/action-context.js";

const sleep = wait.actions.sleep!;
const until = wait.actions.until!;
const DAY = 86_400_000;

describe("wait.sleep", () => {
  it("waits exactly 24 days on the clock", async () => {
    const clock = manualClock();
    const ctx = await testContext({ clock });
    await sleep.run(ctx, sleep.input.parse({ duration: "24d" }));
    expect(clock.sleeps).toEqual([24 * DAY]);
  });

  it.each([
    { duration: "25d", message: "25d is longer than relctl waits: at most 24d" },
    { duration: 2_160_000, message: "2160000s is longer than relctl waits: at most 24d" },
  ])("refuses $duration with the limit and a hint", ({ duration, message }) => {
    const parsed = sleep.input.safeParse({ duration });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toMatchObject([
      { path: ["duration"], message, params: { hint: expect.stringContaining("at most 24d") as string } },
    ]);
  });

  it("refuses a negative duration with one message", () => {
    const parsed = sleep.input.safeParse({ duration: -1 });
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual(["a duration cannot be negative"]);
  });
});

describe("wait.until", () => {
  it("waits until a time 23 days away", async () => {
    const clock = manualClock(new Date("2026-11-22T10:00:00Z"));
    const ctx = await testContext({ clock });
    await until.run(ctx, until.input.parse({ time: "2026-12-15T10:00:00Z" }));
    expect(clock.sleeps).toEqual([23 * DAY]);
  });

  it("fails at once, without waiting, for a time more than 24 days away", async () => {
    const clock = manualClock(new Date("2026-11-22T10:00:00Z"));
    const ctx = await testContext({ clock });
    const running = until.run(ctx, until.input.parse({ time: "2026-12-22T10:00:00Z" }));
    await expect(running).rejects.toThrow(StepFailure);
    await expect(running).rejects.toThrow(
      "2026-12-22T10:00:00Z is 30d00h away, longer than relctl waits: at most 24d",
    );
    expect(clock.sleeps).toEqual([]);
  });
});
