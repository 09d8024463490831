// The run journal: every event of a run, appended as one JSON line to
// <stateDir>/runs/<runId>/journal.jsonl. It is what `relctl status`, `history` and `resume` read,
// and what an evidence bundle copies.
//
// Durability: each event is written with one writeSync; the events resume depends on are
// fsync'd before emit() returns. The EventSink interface is synchronous, and a step must not
// start before the journal says the previous one ended: if relctl is killed (or the machine
// loses power) right after, resume must know that step is done, or it would run it a second
// time. So step.end, stage.end, run.start, run.end and run.records are synced (each sync also
// flushes every event written before it), and so is step.process: the process group a resume or
// a lock takeover must find if relctl dies while that step runs. A step.start or a log line lost
// with the machine changes nothing:
// a step without a durable end runs again on resume either way. That keeps a run of 200 quick
// steps from spending most of its time in fsync.
// fsync (rather than fdatasync) keeps the file size in the flushed metadata on every platform.
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { EventSink, RunEvent } from "../run/events.js";
import type { Redactor } from "../run/redact.js";
import { RelctlError, ExitCode } from "../errors.js";
import { ensureDir, fsyncDir, parseJsonLines, writeAllSync, type TornLine } from "./jsonl.js";
import { checkRunEvent } from "./event-schema.js";
import { stateFileError } from "./fs-errors.js";
import { journalPath } from "./paths.js";

/** Events that must be on disk before the run goes on (see the note on durability above). */
const DURABLE: ReadonlySet<RunEvent["type"]> = new Set([
  "run.start",
  "step.process",
  "step.end",
  "stage.end",
  "run.end",
  "run.records",
]);

export interface JournalSink extends EventSink {
  readonly file: string;
  /** The unterminated fragment cut off when an existing journal was reopened (a crash's tail). */
  readonly repaired: TornLine | undefined;
  /** Seq of the last event in the file (0 when empty): a resumed run continues after it. */
  readonly lastSeq: number;
  close(): void;
}

export interface OpenJournalOptions {
  /** Events are already redacted by the engine; pass the Redactor again to be sure nothing leaks. */
  redactor?: Redactor;
}

/**
 * Opens (creating when needed) the journal of `runId` for appending. Reopening an existing
 * journal (resume) first cuts off a torn last line, so the next event starts on a fresh line
 * instead of being glued to a fragment and turning it into mid-file corruption.
 */
export function openJournal(stateDir: string, runId: string, options: OpenJournalOptions = {}): JournalSink {
  const file = journalPath(stateDir, runId);
  let fd: number;
  try {
    ensureDir(dirname(file));
    fd = openSync(file, "a+");
  } catch (error) {
    throw stateFileError(error, file, "open the run journal");
  }
  let repaired: TornLine | undefined;
  let lastSeq = 0;
  try {
    if (fstatSync(fd).size > 0) {
      const bytes = readFileSync(file);
      const read = parseJournalText(bytes.toString("utf8"), file);
      lastSeq = read.events.at(-1)?.seq ?? 0;
      if (read.torn) {
        repaired = read.torn;
        // Keep everything up to the last newline (counted in bytes: a torn fragment may end
        // inside a multi-byte character). Appends go to the end, so truncating first is enough.
        ftruncateSync(fd, bytes.lastIndexOf(0x0a) + 1);
      }
    }
    fsyncDir(dirname(file));
  } catch (error) {
    closeSync(fd);
    throw error;
  }

  let closed = false;
  return {
    file,
    repaired,
    get lastSeq() {
      return lastSeq;
    },
    emit(event: RunEvent) {
      if (closed) throw new Error(`journal ${file} is closed (event ${event.type} after close)`);
      const safe = options.redactor ? options.redactor.redactDeep(event) : event;
      try {
        writeAllSync(fd, Buffer.from(`${JSON.stringify(safe)}\n`), { sync: DURABLE.has(event.type) });
      } catch (error) {
        // A journal that silently drops events would make resume repeat or skip steps: the
        // engine must stop the run instead of carrying on without a record.
        throw new RelctlError(
          "E_JOURNAL_WRITE",
          ExitCode.stepFailed,
          `cannot write the run journal ${file}`,
          {
            hint: "check free disk space and permissions of the state directory",
            cause: error,
          },
        );
      }
      lastSeq = event.seq;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

export interface JournalRead {
  file: string;
  events: RunEvent[];
  /** The torn last line that was ignored, if the writer was killed mid-write. */
  torn?: TornLine;
}

// Every line is checked (state/event-schema.ts): the envelope, and the fields of the event types
// relctl reads. Unknown fields pass through (a field may be added within v1).
export function parseJournalText(text: string, file: string): JournalRead {
  const read = parseJsonLines<RunEvent>(text, file, (value, line) => checkRunEvent(value, file, line));
  return { file, events: read.records, ...(read.torn ? { torn: read.torn } : {}) };
}

/** Reads a journal file; a torn last line is reported in `torn` and ignored. */
export function readJournalFile(file: string): JournalRead {
  return parseJournalText(readFileSync(file, "utf8"), file);
}

export function readJournal(stateDir: string, runId: string): JournalRead {
  const file = journalPath(stateDir, runId);
  try {
    return readJournalFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new RelctlError(
        "E_RUN_NOT_FOUND",
        ExitCode.invalid,
        `no run ${runId} in ${dirname(dirname(file))}`,
        {
          hint: "`relctl history` lists the runs this state directory knows",
        },
      );
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw stateFileError(
      error,
      file,
      `read the journal of run ${runId} at`,
      code === "EACCES" || code === "EPERM"
        ? "check the permissions of the state directory, or pass --state-dir DIR"
        : `the run's folder was changed by hand: restore journal.jsonl from the run's evidence bundle (${join(dirname(file), "evidence")}), or remove the folder`,
    );
  }
}
