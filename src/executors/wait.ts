// The wait executor: pause for a duration or until a time. Time comes from ctx.clock, so tests
// skip a two-hour canary hold at once; an interrupt ends the wait immediately.
import { z } from "zod";
import { formatDuration, MAX_WAIT, MAX_WAIT_HINT, MAX_WAIT_MS, parseDuration } from "../util/duration.js";
import { defineAction, StepFailure, type Executor } from "./contract.js";
import { refuseWait } from "./shared/fields.js";

const duration = z
  .union([z.string(), z.number().nonnegative("a duration cannot be negative")])
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: "not a duration: write it like 30s, 5m or 2h" });
      return z.NEVER;
    }
    // A hold from a var is only known here, once rendered: over the limit, the step fails
    // before it waits rather than firing early.
    return refuseWait(ctx, ms, value) ? z.NEVER : ms;
  });

const sleep = defineAction({
  description: "Pause for a duration",
  input: z.strictObject({ duration: duration.describe("how long: 30s, 5m, 2h; at most 24d") }),
  outputs: {},
  mutates: false,
  plan: (value) => ({ summary: `wait ${formatDuration(value.duration)}` }),
  async run(ctx, value) {
    ctx.log.info(`waiting ${formatDuration(value.duration)}`);
    await ctx.clock.sleep(value.duration, ctx.signal);
    return {};
  },
});

const until = defineAction({
  description: "Pause until a point in time",
  input: z.strictObject({
    time: z.iso.datetime({ offset: true }).describe("ISO-8601 time, e.g. 2026-11-26T10:00:00Z"),
  }),
  outputs: {},
  mutates: false,
  plan: (value) => ({ summary: `wait until ${value.time}` }),
  async run(ctx, value) {
    const remaining = new Date(value.time).getTime() - ctx.clock.now().getTime();
    if (remaining > MAX_WAIT_MS) {
      throw new StepFailure(
        `${value.time} is ${formatDuration(remaining)} away, longer than relctl waits: at most ${MAX_WAIT}`,
        { hint: MAX_WAIT_HINT },
      );
    }
    if (remaining > 0) {
      ctx.log.info(`waiting until ${value.time} (${formatDuration(remaining)})`);
      await ctx.clock.sleep(remaining, ctx.signal);
    }
    return {};
  },
});

const wait: Executor = {
  name: "wait",
  description: "Pause a stage",
  actions: { sleep, until },
};

export default wait;
