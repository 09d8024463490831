// After the engine: record what passed (train record, last known good), write the evidence
// bundle, sign it when asked. The steps have already changed the world, so a failure here must
// not lose what is known: each part is tried even when one before it failed, every failure is
// reported as an error that says what is missing and what to do, it is noted in the run's journal
// (so `relctl status` shows it, not a silent "succeeded"), the last line still says where the
// journal and evidence are, and the exit code is 1 instead of 0. Once the records and the bundle
// are written, a durable run.records event says so: a run.end without one (relctl killed in
// between) is flagged by `relctl status`, and `relctl resume` writes the records then.
import { rmSync } from "node:fs";
import { basename, join } from "node:path";
import { ExitCode, RelctlError, isRelctlError } from "../errors.js";
import { StepFailure } from "../executors/contract.js";
import type { Clock } from "../run/clock.js";
import { createEmitter } from "../run/emitter.js";
import type { Redactor } from "../run/redact.js";
import { SIGNATURE_FILES, signaturePaths, type EvidenceWritten } from "../state/evidence.js";
import { fsProblem } from "../state/fs-errors.js";
import type { JournalSink } from "../state/journal.js";
import { evidenceSigner } from "./evidence-signing.js";
import { reportFatal } from "./fatal.js";
import type { Io } from "./io.js";
import { crashPointReached } from "./test-crash.js";

export interface FinishInput {
  /** The engine's exit code. */
  exitCode: number;
  runId: string;
  journal: JournalSink;
  redactor: Redactor;
  clock: Clock;
  io: Io;
  options: { verbose: boolean; signEvidence?: string };
  /** Records the stages that passed and a promote's release; returns warnings. */
  records(): string[];
  /** Writes the (unsigned) evidence bundle from the journal. */
  evidence(): Promise<EvidenceWritten>;
}

export async function finishRun(input: FinishInput): Promise<number> {
  const { io, runId } = input;
  crashPointReached("after-run-end", io.env);
  const failures: RelctlError[] = [];
  const fail = (failure: RelctlError) => {
    failures.push(failure);
    note(input, failure.message);
  };

  let recorded = false;
  try {
    for (const warning of input.records()) io.err(`${io.color.yellow("warning")}: ${warning}\n`);
    recorded = true;
  } catch (error) {
    fail(
      new RelctlError(
        "E_RECORDS_NOT_WRITTEN",
        ExitCode.stepFailed,
        `the run's steps are over, but its records could not be written: ${describe(error, input.redactor)}`,
        {
          hint: `stages that need this run's stages will not see them as passed, and a promote is not recorded as last known good; make the state directory writable, then relctl resume ${runId} writes them (no step runs)`,
          cause: error,
        },
      ),
    );
  }

  let written: EvidenceWritten | undefined;
  try {
    written = await input.evidence();
  } catch (error) {
    fail(
      new RelctlError(
        "E_EVIDENCE_NOT_WRITTEN",
        ExitCode.stepFailed,
        `the run's steps are over, but its evidence bundle could not be written: ${describe(error, input.redactor)}`,
        {
          hint: `the journal ${input.journal.file} holds everything the run did`,
          cause: error,
        },
      ),
    );
  }

  let unsigned = false;
  const key = input.options.signEvidence;
  if (written && key !== undefined) {
    try {
      await evidenceSigner(key, io.env)(signaturePaths(written.dir));
    } catch (error) {
      unsigned = true;
      // No half-written signature: the bundle is complete and plainly unsigned.
      for (const name of SIGNATURE_FILES) rmSync(join(written.dir, name), { force: true });
      const paths = signaturePaths(written.dir);
      fail(
        new RelctlError(
          "E_EVIDENCE_NOT_SIGNED",
          ExitCode.stepFailed,
          `the run's steps are over, but its evidence bundle could not be signed: ${describe(error, input.redactor)}`,
          {
            hint: input.redactor.redact(
              `the bundle ${written.dir} is complete but unsigned; sign it once cosign works: cosign sign-blob --yes --key ${key} --bundle ${paths.bundle} ${paths.checksums} (relctl evidence verify --require-signature checks it)`,
            ),
            cause: error,
          },
        ),
      );
    }
  }

  if (recorded && written) markRecorded(input, basename(written.dir), fail);
  for (const failure of failures) reportFatal(failure, io, input.options.verbose);
  const where = written
    ? `journal and evidence in ${written.dir}${unsigned ? " (evidence NOT signed)" : ""}`
    : `journal in ${input.journal.file} (no evidence bundle)`;
  io.err(`${io.color.dim(`run ${runId}: ${where}`)}\n`);
  if (failures.length === 0) return input.exitCode;
  // A failed, rolled-back or interrupted run keeps its own code; a success does not stay one.
  return input.exitCode === ExitCode.ok ? ExitCode.stepFailed : input.exitCode;
}

/** The durable mark that the run's records are written (see the note at the top). */
function markRecorded(input: FinishInput, evidence: string, fail: (failure: RelctlError) => void): void {
  try {
    emitter(input)({ type: "run.records", evidence });
  } catch (error) {
    fail(
      new RelctlError(
        "E_RECORDS_NOT_MARKED",
        ExitCode.stepFailed,
        `the run's records and evidence are written, but the journal could not say so: ${describe(error, input.redactor)}`,
        { hint: `relctl status ${input.runId} will report its records as missing; resume writes them again` },
      ),
    );
  }
}

function emitter(input: FinishInput) {
  return createEmitter({
    runId: input.runId,
    sink: input.journal,
    redactor: input.redactor,
    clock: input.clock,
    lastSeq: input.journal.lastSeq,
  });
}

/** Notes a failure in the run's journal as a run.warning after run.end; never throws. */
function note(input: FinishInput, message: string): void {
  try {
    emitter(input)({ type: "run.warning", message });
  } catch {
    // The journal itself cannot be written: the error on stderr is all there is.
  }
}

function describe(error: unknown, redactor: Redactor): string {
  return redactor.redact(describeRaw(error));
}

function describeRaw(error: unknown): string {
  if (isRelctlError(error)) return error.message;
  if (error instanceof StepFailure) {
    return error.stderrTail ? `${error.message}\n${error.stderrTail.trimEnd()}` : error.message;
  }
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  return typeof path === "string" ? `${path}: ${fsProblem(error)}` : fsProblem(error);
}
