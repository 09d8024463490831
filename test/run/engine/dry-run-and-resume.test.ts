// Dry-runs plan without mutating; resumed runs reuse outputs; a run refuses outputs of stages outside it.
import { describe, expect, it } from "vitest";
import type { RelctlError } from "../../../src/errors.js";
import { eventsOf, runYaml, stepStatus } from "../../helpers/engine.js";
import { header } from "./playbook.js";

describe("the engine", () => {
  it("in a dry-run plans mutating steps without running them and runs read-only ones through preview", async () => {
    const { events, recording, outcome } = await runYaml(
      `${header}stages:
  build:
    on_failure: rollback
    steps:
      - { id: version, uses: rec.look, outputs: [next], with: { outputs: { next: 1.4.0 } } }
      - { id: image, uses: rec.do, outputs: [digest], with: { value: "v\${{ steps.version.outputs.next }}" } }
      - { id: sign, uses: rec.do, with: { value: "app@\${{ steps.image.outputs.digest }}" } }
  rollback:
    steps:
      - { id: undo, uses: rec.do }
`,
      { stages: ["build"], dryRun: true },
    );
    expect(outcome).toMatchObject({ status: "planned", exitCode: 0 });
    expect(recording.log).toEqual(["preview:version"]);
    const plans = eventsOf(events, "step.plan");
    expect(plans.map((event) => [event.step, event.mutates, event.runsInDryRun])).toEqual([
      ["version", false, true],
      ["image", true, false],
      ["sign", true, false],
      ["undo", true, false],
    ]);
    expect(plans[1]!.plan?.argv).toEqual(["rec", "v1.4.0"]);
    expect(plans[2]!.plan?.argv).toEqual(["rec", "app@⟨steps.image.outputs.digest⟩"]);
    expect(plans[2]!.runtimeValues).toEqual(["steps.image.outputs.digest"]);
    expect(eventsOf(events, "stage.start").at(-1)).toMatchObject({ stage: "rollback", role: "on_failure" });
    expect(stepStatus(events, "image")).toBe("planned");
  });

  it("resumes without repeating steps that completed, reusing their outputs", async () => {
    const { recording, events } = await runYaml(
      `${header}stages:
  build:
    steps:
      - { id: a, uses: rec.do, outputs: [digest], with: { outputs: { digest: fresh } } }
      - { id: b, uses: rec.do, with: { value: "\${{ steps.a.outputs.digest }}" } }
`,
      { stages: ["build"], completed: new Map([["a", { outputs: { digest: "from-journal" } }]]) },
    );
    expect(recording.log).toEqual(["start:b", "end:b"]);
    expect(recording.inputs.get("b")).toMatchObject({ value: "from-journal" });
    expect(eventsOf(events, "step.end")[0]).toMatchObject({ step: "a", status: "succeeded", attempts: 0 });
  });

  it("refuses a run that reads outputs of a stage outside it; a dry-run warns and shows ⟨…⟩", async () => {
    const yaml = `${header}stages:
  build:
    steps:
      - { id: image, uses: rec.do, outputs: [digest], with: { outputs: { digest: d } } }
  sign:
    needs: [build]
    steps:
      - { id: sign-it, uses: rec.do, with: { value: "\${{ steps.image.outputs.digest }}" } }
`;
    const refused = await runYaml(yaml, { stages: ["sign"] }).catch((error: unknown) => error);
    expect((refused as RelctlError).code).toBe("E_OUTSIDE_OUTPUTS");
    expect((refused as RelctlError).hint).toContain("relctl run build sign");
    const planned = await runYaml(yaml, { stages: ["sign"], dryRun: true });
    expect(
      eventsOf(planned.events, "run.warning")
        .map((event) => event.message)
        .join("\n"),
    ).toMatch(/sign-it reads outputs of image.*not part of this run[\s\S]*needs build/);
    const together = await runYaml(yaml, { stages: ["build", "sign"] });
    expect(together.recording.inputs.get("sign-it")).toMatchObject({ value: "d" });
  });
});
