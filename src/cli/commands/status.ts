// `relctl status [run]` and `relctl history`: where a run stands, and the runs so far.
import { formatHistory, formatStatus } from "../../state/format.js";
import { readLocks } from "../../state/lock.js";
import { listRuns, runSummary } from "../../state/run-summary.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { runEvents, stateDirOf } from "../state-context.js";

export function statusCommand(runId: string | undefined, options: GlobalOptions, io: Io): Promise<number> {
  const stateDir = stateDirOf(options);
  const { runId: id, events } = runEvents(stateDir, runId);
  const live = readLocks(stateDir).some((lock) => lock.state === "held" && lock.info?.runId === id);
  const summary = runSummary(events, { live, runId: id });
  io.out(options.json ? `${JSON.stringify(summary)}\n` : formatStatus(summary));
  return Promise.resolve(0);
}

/** Every run; one whose journal cannot be read is listed with its problem and a warning. */
export function historyCommand(options: GlobalOptions, io: Io): Promise<number> {
  const runs = listRuns(stateDirOf(options));
  for (const run of runs) {
    if (run.problem === undefined) continue;
    io.err(
      `${io.color.yellow("warning")}: run ${run.runId} cannot be read and is listed without details: ${run.problem}\n`,
    );
  }
  io.out(options.json ? `${JSON.stringify(runs)}\n` : formatHistory(runs));
  return Promise.resolve(0);
}
