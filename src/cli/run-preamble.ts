// What a run records before its engine takes over. A run that waits for approvals announces its
// start first, so the journal holds the plan that `relctl approve <run>` approves. A run refused
// before its engine started (missing approvals, a missing secret, Ctrl-C while waiting) still
// leaves its start and why it ended, so `status`, `history` and `resume` tell the story instead
// of showing an empty journal as a crash.
import { ExitCode, isRelctlError } from "../errors.js";
import { fanOut } from "../report/fan-out.js";
import type { Clock } from "../run/clock.js";
import { createEmitter } from "../run/emitter.js";
import type { EventSink, RunEventBody } from "../run/events.js";
import type { Redactor } from "../run/redact.js";
import type { JournalSink } from "../state/journal.js";

export type RunStartBody = Extract<RunEventBody, { type: "run.start" }>;

export interface RunPreamble {
  /** Emits run.start to `sink` (every observer and the journal) now; the engine must then not. */
  announce(sink: EventSink): void;
  readonly announced: boolean;
  /**
   * Records a run that ended before its engine emitted anything of its own: run.start (unless
   * announced) and run.end with the error's exit code, in the journal and the --json stream.
   * Does nothing once the engine has written events: those tell what happened.
   */
  refuse(error: unknown, json: EventSink | undefined): void;
}

export function runPreamble(context: {
  runId: string;
  start: RunStartBody;
  journal: JournalSink;
  redactor: Redactor;
  clock: Clock;
}): RunPreamble {
  const { journal, clock } = context;
  const before = journal.lastSeq;
  let announcedAt: number | undefined;
  const emitter = (sink: EventSink) =>
    createEmitter({
      runId: context.runId,
      sink,
      redactor: context.redactor,
      clock,
      lastSeq: journal.lastSeq,
    });
  return {
    get announced() {
      return announcedAt !== undefined;
    },
    announce(sink) {
      if (announcedAt !== undefined) return;
      announcedAt = clock.now().getTime();
      emitter(sink)(context.start);
    },
    refuse(error, json) {
      const ours = announcedAt === undefined ? 0 : 1;
      if (journal.lastSeq > before + ours) return;
      const sink = fanOut(json ? [journal, json] : [journal]);
      if (announcedAt === undefined) emitter(sink)(context.start);
      const exitCode = isRelctlError(error) ? error.exitCode : ExitCode.stepFailed;
      // Ctrl-C while waiting can be resumed like any interrupt; a refusal is "blocked"; a bug
      // (not a coded error) failed.
      const status = !isRelctlError(error)
        ? "failed"
        : exitCode === ExitCode.interrupted
          ? "interrupted"
          : "blocked";
      emitter(sink)({
        type: "run.end",
        status,
        exitCode,
        durationMs: announcedAt === undefined ? 0 : clock.now().getTime() - announcedAt,
        message: error instanceof Error ? error.message : String(error),
      });
    },
  };
}
