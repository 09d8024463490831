// The end of a run that did something: the stages that passed and a promote's release are
// recorded, then the evidence bundle is written from the journal (and signed). One place for a
// run that just ended and for a resume that finishes the records a crash cut off, so both write
// exactly the same records.
import { existsSync, readdirSync } from "node:fs";
import { findStage, type Playbook } from "../playbook/model.js";
import type { Approval } from "../state/approvals.js";
import { writeEvidence } from "../state/evidence.js";
import { defaultEvidenceDir } from "../state/paths.js";
import { relctlVersion } from "../util/package-version.js";
import { finishRun, type FinishInput } from "./run-finish.js";
import { recordOutcome, type RunFacts } from "./run-records.js";

export interface ReleaseFinish extends Omit<FinishInput, "records" | "evidence"> {
  facts: RunFacts;
  playbook: Playbook;
  stateDir: string;
  release: { version: string; tag?: string };
  cwd: string;
  /** The environment the run released to (the evidence's release facts). */
  environment?: string;
  rollbackEnvironment: string;
  rollbackTarget: Record<string, unknown> | null;
  approvals: Approval[];
  breakGlass?: Record<string, unknown>[];
  playbookDigest: string;
}

export function finishRelease(input: ReleaseFinish): Promise<number> {
  const { facts, playbook, stateDir, runId, release, cwd, redactor, journal } = input;
  return finishRun({
    exitCode: input.exitCode,
    runId,
    journal,
    redactor,
    clock: input.clock,
    io: input.io,
    options: input.options,
    records: () =>
      recordOutcome(facts, {
        playbook,
        stateDir,
        runId,
        version: release.version,
        tag: release.tag,
        cwd,
        rollbackTarget: input.rollbackTarget,
        rollbackEnvironment: input.rollbackEnvironment,
      }),
    evidence: () =>
      writeEvidence(redactor, {
        dir: freshEvidenceDir(defaultEvidenceDir(stateDir, runId)),
        relctlVersion: relctlVersion(),
        journalFile: journal.file,
        release: facts.release({
          version: release.version,
          tag: release.tag,
          environment: input.environment,
          cwd,
        }),
        approvals: input.approvals,
        ...(input.breakGlass ? { breakGlass: input.breakGlass } : {}),
        playbookDigest: input.playbookDigest,
      }),
  });
}

/** Where a rollback goes back to: the rollback stage's environment, else the run's. */
export function rollbackEnvironmentOf(playbook: Playbook, environment: string | undefined): string {
  return findStage(playbook, "rollback")?.environment ?? environment ?? "production";
}

/** A resumed run's evidence goes next to the first attempt's, never over it. */
function freshEvidenceDir(dir: string): string {
  if (!existsSync(dir) || readdirSync(dir).length === 0) return dir;
  for (let attempt = 2; ; attempt++) {
    const candidate = `${dir}-${attempt}`;
    if (!existsSync(candidate) || readdirSync(candidate).length === 0) return candidate;
  }
}
