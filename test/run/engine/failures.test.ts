// When a stage fails or the run is interrupted: on_failure stages, exit codes and cancellation.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Action } from "../../../src/executors/contract.js";
import { formatDiagnostic } from "../../../src/playbook/diagnostics.js";
import { loadPlaybook, stepLocator } from "../../../src/playbook/load.js";
import { resolveVars } from "../../../src/playbook/vars.js";
import { runPlaybook } from "../../../src/run/engine.js";
import type { RunEvent } from "../../../src/run/events.js";
import { tempProject } from "../../helpers/cli.js";
import { eventsOf, recordingExecutor, runYaml, stepStatus, type Recording } from "../../helpers/engine.js";
import { header } from "./playbook.js";

/**
 * runYaml with a hook: `running(step)` is called as soon as a `rec.do` step's action is in
 * flight (it has started and is waiting on its work), so a test can interrupt it mid-step.
 */
async function runWithHook(
  yaml: string,
  stages: string[],
  signal: AbortSignal,
  running: (step: string) => void,
) {
  const dir = tempProject();
  const file = join(dir, "relctl.yaml");
  writeFileSync(file, yaml);
  const recording: Recording = { log: [], attempts: new Map(), inputs: new Map() };
  const rec = recordingExecutor(recording);
  const action = rec.actions.do!;
  const hooked: Action = {
    ...action,
    run: (ctx, input) => {
      const inFlight = action.run(ctx, input);
      running(ctx.step.id);
      return inFlight;
    },
  };
  const loaded = await loadPlaybook(file, {
    cwd: dir,
    executors: { rec: { ...rec, actions: { ...rec.actions, do: hooked } } },
  });
  if (!loaded.playbook || loaded.diagnostics.length > 0) {
    throw new Error(`invalid test playbook:\n${loaded.diagnostics.map(formatDiagnostic).join("\n")}`);
  }
  const vars = await resolveVars(loaded.playbook, { overrides: [], env: {}, cwd: dir });
  const events: RunEvent[] = [];
  const outcome = await runPlaybook({
    dryRun: false,
    signal,
    cwd: dir,
    stages,
    env: {},
    playbook: loaded.playbook,
    registry: loaded.registry,
    locate: stepLocator(loaded.sources),
    vars: vars.values,
    sink: { emit: (event) => events.push(event) },
  });
  return { outcome, events, recording };
}

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
    const { events, recording, outcome } = await runWithHook(
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
      ["deploy"],
      controller.signal,
      // Ctrl-C while `long` is in the middle of its work.
      (step) => {
        if (step === "long") controller.abort(new Error("interrupted by SIGINT"));
      },
    );
    expect(outcome).toMatchObject({ status: "interrupted", exitCode: 130 });
    expect(stepStatus(events, "long")).toBe("cancelled");
    // Cut off in the middle of its first attempt, not let run to its end.
    expect(eventsOf(events, "step.end").find((event) => event.step === "long")).toMatchObject({
      attempts: 1,
      reason: "interrupted by SIGINT",
      error: { kind: "cancelled" },
    });
    expect(stepStatus(events, "after")).toBe("cancelled");
    expect(recording.log).toEqual(["start:long", "end:long"]);
  });
});
