// `relctl resume <run>`: continue a run that was interrupted, killed or refused for approvals,
// with the same id, stages and vars. Steps the journal shows as completed are not run again;
// gates are measured again; the playbook must be the one the run started with. A run that ended
// but whose records were cut off (relctl killed right after run.end) gets its records written,
// and nothing runs.
import { GATE_ACTIONS } from "../../gates/gate-actions.js";
import { playbookDigest } from "../../playbook/digest.js";
import { assertResumable, completedOutputs, resumePoint } from "../../state/resume.js";
import { finishRecords, recordsMissing } from "../finish-records.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { guardAgainstOrphans } from "../orphan-guard.js";
import { preparePlaybook } from "../prepare.js";
import { checkRunPreconditions } from "../run-checks.js";
import type { RunCommandOptions } from "../run-options.js";
import { refuseLiveRun, settleResume } from "../resume-guard.js";
import { runPipeline } from "../run-pipeline.js";
import { runEvents, stateDirOf } from "../state-context.js";

export async function resumeCommand(
  runId: string,
  options: GlobalOptions & RunCommandOptions,
  io: Io,
): Promise<number> {
  const stateDir = stateDirOf(options);
  const { events } = runEvents(stateDir, runId);
  refuseLiveRun(stateDir, runId);
  // An orphan of this run refuses the resume before anything is said about re-running steps;
  // with --stop-orphans the pipeline stops it once the resume is confirmed.
  if (options.stopOrphans !== true) {
    await guardAgainstOrphans({
      stateDir,
      targets: [],
      resumeRunId: runId,
      stopOrphans: false,
      retry: `relctl resume ${runId} --stop-orphans`,
      command: [],
      io,
    });
  }
  const prepared = await preparePlaybook(options, io, undefined, { secrets: true });
  const isGate = (uses: string) => GATE_ACTIONS.has(uses);
  const point = resumePoint(events, { isGate });
  if (!point.resumable && recordsMissing(events)) {
    return finishRecords({ runId, events, stateDir, prepared, options, io });
  }
  assertResumable(point, { playbookDigest: await playbookDigest(prepared.playbook) });
  const checked = checkRunPreconditions({ ...prepared, vars: point.vars }, options, io.env, runId);
  if (!options.json) {
    const done = point.completed.map((step) => step.step);
    io.err(
      `resuming run ${runId}: ${done.length > 0 ? `skipping ${done.join(", ")}` : "nothing completed yet"}`,
    );
    if (point.recheck.length > 0)
      io.err(`; re-checking gates ${point.recheck.map((step) => step.step).join(", ")}`);
    if (point.inFlight.length > 0)
      io.err(`; running again ${point.inFlight.map((step) => step.step).join(", ")} (it was cut off)`);
    io.err("\n");
  }
  return runPipeline({
    prepared: { ...prepared, vars: point.vars },
    stages: point.stages,
    options: checked,
    io,
    resume: {
      runId,
      completed: completedOutputs(point),
      // What this prompt and message said may be stale by the time the lock is ours.
      settle: () => settleResume(stateDir, point, { isGate, say: options.json ? undefined : io.err }),
    },
  });
}
