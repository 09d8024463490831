// What the run-state commands share: the state directory, and reading one run's journal with a
// clear error when the run does not exist, cannot be read, or recorded nothing.
import { existsSync, statSync } from "node:fs";
import { ExitCode, RelctlError, usageError } from "../errors.js";
import type { RunEvent } from "../run/events.js";
import { stateFileError } from "../state/fs-errors.js";
import { readJournal } from "../state/journal.js";
import { journalPath, resolveStateDir } from "../state/paths.js";
import { EMPTY_JOURNAL, listRuns } from "../state/run-summary.js";
import { cwdOf, type GlobalOptions } from "./global-options.js";

/** The state directory; refuses one that exists but is not a directory (`--state-dir /dev/null`). */
export function stateDirOf(options: GlobalOptions): string {
  const dir = resolveStateDir(cwdOf(options), options.stateDir);
  let isDirectory = true;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // Missing (no runs yet) or unreachable: the command that reads or writes it says so.
  }
  if (!isDirectory) {
    throw usageError(
      `the state directory ${dir} is not a directory`,
      options.stateDir === undefined
        ? "move the file named .relctl away, or pass --state-dir DIR"
        : "pass --state-dir a directory (it is created when a run records state)",
    );
  }
  return dir;
}

/** A run's events; `latest` picks the newest run when no id is given. */
export function runEvents(
  stateDir: string,
  runId: string | undefined,
): { runId: string; events: RunEvent[] } {
  const id = runId ?? listRuns(stateDir)[0]?.runId;
  if (id === undefined) {
    throw new RelctlError("E_NO_RUNS", ExitCode.invalid, `no runs recorded in ${stateDir}`, {
      hint: "runs are recorded when a stage runs (not for --dry-run); pass --state-dir if they live elsewhere",
    });
  }
  requireRun(stateDir, id);
  const { events, file } = readJournal(stateDir, id);
  if (events.length === 0) {
    throw new RelctlError("E_JOURNAL_EMPTY", ExitCode.invalid, `run ${id}: ${EMPTY_JOURNAL}`, {
      hint: `nothing can be shown or resumed from ${file}; start a new run (relctl history lists the others)`,
    });
  }
  return { runId: id, events };
}

/** Refuses a run id the state directory has no journal for. */
function requireRun(stateDir: string, runId: string): void {
  if (!existsSync(journalPath(stateDir, runId))) {
    throw new RelctlError("E_NO_SUCH_RUN", ExitCode.invalid, `no run ${runId} in ${stateDir}`, {
      hint: "relctl history lists the runs",
    });
  }
}

export function startOf(events: RunEvent[]): Extract<RunEvent, { type: "run.start" }> | undefined {
  return events.find(
    (event): event is Extract<RunEvent, { type: "run.start" }> => event.type === "run.start",
  );
}

/**
 * Runs a command's write to the state directory (an approval, a decision, an unlock); a folder it
 * cannot write is a clear error naming the path (exit 2), not an internal one.
 */
export async function writingState<T>(stateDir: string, write: () => T | Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const path = (error as NodeJS.ErrnoException | undefined)?.path;
    throw stateFileError(error, typeof path === "string" ? path : stateDir, "write");
  }
}
