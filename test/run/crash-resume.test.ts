// Crash and resume, many times over: relctl is killed with SIGKILL at moments a seeded generator
// picks (after the k-th ledger line or the k-th journal line of an invocation, or as a step with
// a long-running grandchild starts), then resumed — with --stop-orphans when relctl refuses
// because a step of the killed relctl still runs — until the run is done. Each trial asserts:
// no completed step ran twice, none was skipped, no step ever ran beside its own orphan, nothing
// of any step is left running, and the run's records are there at the end.
//
//   RELCTL_CRASH_SEED=1234    repeat a run's trials (the seed is printed)
//   RELCTL_CRASH_TRIALS=200   a longer run (scripts/crash-trials.sh)
import { afterAll, describe, expect, it } from "vitest";
import { crashTrial, STEP_IDS, type TrialReport } from "./crash-trial.js";

const SEED = Number(process.env.RELCTL_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TRIALS = Number(process.env.RELCTL_CRASH_TRIALS ?? 24);
/** Trials at once: each is a chain of relctl processes; a loaded 2-core runner takes about 3. */
const AT_ONCE = Number(process.env.RELCTL_CRASH_PARALLEL ?? 3);

console.log(`crash-resume: seed ${SEED}, ${TRIALS} trials (RELCTL_CRASH_SEED=${SEED} repeats them)`);

const slots = semaphore(AT_ONCE);
const tally = { trials: 0, kills: 0, refusals: 0, orphansStopped: 0 };
afterAll(() => {
  console.log(
    `crash-resume: seed ${SEED}: ${tally.trials} trials, ${tally.kills} kills, ${tally.refusals} orphan refusals, ${tally.orphansStopped} resumes with --stop-orphans`,
  );
});

describe.concurrent("kill -9 at seeded moments, then resume until done", () => {
  it.each(Array.from({ length: TRIALS }, (_, index) => SEED + index))(
    "trial with seed %i",
    async (seed) => {
      const report = await slots(() => crashTrial(seed));
      tally.trials++;
      tally.kills += report.invocations.filter((invocation) => invocation.killed).length;
      tally.refusals += report.refusals.length;
      tally.orphansStopped += report.invocations.filter((invocation) =>
        invocation.args.includes("--stop-orphans"),
      ).length;
      const context = describeTrial(report);

      // Never beside its own orphan: each attempt checked that no earlier one still ran.
      expect(
        report.ledger.filter((line) => line.startsWith("overlap")),
        context,
      ).toEqual([]);
      // Each refusal named a real process of the step it named.
      for (const refusal of report.refusals) expect(refusal.known, context).toBe(true);
      expect(report.runId, `the run never completed\n${context}`).toBeDefined();
      const runId = report.runId!;
      // Runs started over (killed before their journal began) ran no step.
      const otherRuns = report.ledger.filter((line) => !line.includes(` ${runId} `));
      expect(otherRuns, context).toEqual([]);

      for (const step of STEP_IDS) {
        // Exactly one attempt succeeded (a finished step a resume passes over ends with 0 attempts).
        const successes = report.journal
          .map((event, index) => ({ event, index }))
          .filter(
            ({ event }) =>
              event.type === "step.end" &&
              event.step === step &&
              event.status === "succeeded" &&
              (event.attempts ?? 0) > 0,
          );
        expect(successes.length, `${step} succeeded ${successes.length} times\n${context}`).toBe(1);
        const { index } = successes[0]!;
        const pid = report.journal
          .slice(0, index)
          .findLast((event) => event.type === "step.process" && event.step === step)?.pid;
        expect(pid, `${step}: no process recorded\n${context}`).toBeDefined();
        // It really ran to its end (not skipped), and nothing of the step started after that.
        const ledger = report.ledger;
        const end = ledger.indexOf(`end ${runId} ${step} ${pid}`);
        expect(end, `${step}: no end line for pid ${pid}\n${context}`).toBeGreaterThanOrEqual(0);
        const later = ledger.slice(end + 1).filter((line) => line.startsWith(`start ${runId} ${step} `));
        expect(later, `${step} ran again after it completed\n${context}`).toEqual([]);
      }

      expect(report.stillRunning, `step processes left running\n${context}`).toEqual([]);
      // Records (issue 11 §3): a kill right after run.end may leave them unwritten until resume
      // finishes them; this fails until that is fixed.
      expect(report.evidence, `no evidence bundle for ${runId}\n${context}`).toBe(true);
      expect(report.trainRecord, `no train record of build for ${runId}\n${context}`).toBe(true);
    },
    180_000,
  );
});

function describeTrial(report: TrialReport): string {
  const steps = report.invocations.map((invocation) => {
    const trigger = invocation.trigger
      ? ` [kill ${invocation.trigger.kind}${"line" in invocation.trigger ? ` ${invocation.trigger.line}` : ""}]`
      : "";
    const outcome = invocation.killed ? "killed" : `exit ${invocation.exitCode}`;
    return `  relctl ${invocation.args.join(" ")}${trigger}: ${outcome}${invocation.killed ? "" : `\n${indent(invocation.stderr)}`}`;
  });
  return [
    `seed ${report.seed} in ${report.dir} (RELCTL_CRASH_SEED=${report.seed} RELCTL_CRASH_TRIALS=1 repeats it)`,
    ...steps,
    "ledger:",
    ...report.ledger.map((line) => `  ${line}`),
  ].join("\n");
}

function indent(text: string): string {
  return text
    .trim()
    .split("\n")
    .slice(-6)
    .map((line) => `    ${line}`)
    .join("\n");
}

/** At most `size` of the given tasks run at once. */
function semaphore(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let free = size;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    else free--;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}
