import { describe, expect, it } from "vitest";
import { manualClock } from "../helpers/action-context.js";
import { eventsOf, runYaml, stepStatus } from "../helpers/engine.js";

const canary = (failAt: number) => `apiVersion: relctl/v1
name: canary
stages:
  canary:
    on_failure: rollback
    canary:
      weights: [10, 50, 100]
      hold: 2h
      steps:
        - id: shift
          name: Shift traffic
          uses: rec.do
          outputs: [weight]
          with: { value: "weight=\${{ canary.weight }} after \${{ canary.previous_weight }}", outputs: { weight: "\${{ canary.weight }}" } }
        - id: gate
          uses: rec.do
          with: { value: "checks \${{ steps.shift.outputs.weight }}", gate: "\${{ canary.weight == ${failAt} }}" }
    steps:
      - { id: done, uses: rec.do }
  rollback:
    steps:
      - { id: undo, uses: rec.do }
`;

describe("canary progression", () => {
  it("steps through the weights in order, each held beside its checks, then runs the stage's own steps", async () => {
    const clock = manualClock();
    const { outcome, recording, events } = await runYaml(canary(0), { stages: ["canary"], clock });
    expect(outcome.status).toBe("succeeded");
    const started = recording.log.filter((entry) => entry.startsWith("start:"));
    expect(started).toEqual([
      "start:shift-10",
      "start:gate-10",
      "start:shift-50",
      "start:gate-50",
      "start:shift-100",
      "start:gate-100",
      "start:done",
    ]);
    expect(recording.inputs.get("shift-50")).toMatchObject({ value: "weight=50 after 10" });
    expect(recording.inputs.get("gate-100")).toMatchObject({ value: "checks 100" });
    expect(clock.sleeps).toEqual([7_200_000, 7_200_000, 7_200_000]);
    const names = eventsOf(events, "step.end").map((event) => event.name);
    expect(names).toContain("Shift traffic at 50%");
    expect(names).toContain("Hold 50% for at least 2h");
    // The next weight waits for both the checks and the hold of the one before.
    const order = eventsOf(events, "step.end").map((event) => event.step);
    expect(order.indexOf("hold-10")).toBeLessThan(order.indexOf("shift-50"));
    expect(order.indexOf("gate-10")).toBeLessThan(order.indexOf("shift-50"));
  });

  it("stops at the weight whose gate fails and rolls back, exit 3", async () => {
    const { outcome, recording, events } = await runYaml(canary(50), {
      stages: ["canary"],
      clock: manualClock(),
    });
    expect(outcome).toMatchObject({ status: "rolled_back", exitCode: 3, failedStep: "gate-50" });
    expect(recording.log).not.toContain("start:shift-100");
    expect(recording.log).not.toContain("start:done");
    expect(recording.log).toContain("start:undo");
    expect(stepStatus(events, "shift-100")).toBe("cancelled");
  });

  it("plans every weight in a dry-run", async () => {
    const { events } = await runYaml(canary(0), { stages: ["canary"], dryRun: true });
    const planned = eventsOf(events, "step.plan").map((event) => event.step);
    expect(planned).toEqual([
      "shift-10",
      "gate-10",
      "hold-10",
      "shift-50",
      "gate-50",
      "hold-50",
      "shift-100",
      "gate-100",
      "hold-100",
      "done",
      "undo",
    ]);
  });

  // Node's timers end at 24.8 days; a longer hold used to fire after 1 ms. Lint refuses a literal
  // one (test/playbook/validation/durations.test.ts); these are the holds that get to the run.
  const longHold = (hold: string) => `apiVersion: relctl/v1
name: canary
vars:
  hold: 1h
stages:
  canary:
    canary:
      weights: [10, 100]
      hold: ${hold}
      steps:
        - { id: shift, uses: rec.do }
`;

  it("holds each weight for the whole of a 24-day hold, the longest relctl waits", async () => {
    const clock = manualClock();
    const { outcome } = await runYaml(longHold("24d"), { stages: ["canary"], clock });
    expect(outcome.status).toBe("succeeded");
    expect(clock.sleeps).toEqual([2_073_600_000, 2_073_600_000]);
  });

  it("fails the first hold before it waits when a hold from a var is over 24 days, and says why", async () => {
    const clock = manualClock();
    const { outcome, events, recording } = await runYaml(longHold('"${{ vars.hold }}"'), {
      stages: ["canary"],
      clock,
      vars: ["hold=30d"],
    });
    expect(outcome).toMatchObject({ status: "failed", failedStep: "hold-10" });
    expect(clock.sleeps).toEqual([]);
    expect(recording.log).not.toContain("start:shift-100");
    const hold = eventsOf(events, "step.end").find((event) => event.step === "hold-10");
    expect(hold?.error).toMatchObject({
      message:
        'invalid input after rendering: duration: 30d is longer than relctl waits: at most 24d, got the text "30d" (from vars.hold)',
      hint: expect.stringContaining("relctl waits at most 24d") as string,
    });
  });
});
