// Pausing an inconclusive gate for a person: wait on ctx.clock for a decision file until the
// deadline, then take the configured default. An unreadable decision file is reported once and
// waited past (never read as "continue").
import { formatSpan, formatTime } from "../../gates/format.js";
import { decisionPath, readDecision, type DecisionKind } from "../../state/decisions.js";
import type { ActionContext } from "../contract.js";

/** How often the decision file is looked at. */
export const DECISION_POLL_MS = 5_000;

export interface PauseOutcome {
  decision: DecisionKind;
  by: string;
  reason: string;
  /** True when nobody decided before the deadline and the default was taken. */
  defaulted: boolean;
}

export async function waitForDecision(
  ctx: ActionContext,
  options: { deadlineMs: number; fallback: DecisionKind; why: string },
): Promise<PauseOutcome> {
  const { stateDir, id: runId } = ctx.run;
  const path = decisionPath(stateDir, runId, ctx.step.id);
  const deadline = ctx.clock.now().getTime() + options.deadlineMs;
  ctx.record("gate.paused", {
    reason: options.why,
    deadline: formatTime(deadline),
    default: options.fallback,
    file: path,
  });
  ctx.log.warn(
    `gate inconclusive (${options.why}); waiting until ${formatTime(deadline)} for a decision: ` +
      `relctl decide ${runId} ${ctx.step.id} continue|abort --reason "…" (writes ${path}); ` +
      `without one in ${formatSpan(options.deadlineMs)}: ${options.fallback}`,
  );
  let reported = false;
  for (;;) {
    const read = await readDecision(stateDir, runId, ctx.step.id);
    if (read.state === "decided") {
      const { decision, by, reason } = read.decision;
      return settled(ctx, { decision, by, reason, defaulted: false });
    }
    if (read.state === "invalid" && !reported) {
      reported = true;
      ctx.log.warn(`ignoring ${read.path}: ${read.problem}; write it again with relctl decide`);
    }
    const now = ctx.clock.now().getTime();
    if (now >= deadline) {
      return settled(ctx, {
        decision: options.fallback,
        by: "relctl",
        reason: `nobody decided within ${formatSpan(options.deadlineMs)} (on_inconclusive.default: ${options.fallback})`,
        defaulted: true,
      });
    }
    await ctx.clock.sleep(Math.min(DECISION_POLL_MS, deadline - now), ctx.signal);
  }
}

function settled(ctx: ActionContext, outcome: PauseOutcome): PauseOutcome {
  ctx.record("gate.decision", { ...outcome });
  ctx.log.info(`decision: ${outcome.decision} by ${outcome.by}: ${outcome.reason}`);
  return outcome;
}
