// The engine runs steps in order or in parallel as their needs allow, and skips false conditions.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml, stepStatus } from "../../helpers/engine.js";
import { header } from "./playbook.js";

describe("the engine", () => {
  it("runs steps in order, passes outputs on, and emits the lifecycle events in order", async () => {
    const { outcome, events, recording } = await runYaml(
      `${header}stages:
  build:
    steps:
      - id: a
        uses: rec.do
        outputs: [digest]
        with: { outputs: { digest: "sha256:abc" } }
      - id: b
        uses: rec.do
        with: { value: "image@\${{ steps.a.outputs.digest }}" }
`,
      { stages: ["build"] },
    );
    expect(outcome).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(recording.log).toEqual(["start:a", "end:a", "start:b", "end:b"]);
    expect(recording.inputs.get("b")).toMatchObject({ value: "image@sha256:abc" });
    expect(events.map((event) => `${event.type}${"step" in event ? `:${event.step}` : ""}`)).toEqual([
      "run.start",
      "stage.start",
      "step.start:a",
      "step.end:a",
      "step.start:b",
      "step.end:b",
      "stage.end",
      "run.end",
    ]);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(new Set(events.map((event) => event.runId)).size).toBe(1);
    expect(eventsOf(events, "step.start")[0]!.location).toMatchObject({
      file: "relctl.yaml",
      line: 6,
      column: 9,
    });
  });

  it("runs steps in parallel where their needs allow, and waits for all needs", async () => {
    const { recording } = await runYaml(
      `${header}stages:
  build:
    steps:
      - { id: a, uses: rec.do, with: { delay_ms: 150 } }
      - { id: b, uses: rec.do, needs: [], with: { delay_ms: 150 } }
      - { id: c, uses: rec.do, needs: [a, b] }
`,
      { stages: ["build"] },
    );
    const at = (entry: string) => recording.log.indexOf(entry);
    expect(at("start:b")).toBeLessThan(at("end:a"));
    expect(at("start:c")).toBeGreaterThan(at("end:a"));
    expect(at("start:c")).toBeGreaterThan(at("end:b"));
  });

  it("runs at most four steps of a stage at the same time", async () => {
    const steps = Array.from(
      { length: 7 },
      (_, i) => `      - { id: s${i}, uses: rec.do, needs: [], with: { delay_ms: 60 } }`,
    );
    const { recording, outcome } = await runYaml(
      `${header}stages:\n  build:\n    steps:\n${steps.join("\n")}\n`,
      {
        stages: ["build"],
      },
    );
    expect(outcome.status).toBe("succeeded");
    expect(mostAtOnce(recording.log)).toBe(4);
  });

  it("runs as many steps at once as the stage's concurrency allows, without a listener warning", async () => {
    const steps = Array.from(
      { length: 14 },
      (_, i) => `      - { id: s${i}, uses: rec.do, needs: [], with: { delay_ms: 60 } }`,
    );
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const { recording, outcome } = await runYaml(
        `${header}stages:\n  build:\n    concurrency: 12\n    steps:\n${steps.join("\n")}\n`,
        { stages: ["build"] },
      );
      expect(outcome.status).toBe("succeeded");
      expect(mostAtOnce(recording.log)).toBe(12);
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((warning) => warning.name)).not.toContain("MaxListenersExceededWarning");
  });

  it("runs a stage with concurrency 1 one step at a time, in the order written", async () => {
    const { recording } = await runYaml(
      `${header}stages:
  build:
    concurrency: 1
    steps:
      - { id: c, uses: rec.do, needs: [] }
      - { id: a, uses: rec.do, needs: [] }
      - { id: b, uses: rec.do, needs: [] }
`,
      { stages: ["build"] },
    );
    expect(recording.log).toEqual(["start:c", "end:c", "start:a", "end:a", "start:b", "end:b"]);
  });

  it("skips a step whose condition is false; its outputs read as null and the stage goes on", async () => {
    const { events, recording, outcome } = await runYaml(
      `${header}vars:
  env: staging
stages:
  deploy:
    steps:
      - id: prod-only
        uses: rec.do
        if: vars.env == 'production'
        outputs: [url]
        with: { outputs: { url: https://prod } }
      - id: after
        uses: rec.do
        with: { value: "\${{ steps.prod-only.outputs.url }}|\${{ steps.prod-only.status }}" }
`,
      { stages: ["deploy"] },
    );
    expect(outcome.status).toBe("succeeded");
    expect(stepStatus(events, "prod-only")).toBe("skipped");
    expect(recording.log).toEqual(["start:after", "end:after"]);
    expect(recording.inputs.get("after")).toMatchObject({ value: "|skipped" });
  });
});

/** The most steps that were running at the same moment, from a start/end log. */
function mostAtOnce(log: readonly string[]): number {
  let running = 0;
  let most = 0;
  for (const entry of log) {
    running += entry.startsWith("start:") ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}
