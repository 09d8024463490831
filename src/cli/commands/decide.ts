// `relctl decide <run> <step> continue|abort --reason "…"`: a person's decision for a gate that
// paused on an inconclusive verdict. The first decision wins; it is recorded with who and why.
import { usageError } from "../../errors.js";
import { approverIdentity } from "../../state/approvals.js";
import { DECISIONS, writeDecision, type DecisionKind } from "../../state/decisions.js";
import { cwdOf, type GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { requireRun, stateDirOf } from "../state-context.js";

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
  requireRun(stateDir, runId);
  const result = await writeDecision(stateDir, runId, step, {
    decision: decision as DecisionKind,
    by: approverIdentity({ env: io.env }, cwdOf(options)),
    reason: decide.reason,
  });
  if (!result.written) {
    io.err(
      `${step} of run ${runId} was already decided: ${result.existing.decision} by ${result.existing.by} (${result.existing.reason})\n`,
    );
    return result.existing.decision === decision ? 0 : 4;
  }
  io.out(`${io.color.green("✓")} ${decision} recorded for ${step} of run ${runId}\n`);
  return 0;
}
