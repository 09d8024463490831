import { describe, expect, it } from "vitest";
import { RelctlError } from "../../src/errors.js";
import { manualClock } from "../helpers/action-context.js";
import { eventsOf, runYaml, stepStatus } from "../helpers/engine.js";

const header = "apiVersion: relctl/v1\nname: engine\n";

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
    let running = 0;
    let most = 0;
    for (const entry of recording.log) {
      running += entry.startsWith("start:") ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(4);
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

  it("hides secrets in every event, also URL-encoded, while the step gets the real value", async () => {
    const secret = "s3cr3t/to+ken value";
    const { events, recording } = await runYaml(
      `${header}secrets:
  token: env://API_TOKEN
stages:
  build:
    steps:
      - id: call
        uses: rec.do
        with:
          value: "https://x.test/?t=\${{ secrets.token }}"
          outputs: { echoed: "\${{ secrets.token }}", encoded: "${encodeURIComponent(secret)}" }
`,
      { stages: ["build"], env: { API_TOKEN: secret } },
    );
    expect(recording.inputs.get("call")).toMatchObject({ value: `https://x.test/?t=${secret}` });
    const text = JSON.stringify(events);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).toContain("***");
  });

  it("refuses before anything runs when a secret the run reads is missing, but not for unused ones", async () => {
    const yaml = `${header}secrets:
  token: env://API_TOKEN
  other: env://NOT_SET_ANYWHERE
stages:
  build:
    steps:
      - { id: call, uses: rec.do, with: { value: "\${{ secrets.token }}" } }
`;
    const refused = await runYaml(yaml, { stages: ["build"] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RelctlError);
    expect((refused as RelctlError).message).toContain("token (environment variable API_TOKEN is not set)");
    const { outcome } = await runYaml(yaml, { stages: ["build"], env: { API_TOKEN: "abc123" } });
    expect(outcome.status).toBe("succeeded");
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

  it("computes release values on first read, from the steps that ran", async () => {
    const { recording } = await runYaml(
      `${header}release:
  version: "\${{ steps.next.outputs.version }}"
  tag: "v\${{ release.version }}"
stages:
  build:
    steps:
      - { id: next, uses: rec.do, outputs: [version], with: { outputs: { version: 2.0.0 } } }
      - { id: tag, uses: rec.do, with: { value: "\${{ release.tag }}" } }
`,
      { stages: ["build"] },
    );
    expect(recording.inputs.get("tag")).toMatchObject({ value: "v2.0.0" });
  });

  it("fails a step whose rendered input breaks the action's schema, naming the field", async () => {
    const { events, outcome } = await runYaml(
      `${header}vars:
  delay: soon
stages:
  build:
    steps:
      - { id: a, uses: rec.do, with: { delay_ms: "\${{ vars.delay }}" } }
`,
      { stages: ["build"] },
    );
    expect(outcome.status).toBe("failed");
    expect(eventsOf(events, "step.end")[0]!.error?.message).toMatch(
      /invalid input after rendering: delay_ms/,
    );
  });
});
