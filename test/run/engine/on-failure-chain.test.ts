// How far a failure is handed on: a failed stage runs its on_failure stage, and a failed
// on_failure stage ends the run for a person to act. It never hands over again, so a failed
// rollback cannot start another stage (lint refuses on_failure cycles besides).
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml } from "../../helpers/engine.js";
import { header } from "./playbook.js";

const playbook = `${header}stages:
  deploy:
    on_failure: rollback
    steps:
      - { id: ship, uses: rec.do, with: { fail: true } }
  rollback:
    on_failure: page
    steps:
      - { id: undo, uses: rec.do, with: { fail: true } }
  page:
    steps:
      - { id: alert, uses: rec.do }
`;

describe("on_failure chains in the engine", () => {
  it("ends with exit 5 when the on_failure stage fails, without running that stage's own on_failure", async () => {
    const { outcome, recording, events } = await runYaml(playbook, { stages: ["deploy"] });
    expect(outcome).toMatchObject({ status: "rollback_failed", exitCode: 5, failedStage: "deploy" });
    expect(recording.log).toEqual(["start:ship", "end:ship", "start:undo", "end:undo"]);
    expect(eventsOf(events, "stage.start").map((event) => [event.stage, event.role])).toEqual([
      ["deploy", "requested"],
      ["rollback", "on_failure"],
    ]);
  });

  it("hands a stage run by name over to its own on_failure stage, once", async () => {
    const { outcome, recording } = await runYaml(playbook, { stages: ["rollback"] });
    expect(outcome).toMatchObject({ status: "rolled_back", exitCode: 1, failedStage: "rollback" });
    expect(recording.log).toEqual(["start:undo", "end:undo", "start:alert", "end:alert"]);
  });
});
