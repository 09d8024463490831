// A gate that cannot decide pauses for a person: `relctl decide` lets the run go on, or rolls it
// back, from another terminal; the decision is recorded with who and why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, json, loopbackServer, person, project, waitFor, type LoopbackServer } from "./helpers.js";

let prometheus: LoopbackServer;
beforeAll(async () => {
  // A Prometheus whose canary has no series yet: every query answers an empty vector.
  prometheus = await loopbackServer((_request, response) =>
    json(response, 200, { status: "success", data: { resultType: "vector", result: [] } }),
  );
});
afterAll(() => prometheus.close());

const playbook = (deadline = "30s") => `apiVersion: relctl/v1
name: paused
stages:
  canary:
    on_failure: rollback
    steps:
      - id: slo
        uses: prometheus.gate
        with:
          url: ${prometheus.url}
          metrics:
            - { name: error_rate, query: "sum(rate(errors[5m]))", max: 0.01 }
          on_inconclusive: { action: pause, deadline: ${deadline}, default: abort }
      - { id: after, uses: exec.run, with: { argv: [touch, after.txt] } }
  rollback:
    steps:
      - { id: undo, uses: exec.run, with: { argv: [touch, rolled-back.txt] } }
`;

async function pausedRun(decision: "continue" | "abort") {
  const work = project(playbook());
  const run = work.start(["canary", "--yes", "--json"]);
  const runId = await waitFor("the run to start", () => work.runIds()[0]);
  await waitFor("the gate to pause", () => work.journal(runId).some((event) => event.kind === "gate.paused"));
  const decided = await work.run(
    ["decide", runId, "slo", decision, "--reason", "metrics pipeline lagging, checked by hand"],
    person("Ana Lima", "ana@example.com"),
  );
  expect(decided.exitCode, decided.stderr).toBe(0);
  return { work, result: await run, runId };
}

describe("relctl decide", () => {
  it("continue lets a paused gate pass and the stage go on, recording who decided", async () => {
    const { work, result, runId } = await pausedRun("continue");
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(work.read("after.txt")).toBe(""); // the step after the gate ran
    expect(work.runIds()).toEqual([runId]);
    const decision = events(result).find((event) => event.kind === "gate.decision");
    expect(decision?.data).toMatchObject({ decision: "continue", by: "Ana Lima <ana@example.com>" });
  }, 30_000);

  it("abort fails the gate (exit 3) and runs the rollback", async () => {
    const { work, result } = await pausedRun("abort");
    expect(result.exitCode).toBe(3);
    expect(() => work.read("after.txt")).toThrow();
    expect(work.read("rolled-back.txt")).toBe("");
  }, 30_000);

  it("a decision after the gate stopped waiting is refused, naming what the gate did instead", async () => {
    const work = project(playbook("1s"));
    const run = await work.run(["canary", "--yes"]);
    expect(run.exitCode).toBe(3);
    const [runId] = work.runIds();
    const late = await work.run(
      ["decide", runId!, "slo", "continue", "--reason", "too late"],
      person("Ana Lima", "ana@example.com"),
    );
    expect(late.exitCode).toBe(4);
    expect(late.stderr).toMatch(
      /slo of run \S+ no longer waits: it went on with abort by relctl .*; nothing was recorded/,
    );
  }, 30_000);
});
