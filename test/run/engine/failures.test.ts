// When a stage fails or the run is interrupted: on_failure stages, exit codes and cancellation.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml, stepStatus } from "../../helpers/engine.js";
import { header } from "./playbook.js";

describe("the engine", () => {
  it("stops the stage at the first failure, cancels the rest, runs on_failure and no later stage", async () => {
    const { events, recording, outcome } = await runYaml(
      `${header}stages:
  deploy:
    on_failure: rollback
    steps:
      - { id: long, uses: rec.do, needs: [], with: { delay_ms: 3000 } }
      - { id: breaks, uses: rec.do, needs: [], with: { delay_ms: 20, fail: true } }
      - { id: never, uses: rec.do, needs: [breaks] }
  verify:
    steps:
      - { id: check, uses: rec.do }
  rollback:
    steps:
      - { id: undo, uses: rec.do }
`,
      { stages: ["deploy", "verify"] },
    );
    expect(outcome).toMatchObject({
      status: "rolled_back",
      exitCode: 1,
      failedStage: "deploy",
      failedStep: "breaks",
    });
    expect(stepStatus(events, "long")).toBe("cancelled");
    expect(stepStatus(events, "never")).toBe("cancelled");
    expect(recording.log).not.toContain("start:never");
    expect(recording.log).not.toContain("start:check");
    expect(recording.log.at(-2)).toBe("start:undo");
    expect(eventsOf(events, "stage.start").map((event) => [event.stage, event.role])).toEqual([
      ["deploy", "requested"],
      ["rollback", "on_failure"],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "run.end", status: "rolled_back", exitCode: 1 });
  });

  it("tells the on_failure stage what failed through run.failed_stage, run.failed_step and run.failure", async () => {
    const { recording } = await runYaml(
      `${header}stages:
  deploy:
    on_failure: rollback
    steps:
      - { id: breaks, uses: rec.do, with: { fail: true } }
  rollback:
    steps:
      - id: report
        uses: rec.do
        with: { value: "\${{ run.failed_stage }}/\${{ run.failed_step }}: \${{ run.failure }} (run \${{ run.id }})" }
`,
      { stages: ["deploy"], runId: "20261125T100000Z-abcd" },
    );
    expect(recording.inputs.get("report")).toMatchObject({
      value: "deploy/breaks: breaks failed on attempt 1 (run 20261125T100000Z-abcd)",
    });
  });

  it("exits 3 when a gate fails, without retrying the gate", async () => {
    const { outcome, recording } = await runYaml(
      `${header}stages:
  canary:
    on_failure: rollback
    steps:
      - { id: slo, uses: rec.do, retry: 3, with: { gate: true } }
  rollback:
    steps:
      - { id: undo, uses: rec.do }
`,
      { stages: ["canary"] },
    );
    expect(outcome).toMatchObject({ status: "rolled_back", exitCode: 3 });
    expect(recording.attempts.get("slo")).toBe(1);
  });

  it("exits 5 when the on_failure stage fails too", async () => {
    const { outcome } = await runYaml(
      `${header}stages:
  deploy:
    on_failure: rollback
    steps:
      - { id: breaks, uses: rec.do, with: { fail: true } }
  rollback:
    steps:
      - { id: undo, uses: rec.do, with: { fail: true } }
`,
      { stages: ["deploy"] },
    );
    expect(outcome).toMatchObject({ status: "rollback_failed", exitCode: 5 });
  });

  it("stops the running step on interrupt, skips on_failure and ends as interrupted (130)", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("interrupted by SIGINT")), 100);
    const { events, recording, outcome } = await runYaml(
      `${header}stages:
  deploy:
    on_failure: rollback
    steps:
      - { id: long, uses: rec.do, with: { delay_ms: 5000 } }
      - { id: after, uses: rec.do }
  rollback:
    steps:
      - { id: undo, uses: rec.do }
`,
      { stages: ["deploy"], signal: controller.signal },
    );
    expect(outcome).toMatchObject({ status: "interrupted", exitCode: 130 });
    expect(stepStatus(events, "long")).toBe("cancelled");
    expect(stepStatus(events, "after")).toBe("cancelled");
    expect(recording.log).toEqual(["start:long", "end:long"]);
  });
});
