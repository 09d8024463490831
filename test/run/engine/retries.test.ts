// The engine retries failing steps with backoff, times out attempts and honours continue_on_error.
import { describe, expect, it } from "vitest";
import { manualClock } from "../../helpers/action-context.js";
import { eventsOf, runYaml } from "../../helpers/engine.js";
import { header } from "./playbook.js";

describe("the engine", () => {
  it("retries a failing step with growing backoff and succeeds on the third attempt", async () => {
    const clock = manualClock();
    const { events, recording, outcome } = await runYaml(
      `${header}stages:
  build:
    steps:
      - id: flaky
        uses: rec.do
        retry: { attempts: 3, backoff: 2s, factor: 3 }
        with: { fail_times: 2 }
`,
      { stages: ["build"], clock },
    );
    expect(outcome.status).toBe("succeeded");
    expect(recording.attempts.get("flaky")).toBe(3);
    expect(eventsOf(events, "step.retry").map((event) => [event.attempt, event.delayMs])).toEqual([
      [1, 2000],
      [2, 6000],
    ]);
    expect(clock.sleeps).toEqual([2000, 6000]);
    expect(eventsOf(events, "step.end")[0]).toMatchObject({
      status: "succeeded",
      attempts: 3,
      outputs: { attempt: 3 },
    });
  });

  it("caps the backoff at max_backoff and gives up after the last attempt", async () => {
    const clock = manualClock();
    const { events, outcome } = await runYaml(
      `${header}stages:
  build:
    steps:
      - id: broken
        uses: rec.do
        retry: { attempts: 4, backoff: 10s, factor: 10, max_backoff: 30s }
        with: { fail: true }
`,
      { stages: ["build"], clock },
    );
    expect(clock.sleeps).toEqual([10_000, 30_000, 30_000]);
    expect(outcome).toMatchObject({
      status: "failed",
      exitCode: 1,
      failedStage: "build",
      failedStep: "broken",
    });
    expect(eventsOf(events, "step.end")[0]).toMatchObject({
      status: "failed",
      attempts: 4,
      error: { kind: "failed", command: ["rec", "broken"], exitCode: 3, stderrTail: "boom" },
    });
  });

  it("times out an attempt that takes too long, retries it, and reports timed_out", async () => {
    const { events, recording, outcome } = await runYaml(
      `${header}stages:
  build:
    steps:
      - id: slow
        uses: rec.do
        timeout: 100ms
        retry: { attempts: 2, backoff: 10ms }
        with: { delay_ms: 5000 }
`,
      { stages: ["build"] },
    );
    expect(recording.attempts.get("slow")).toBe(2);
    expect(outcome.status).toBe("failed");
    expect(eventsOf(events, "step.end")[0]).toMatchObject({
      status: "timed_out",
      error: { kind: "timed-out", message: "timed out after 100ms" },
    });
  });

  it("records a failure with continue_on_error and goes on", async () => {
    const { events, recording, outcome } = await runYaml(
      `${header}stages:
  build:
    steps:
      - { id: optional, uses: rec.do, continue_on_error: true, with: { fail: true } }
      - { id: next, uses: rec.do }
`,
      { stages: ["build"] },
    );
    expect(outcome).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(recording.log).toContain("start:next");
    expect(eventsOf(events, "step.end")[0]).toMatchObject({ status: "failed", continuedOnError: true });
  });
});
