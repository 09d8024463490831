// What the run-state commands share: the state directory, and reading one run's journal with a
// clear error when the run does not exist.
import { existsSync } from "node:fs";
import { ExitCode, RelctlError } from "../errors.js";
import type { RunEvent } from "../run/events.js";
import { readJournal } from "../state/journal.js";
import { journalPath, resolveStateDir } from "../state/paths.js";
import { listRuns } from "../state/run-summary.js";
import { cwdOf, type GlobalOptions } from "./global-options.js";

export function stateDirOf(options: GlobalOptions): string {
  return resolveStateDir(cwdOf(options), options.stateDir);
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
  return { runId: id, events: readJournal(stateDir, id).events };
}

/** Refuses a run id the state directory has no journal for. */
export function requireRun(stateDir: string, runId: string): void {
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
