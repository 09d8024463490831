import { describe, expect, it } from "vitest";
import { runYaml } from "../helpers/engine.js";

const playbook = (gate: boolean) => `apiVersion: relctl/v1
name: fields
stages:
  canary:
    on_failure: rollback
    steps:
      - { id: slo, uses: rec.do, with: { gate: ${gate}, fail: ${!gate} } }
  rollback:
    steps:
      - id: report
        uses: rec.do
        with:
          value: "\${{ run.failure_kind }}|\${{ run.failed_at != null }}|\${{ run.started_at <= run.failed_at }}"
          outputs: { timeline: "\${{ run.timeline }}" }
`;

describe("run fields for on_failure stages", () => {
  it("say whether a gate or a step failed, when, and the timeline so far", async () => {
    const gate = await runYaml(playbook(true), { stages: ["canary"] });
    expect(gate.recording.inputs.get("report")).toMatchObject({ value: "gate-failed|true|true" });
    const timeline = (gate.recording.inputs.get("report") as { outputs: { timeline: string[] } }).outputs
      .timeline;
    expect(timeline.map((line) => line.replace(/^\d\d:\d\d:\d\dZ /, ""))).toEqual([
      "stage canary started",
      "step slo failed: gate of slo failed",
      "rollback started",
    ]);
    const step = await runYaml(playbook(false), { stages: ["canary"] });
    expect(step.recording.inputs.get("report")).toMatchObject({ value: "failed|true|true" });
  });
});
