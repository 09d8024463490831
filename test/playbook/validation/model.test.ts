// The normalised playbook that validation hands to the engine: stages, steps, retry, timeouts, vars.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lines, load } from "../../helpers/playbook.js";

describe("the normalised playbook", () => {
  const files = {
    "relctl.yaml": lines(
      "apiVersion: relctl/v1",
      "name: train",
      "description: Weekly train",
      "include: [phases/build.yaml]",
      "vars:",
      "  service: api",
      "  version:",
      "    required: true",
      "    description: Version to release",
      "secrets:",
      "  token: env://TOKEN",
      "  webhook: { from: env://HOOK, required: false }",
      "release:",
      "  tag: 'v${{ vars.version }}'",
      "stages:",
      "  promote:",
      "    needs: [build]",
      "    on_failure: rollback",
      "    environment: production",
      "    steps:",
      "      - id: first",
      "        uses: exec.run",
      "        with: { argv: [echo] }",
      "        retry: 3",
      "        timeout: 20m",
      "      - id: second",
      "        name: The second step",
      "        uses: exec.run",
      "        with: { argv: [echo] }",
      "        retry: { attempts: 5, backoff: 10s }",
      "        timeout: 90",
      "        if: true",
      "      - id: third",
      "        uses: exec.run",
      "        with: { argv: [echo] }",
      "        needs: []",
      "        retry: { attempts: 2, backoff: 500ms, factor: 3, max_backoff: 1h30m }",
      "        if: vars.service == 'api'",
      "        continue_on_error: true",
      "        outputs: [digest]",
      "      - id: fourth",
      "        uses: wait.sleep",
      "        with: { duration: 1s }",
      "        needs: [first, third]",
      "        if: false",
      "  rollback:",
      "    steps: []",
    ),
    "phases/build.yaml": lines(
      "apiVersion: relctl/v1",
      "executors:",
      "  ticketing: ../tools/ticketing.mjs",
      "stages:",
      "  build:",
      "    steps:",
      "      - id: image",
      "        uses: exec.run",
      "        with: { argv: [docker, build, .] }",
    ),
  };

  it("has no diagnostics", async () => {
    expect((await load(files)).diagnostics).toEqual([]);
  });

  it("orders stages with the included files' stages first", async () => {
    const { playbook } = await load(files);
    expect(playbook!.stages.map((stage) => stage.name)).toEqual(["build", "promote", "rollback"]);
    expect(playbook!.name).toBe("train");
    expect(playbook!.description).toBe("Weekly train");
  });

  it("keeps stage needs, on_failure and environment", async () => {
    const { playbook } = await load(files);
    const promote = playbook!.stages.find((stage) => stage.name === "promote")!;
    expect(promote).toMatchObject({ needs: ["build"], onFailure: "rollback", environment: "production" });
    expect(playbook!.stages[0]).toMatchObject({ name: "build", needs: [], onFailure: undefined });
  });

  it("makes a step without needs wait for the one before it, and needs: [] wait for none", async () => {
    const { playbook } = await load(files);
    const steps = playbook!.stages[1]!.steps;
    expect(steps.map((step) => [step.id, step.dependsOn, step.explicitNeeds])).toEqual([
      ["first", [], false],
      ["second", ["first"], false],
      ["third", [], true],
      ["fourth", ["first", "third"], true],
    ]);
  });

  it("turns retry shorthand and retry objects into a policy with defaults", async () => {
    const { playbook } = await load(files);
    const [first, second, third, fourth] = playbook!.stages[1]!.steps;
    expect(first!.retry).toEqual({ attempts: 3, backoffMs: 1_000, factor: 2, maxBackoffMs: 60_000 });
    expect(second!.retry).toEqual({ attempts: 5, backoffMs: 10_000, factor: 2, maxBackoffMs: 60_000 });
    expect(third!.retry).toEqual({ attempts: 2, backoffMs: 500, factor: 3, maxBackoffMs: 5_400_000 });
    expect(fourth!.retry).toEqual({ attempts: 1, backoffMs: 1_000, factor: 2, maxBackoffMs: 60_000 });
  });

  it("turns timeouts into milliseconds, a bare number being seconds", async () => {
    const { playbook } = await load(files);
    expect(playbook!.stages[1]!.steps.map((step) => step.timeoutMs)).toEqual([
      1_200_000,
      90_000,
      undefined,
      undefined,
    ]);
  });

  it("fills in names, conditions, outputs and the other step fields", async () => {
    const { playbook, dir } = await load(files);
    const [first, second, third, fourth] = playbook!.stages[1]!.steps;
    expect(first).toMatchObject({
      id: "first",
      name: "first",
      uses: "exec.run",
      executor: "exec",
      action: "run",
      with: { argv: ["echo"] },
      if: undefined,
      continueOnError: false,
      declaredOutputs: [],
      stage: "promote",
      index: 0,
      origin: { file: join(dir, "relctl.yaml"), path: ["stages", "promote", "steps", 0] },
    });
    expect(second).toMatchObject({ name: "The second step", if: undefined, index: 1 });
    expect(third).toMatchObject({
      if: "vars.service == 'api'",
      continueOnError: true,
      declaredOutputs: ["digest"],
    });
    expect(fourth).toMatchObject({ uses: "wait.sleep", executor: "wait", action: "sleep", if: "false" });
    expect(playbook!.stages[0]!.steps[0]!.origin.file).toBe(join(dir, "phases/build.yaml"));
  });

  it("normalises vars, secrets, release values and executors", async () => {
    const { playbook, dir } = await load(files);
    expect(playbook!.vars.get("service")).toMatchObject({ default: "api", required: false, defaultSub: [] });
    expect(playbook!.vars.get("version")).toMatchObject({
      default: undefined,
      required: true,
      description: "Version to release",
      defaultSub: ["default"],
      origin: { path: ["vars", "version"] },
    });
    expect(playbook!.secrets.get("token")).toMatchObject({ from: "env://TOKEN", required: true });
    expect(playbook!.secrets.get("webhook")).toMatchObject({ from: "env://HOOK", required: false });
    expect(playbook!.release.get("tag")).toMatchObject({ template: "v${{ vars.version }}" });
    // An executor module is relative to the file that declares it.
    expect(playbook!.executors.get("ticketing")).toMatchObject({ module: join(dir, "tools/ticketing.mjs") });
    expect(playbook!.files).toEqual([join(dir, "relctl.yaml"), join(dir, "phases/build.yaml")]);
  });
});
