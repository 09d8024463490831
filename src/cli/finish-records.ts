// `relctl resume <run>` of a run whose journal says it ended, but not that its records were
// written (relctl was killed in between): write the train record, the last known good (or the
// rollback record) and the evidence bundle from the journal, then the run.records mark. No step
// runs. Holding the run's locks while it writes takes over the lock the dead relctl left, and
// keeps two such resumes from both writing; the records themselves are written idempotently.
import { ExitCode, RelctlError } from "../errors.js";
import { findStage, type StageDef } from "../playbook/model.js";
import { playbookDigest } from "../playbook/digest.js";
import type { RunEvent } from "../run/events.js";
import { systemClock } from "../run/clock.js";
import { Redactor } from "../run/redact.js";
import { releaseIdentity } from "../run/release-identity.js";
import { checkApprovals, readApprovals, type Approval } from "../state/approvals.js";
import { openJournal, readJournal } from "../state/journal.js";
import { acquireLock, lockHeldError, type HeldLock } from "../state/lock.js";
import { runSummary } from "../state/run-summary.js";
import type { GlobalOptions } from "./global-options.js";
import type { Io } from "./io.js";
import { approvalPlan, approvalSubject } from "./preflight.js";
import type { Prepared } from "./prepare.js";
import { finishRelease, rollbackEnvironmentOf } from "./release-finish.js";
import { rollbackTarget, runFacts } from "./run-records.js";
import type { RunCommandOptions } from "./run-options.js";

/** Whether `relctl resume` should finish this run's records instead of running anything. */
export function recordsMissing(events: readonly RunEvent[]): boolean {
  return runSummary(events).records === "missing";
}

export async function finishRecords(input: {
  runId: string;
  events: readonly RunEvent[];
  stateDir: string;
  prepared: Prepared;
  options: GlobalOptions & RunCommandOptions;
  io: Io;
}): Promise<number> {
  const { runId, stateDir, prepared, io } = input;
  const { playbook } = prepared;
  const summary = runSummary(input.events);
  // The records say which stages passed and what a promote released: read with another
  // playbook, the same journal could mean other stages or another environment.
  const digest = await playbookDigest(playbook);
  if (summary.playbookDigest !== digest) {
    throw new RelctlError(
      "E_RESUME_PLAYBOOK_CHANGED",
      ExitCode.invalid,
      `run ${runId} ended but its records were not written, and the playbook changed since it started, so they cannot be written from it now`,
      { hint: "restore the playbook the run started with, then relctl resume it again" },
    );
  }
  const stageDefs = summary.stages
    .map((name) => findStage(playbook, name))
    .filter((stage): stage is StageDef => stage !== undefined);
  const release = releaseIdentity(playbook, summary.vars, io.env);
  const environment = stageDefs
    .map((stage) => stage.environment)
    .filter((value) => value !== undefined)
    .at(-1);
  if (input.options.dryRun) {
    io.err(
      `run ${runId} ended (${summary.outcome}) but its records were not written: relctl resume ${runId} (without --dry-run) writes them; no step would run\n`,
    );
    return ExitCode.ok;
  }
  io.err(
    `run ${runId} ended (${summary.outcome}) but its records were not written: writing them now; no step runs\n`,
  );

  const locks: HeldLock[] = [];
  try {
    for (const changed of new Set(stageDefs.map((stage) => stage.environment ?? "default"))) {
      const acquired = acquireLock(
        stateDir,
        { playbook: playbook.name, environment: changed },
        { runId, command: ["relctl", "resume", runId] },
      );
      if (acquired.kind === "held") throw lockHeldError(acquired);
      locks.push(acquired.lock);
    }
    // Another resume may have written them while this one waited for the lock.
    const now = readJournal(stateDir, runId).events;
    if (!recordsMissing(now)) {
      throw new RelctlError(
        "E_RESUME_ENDED_MEANWHILE",
        ExitCode.blocked,
        `run ${runId}: its records were written while this resume waited; nothing to do`,
      );
    }
    // The records are those of the latest start: what it ran is what its run.end concluded.
    const facts = runFacts();
    for (const event of now.slice(now.findLastIndex((event) => event.type === "run.start"))) {
      facts.emit(event);
    }
    const rollbackEnvironment = rollbackEnvironmentOf(playbook, environment);
    const target = rollbackTarget(stateDir, rollbackEnvironment, release.version);
    const redactor = new Redactor();
    const journal = openJournal(stateDir, runId, { redactor });
    try {
      return await finishRelease({
        exitCode: summary.exitCode ?? ExitCode.ok,
        runId,
        journal,
        redactor,
        clock: systemClock,
        io,
        options: input.options,
        facts,
        playbook,
        stateDir,
        release,
        cwd: prepared.cwd,
        environment,
        rollbackEnvironment,
        rollbackTarget: target,
        approvals: grantedApprovals(stageDefs, stateDir, {
          playbookDigest: digest,
          version: release.version,
          environment,
        }),
        playbookDigest: digest,
      });
    } finally {
      journal.close();
    }
  } finally {
    for (const lock of locks) lock.release();
  }
}

/** The approvals that let the run's stages run (they were checked then; read again for the bundle). */
function grantedApprovals(
  stages: readonly StageDef[],
  stateDir: string,
  plan: { playbookDigest: string; version: string; environment?: string },
): Approval[] {
  return stages.flatMap((stage) => {
    if (!stage.approvals) return [];
    const stored = readApprovals(stateDir, approvalSubject(stage.name, plan));
    return checkApprovals(stage.approvals, stored.approvals, approvalPlan(plan)).valid;
  });
}
