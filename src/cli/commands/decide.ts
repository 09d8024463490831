// `relctl decide <run> <step> continue|abort --reason "…"`: a person's decision for a gate that
// paused on an inconclusive verdict. The first decision wins; it is recorded with who and why.
// Only a gate the run's journal shows paused takes one: a decision for a mistyped step id, or
// for a step that is not a paused gate, would be recorded and never read.
import { existsSync } from "node:fs";
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import type { RunEvent } from "../../run/events.js";
import { approverIdentity } from "../../state/approvals.js";
import { DECISIONS, decisionPath, writeDecision, type DecisionKind } from "../../state/decisions.js";
import { cwdOf, type GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { runEvents, stateDirOf, writingState } from "../state-context.js";

type StepRecord = Extract<RunEvent, { type: "step.record" }>;

export async function decideCommand(
  runId: string,
  step: string,
  decision: string,
  decide: { reason?: string },
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  if (!(DECISIONS as readonly string[]).includes(decision)) {
    throw usageError(`decision must be ${DECISIONS.join(" or ")}, not "${decision}"`);
  }
  if (!decide.reason?.trim()) throw usageError('give a --reason "…": the decision is recorded with it');
  const stateDir = stateDirOf(options);
  const { events } = runEvents(stateDir, runId);
  const settled = pausedGate(events, runId, step);
  if (settled && !existsSync(decisionPath(stateDir, runId, step))) {
    // The gate stopped waiting (nobody decided before its deadline): a file now changes nothing.
    io.err(
      `${step} of run ${runId} no longer waits: it went on with ${settled.decision} by ${settled.by} (${settled.reason}); nothing was recorded\n`,
    );
    return settled.decision === decision ? ExitCode.ok : ExitCode.blocked;
  }
  const by = approverIdentity({ env: io.env }, cwdOf(options));
  const result = await writingState(stateDir, () =>
    writeDecision(stateDir, runId, step, { decision: decision as DecisionKind, by, reason: decide.reason! }),
  );
  if (!result.written) {
    io.err(
      `${step} of run ${runId} was already decided: ${result.existing.decision} by ${result.existing.by} (${result.existing.reason})\n`,
    );
    return result.existing.decision === decision ? ExitCode.ok : ExitCode.blocked;
  }
  io.out(`${io.color.green("✓")} ${decision} recorded for ${step} of run ${runId}\n`);
  return ExitCode.ok;
}

/**
 * Refuses a step that is not a gate of the run that paused (its journal holds no gate.paused
 * record for it). Returns how the gate went on when it already settled after its last pause.
 */
function pausedGate(
  events: readonly RunEvent[],
  runId: string,
  step: string,
): { decision: string; by: string; reason: string } | undefined {
  const records = events.filter(
    (event): event is StepRecord => event.type === "step.record" && event.step === step,
  );
  const lastPause = records.findLastIndex((record) => record.kind === "gate.paused");
  if (lastPause === -1) {
    const paused = [
      ...new Set(
        events.flatMap((event) =>
          event.type === "step.record" && event.kind === "gate.paused" ? [event.step] : [],
        ),
      ),
    ];
    const known = events.some(
      (event) => (event.type === "step.start" || event.type === "step.end") && event.step === step,
    );
    throw new RelctlError(
      "E_NOT_PAUSED",
      ExitCode.invalid,
      known
        ? `step ${step} of run ${runId} is not a gate that paused for a decision; nothing was recorded`
        : `run ${runId} has no step ${step} that ran; nothing was recorded`,
      {
        hint:
          paused.length > 0
            ? `gates of this run that paused: ${paused.join(", ")}`
            : "only a gate with on_inconclusive: { action: pause } that paused takes a decision, and no gate of this run has",
      },
    );
  }
  const decided = records.slice(lastPause + 1).find((record) => record.kind === "gate.decision");
  if (!decided) return undefined;
  const { decision, by, reason } = decided.data;
  return { decision: String(decision), by: String(by), reason: String(reason) };
}
