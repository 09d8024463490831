// Dual approval through the built binary: a stage that needs a release captain and an on-call
// SRE is refused until two different people approve the exact plan, runs once they have (as a
// new run and as a resumed one), is refused again when the playbook changes, and with --wait
// goes on by itself when the approvals arrive from other processes.
import { describe, expect, it } from "vitest";
import { events, person, project, readJson, runIdIn, waitFor, type Project } from "./helpers.js";
import { join } from "node:path";

const PLAYBOOK = `apiVersion: relctl/v1
name: api-release
vars:
  version: { default: "1.4.0" }
release:
  version: "\${{ vars.version }}"
stages:
  promote:
    environment: production
    approvals: { count: 2, roles: [release-captain, oncall-sre] }
    steps:
      - id: go-live
        uses: exec.run
        with: { argv: [sh, -c, 'echo "promoted $1" >> steps.log', sh, "\${{ release.version }}"] }
`;

const ana = person("Ana Lima", "ana@example.com");
const anaAgain = person("A. Lima", "ANA@example.com");
const bo = person("Bo Sun", "bo@example.com");

async function refusedRun(p: Project): Promise<string> {
  const refused = await p.run(["promote", "--yes"]);
  expect(refused.exitCode).toBe(4);
  expect(refused.stderr).toContain("stage promote needs an approval as ");
  return runIdIn(refused.stderr);
}

describe.concurrent("approvals", () => {
  it("refuses the stage with exit 4 and a run id until two different people approve in the two roles", async () => {
    const p = project(PLAYBOOK);

    const refused = await p.run(["promote", "--yes", "--json"]);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toMatch(
      /stage promote needs an approval as release-captain and an approval as oncall-sre before it runs; nothing was run \(run \d{8}T\d{6}Z-[0-9a-f]{4}\)/,
    );
    const runId = runIdIn(refused.stderr);
    expect(refused.stderr).toContain(`relctl approve ${runId} --role <role>`);
    expect(events(refused).map((event) => [event.type, event.status])).toEqual([
      ["run.start", undefined],
      ["run.end", "blocked"],
    ]);
    expect(p.lines("steps.log")).toEqual([]);

    const captain = await p.run(["approve", runId, "--role", "release-captain"], ana);
    expect(captain.exitCode).toBe(0);
    expect(captain.stdout).toContain(
      "Ana Lima <ana@example.com> approved stage promote of api-release 1.4.0 as release-captain; still needs an approval as oncall-sre",
    );

    for (const same of [ana, anaAgain]) {
      const twice = await p.run(["approve", runId, "--role", "oncall-sre"], same);
      expect(twice.exitCode).toBe(2);
      expect(twice.stderr).toContain("already approved this plan as release-captain");
      expect(twice.stderr).toContain("cannot fill two roles");
    }
    expect((await p.run(["promote", "--yes"])).exitCode).toBe(4);
    expect(p.lines("steps.log")).toEqual([]);

    const sre = await p.run(["approve", runId, "--role", "oncall-sre"], bo);
    expect(sre.exitCode).toBe(0);
    expect(sre.stdout).toContain("as oncall-sre; approved: it may run");

    // The refused run continues where it stopped, and the approvals are in its evidence.
    const resumed = await p.run(["resume", runId, "--yes"]);
    expect(resumed.exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["promoted 1.4.0"]);
    const manifest = readJson(join(p.state, "runs", runId, "evidence", "manifest.json"));
    expect(manifest.approvals).toEqual([
      expect.objectContaining({
        role: "release-captain",
        by: "Ana Lima <ana@example.com>",
        version: "1.4.0",
      }),
      expect.objectContaining({
        role: "oncall-sre",
        by: "Bo Sun <bo@example.com>",
        environment: "production",
      }),
    ]);

    // The approvals belong to the plan, so a new run of the same plan may go too.
    const again = await p.run(["promote", "--yes"]);
    expect(again.exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["promoted 1.4.0", "promoted 1.4.0"]);

    // Another version is another plan.
    const other = await p.run(["promote", "--yes", "--var", "version=1.5.0"]);
    expect(other.exitCode).toBe(4);
  });

  it("voids the approvals when the playbook changes afterwards", async () => {
    const p = project(PLAYBOOK);
    const runId = await refusedRun(p);
    expect((await p.run(["approve", runId, "--role", "release-captain"], ana)).exitCode).toBe(0);
    expect((await p.run(["approve", runId, "--role", "oncall-sre"], bo)).exitCode).toBe(0);

    p.write("relctl.yaml", PLAYBOOK.replace('echo "promoted $1"', 'echo "shipped $1"'));

    const refused = await p.run(["promote", "--yes"]);
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(
      "stage promote needs an approval as release-captain and an approval as oncall-sre",
    );
    const stale = await p.run(["resume", runId, "--yes"]);
    expect(stale.exitCode).toBe(2);
    expect(stale.stderr).toContain("the playbook changed since it started");
    const late = await p.run(["approve", runId, "--role", "oncall-sre"], bo);
    expect(late.exitCode).toBe(2);
    expect(late.stderr).toContain(`the playbook changed since run ${runId}`);
    expect(p.lines("steps.log")).toEqual([]);
  });

  it("approves a stage that names no environment", async () => {
    const p = project(PLAYBOOK.replace("    environment: production\n", ""));
    const runId = await refusedRun(p);

    for (const [role, who] of [
      ["release-captain", ana],
      ["oncall-sre", bo],
    ] as const) {
      const approved = await p.run(["approve", runId, "--role", role], who);
      expect(approved.stderr).toBe("");
      expect(approved.exitCode).toBe(0);
    }

    expect((await p.run(["resume", runId, "--yes"])).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["promoted 1.4.0"]);
  });

  it("--wait waits for the approvals and goes on when they arrive from other processes", async () => {
    const p = project(PLAYBOOK);
    const waiting = p.start(["promote", "--yes", "--wait", "--json"]);
    let stderr = "";
    waiting.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor("relctl to wait for approvals", () => stderr.includes("waiting for"));
    const runId = runIdIn(stderr);
    expect(stderr).toContain(
      `waiting for an approval as release-captain and an approval as oncall-sre for stage promote: relctl approve ${runId} --role <role>`,
    );
    expect((await p.run(["status", runId])).stdout).toMatch(/^status: running$/m);

    expect((await p.run(["approve", runId, "--role", "release-captain"], ana)).exitCode).toBe(0);
    expect((await p.run(["approve", runId, "--role", "oncall-sre"], bo)).exitCode).toBe(0);
    const done = await waiting;

    expect(done.exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["promoted 1.4.0"]);
    const stream = events(done);
    expect(stream.filter((event) => event.type === "run.start")).toHaveLength(1);
    expect(stream.map((event) => event.seq)).toEqual(stream.map((_, index) => index + 1));
    expect(stream.at(-1)).toMatchObject({ type: "run.end", status: "succeeded" });
    expect((await p.run(["status", runId])).stdout).not.toContain("resumed");
  });

  it("Ctrl-C while waiting for approvals exits 130, and the run can be resumed once approved", async () => {
    const p = project(PLAYBOOK);
    const waiting = p.start(["promote", "--yes", "--wait"]);
    let stderr = "";
    waiting.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor("relctl to wait for approvals", () => stderr.includes("waiting for"));
    const runId = runIdIn(stderr);

    waiting.kill("SIGINT");
    const stopped = await waiting;

    expect(stopped.exitCode).toBe(130);
    expect(String(stopped.stderr)).not.toContain("internal error");
    expect((await p.run(["status", runId])).stdout).toMatch(/^status: interrupted \(exit 130\)$/m);
    expect((await p.run(["approve", runId, "--role", "release-captain"], ana)).exitCode).toBe(0);
    expect((await p.run(["approve", runId, "--role", "oncall-sre"], bo)).exitCode).toBe(0);
    expect((await p.run(["resume", runId, "--yes"])).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["promoted 1.4.0"]);
  });
});
