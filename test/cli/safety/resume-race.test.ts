// Resumes that race each other, through the built binary: one waits at its [y/N] prompt (in a
// real pseudo-terminal, through `script`) while another finishes the run; five start at once.
// Whatever the order, each step that completed runs once, and the journal ends once.
import { execa, type ResultPromise } from "execa";
import { describe, expect, it } from "vitest";
import { cliEnv, relctlBin } from "../../helpers/cli.js";
import { killGroup, project, waitFor, type Event, type Project } from "./helpers.js";

const STEPS = ["a", "b", "c"];

// Each step waits for its go-<id> file, then appends its id to steps.log: a test stops relctl
// while b waits, so a has completed and b is in flight (it has done nothing yet).
const step = (id: string) => `      - id: ${id}
        uses: exec.run
        with:
          argv: [sh, -c, 'until [ -e "go-$1" ]; do sleep 0.01; done; echo "$1" >> steps.log', sh, ${id}]
`;

const PLAYBOOK = `apiVersion: relctl/v1
name: raced
stages:
  build:
    steps:
${STEPS.map(step).join("")}`;

/** A run killed -9 while step b is in flight; every step may go on from now. */
async function crashedInB(p: Project): Promise<string> {
  p.write("go-a", "");
  const child = p.start(["build", "--yes", "--json"]);
  await waitFor(
    "step b to start",
    () =>
      p.runIds().length === 1 &&
      p.journal().some((event) => event.type === "step.start" && event.step === "b"),
  );
  killGroup(child);
  await child;
  for (const id of STEPS) p.write(`go-${id}`, "");
  return p.runIds()[0]!;
}

/** relctl on a pseudo-terminal (util-linux `script`), so it asks [y/N] as it does a person. */
function inTerminal(p: Project, args: string[]): { child: ResultPromise; output: () => string } {
  const command = [process.execPath, relctlBin, ...args].map(shellQuote).join(" ");
  const child = execa("script", ["-qfec", command, "/dev/null"], {
    cwd: p.dir,
    env: cliEnv(),
    extendEnv: false,
    stdin: "pipe",
    reject: false,
    timeout: 60_000,
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

const ofType = (events: Event[], type: string) => events.filter((event) => event.type === type);
const succeeded = (events: Event[]) =>
  ofType(events, "step.end")
    .filter((event) => event.status === "succeeded" && event.attempts !== 0)
    .map((event) => event.step);

describe.concurrent("resumes that race", () => {
  it("a resume that waited at its prompt while another finished the run is refused (exit 4, naming who finished it) and runs nothing", async () => {
    const p = project(PLAYBOOK);
    const runId = await crashedInB(p);

    const waiting = inTerminal(p, ["resume", runId]);
    await waitFor("resume A to ask [y/N]", () => waiting.output().includes("[y/N]"), 30_000);
    expect(waiting.output()).toContain(`resuming run ${runId}: skipping a; running again b`);

    const other = await p.run(["resume", runId, "--yes"]);
    expect(other.exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["a", "b", "c"]);
    const runEnd = ofType(p.journal(runId), "run.end")[0]!;
    const finisher = ofType(p.journal(runId), "run.start").at(-1)!;

    waiting.child.stdin?.write("y\n");
    const refused = await waiting.child;

    expect(refused.exitCode).toBe(4);
    expect(waiting.output()).toContain(
      `run ${runId} ended while this resume waited: succeeded at ${runEnd.at}, finished by relctl pid ${String(finisher.pid)} on ${String(finisher.hostname)}; nothing was run`,
    );
    expect(p.lines("steps.log")).toEqual(["a", "b", "c"]);
    const journal = p.journal(runId);
    expect(ofType(journal, "run.end")).toHaveLength(1);
    expect(succeeded(journal)).toEqual(["a", "b", "c"]);
    expect(ofType(journal, "run.start")).toHaveLength(2);
  });

  it("a resume of a run whose relctl is still alive says so (exit 4) before anything about re-running steps", async () => {
    const p = project(PLAYBOOK);
    p.write("go-a", "");
    const live = p.start(["build", "--yes"]);
    await waitFor(
      "step b to start",
      () =>
        p.runIds().length === 1 &&
        p.journal().some((event) => event.type === "step.start" && event.step === "b"),
    );
    const [runId] = p.runIds();

    const refused = await p.run(["resume", runId!, "--yes"]);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(
      `run ${runId} is still running: its relctl is alive (pid ${live.pid} on `,
    );
    expect(refused.stderr).not.toMatch(/resuming run|skipping|running again/);

    for (const id of STEPS) p.write(`go-${id}`, "");
    expect((await live).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual(["a", "b", "c"]);
  });

  it("of five resumes started at once, exactly one runs each remaining step, round after round", async () => {
    for (let round = 0; round < 3; round++) {
      const p = project(PLAYBOOK);
      const runId = await crashedInB(p);

      const results = await Promise.all(
        Array.from({ length: 5 }, () => p.start(["resume", runId, "--yes"], {})),
      );

      const why = results.map((result) => String(result.stderr)).join("\n");
      expect(
        results.filter((result) => result.exitCode === 0),
        why,
      ).toHaveLength(1);
      // The others were refused: the lock was held, the run was alive, it ended while they
      // waited for the lock (4), or it had ended before they looked (2) — also in the moment
      // between the winner's run.end and its records, when a loser sets out to write the records
      // and finds them written once it holds the lock (4).
      for (const loser of results.filter((result) => result.exitCode !== 0)) {
        expect([2, 4], why).toContain(loser.exitCode);
        expect(String(loser.stderr)).toMatch(
          /is locked by run|is still running|ended while this resume waited|it already ended|records were written while this resume waited/,
        );
      }
      expect(p.lines("steps.log")).toEqual(["a", "b", "c"]);
      const journal = p.journal(runId);
      expect(ofType(journal, "run.end")).toHaveLength(1);
      expect(succeeded(journal)).toEqual(["a", "b", "c"]);
    }
  });
});
