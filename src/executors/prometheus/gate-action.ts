// prometheus.gate: decide from metrics whether a release may go on. Read-only, so a dry-run
// runs preview() instead: one evaluation now, saying whether the gate would pass. The verdict's
// consequence is the playbook's choice: failed stops the stage (its on_failure runs, exit 3);
// inconclusive fails likewise, or pauses for a person's decision until a deadline.
import { describeGate, measurementSummary, progressLine } from "../../gates/explain.js";
import { formatSpan } from "../../gates/format.js";
import { advance, startGate, type GateState } from "../../gates/timing.js";
import { defineAction, StepFailure, type ActionContext, type Outputs } from "../contract.js";
import { connect } from "./client.js";
import { plannedUrl } from "./connection.js";
import { ms } from "./fields.js";
import { gateInput, toGateConfig, type GateInput } from "./gate-schema.js";
import { recordRound, runLive, runLookback, type GateProgress, type GateResult } from "./gate-run.js";
import { measureRound } from "./measure.js";
import { waitForDecision, type PauseOutcome } from "./pause.js";

const OUTPUTS = {
  verdict:
    "passed, failed or inconclusive (in a dry-run: the verdict of one evaluation now, which may be error)",
  passed: "true when the gate passed (in a dry-run: would pass now)",
  reason: 'why, in words: "failed (2) > failure_limit (1); last: error_rate: 1.3% > 1%"',
  measurements: "counts of evaluations by verdict and the last value of every metric",
  decision: "for a paused inconclusive gate: {decision, by, reason, defaulted}; otherwise null",
};

function outputs(result: GateResult, decision: PauseOutcome | null): Outputs {
  return {
    verdict: result.verdict,
    passed: result.verdict === "passed",
    reason: result.reason,
    measurements: measurementSummary(result.state, result.last),
    decision,
  };
}

async function evaluate(ctx: ActionContext, input: GateInput): Promise<Outputs> {
  const config = toGateConfig(input);
  const client = connect(ctx, input);
  const progress: GateProgress = {};
  let waiting = "waiting on Prometheus";
  try {
    const result =
      config.lookbackMs !== undefined
        ? await runLookback(ctx, client, config)
        : await runLive(ctx, client, config, progress);
    Object.assign(progress, { state: result.state, last: result.last });
    waiting = "paused for a decision";
    return await settle(ctx, input, result);
  } catch (error) {
    throw couldNotDecide(ctx, progress, waiting) ?? error;
  }
}

/**
 * The step's own timeout fired while the gate measured or waited: the gate could not decide,
 * which is a gate's failure (exit 3, the stage's on_failure), not a step that broke. The
 * message carries what the gate had measured so far.
 */
function couldNotDecide(
  ctx: ActionContext,
  progress: GateProgress,
  waiting: string,
): StepFailure | undefined {
  const reason: unknown = ctx.signal.reason;
  if (!ctx.signal.aborted || !(reason instanceof StepFailure) || reason.kind !== "timed-out")
    return undefined;
  const { state, last } = progress;
  const measured = last
    ? `after ${state!.evaluations} evaluation${state!.evaluations === 1 ? "" : "s"} (held ${formatSpan(heldMs(state!, last.at))}); last: ` +
      last.measurements.map((m) => `${m.name} ${m.reason}`).join(", ")
    : "before its first evaluation";
  const why = `the step ${reason.message} while the gate was ${waiting}, ${measured}`;
  const result: GateResult = {
    verdict: "inconclusive",
    reason: why,
    state: state ?? startGate(0),
    ...(last ? { last } : {}),
  };
  ctx.record("gate.verdict", { verdict: result.verdict, reason: why });
  return new StepFailure(`gate could not decide: ${why}`, {
    kind: "gate-failed",
    hint: "give the step a timeout longer than the gate's own (hold + timeout), or drop it: the gate's timeout decides as inconclusive",
    outputs: outputs(result, null),
  });
}

function heldMs(state: GateState, at: number): number {
  return state.heldSince === undefined ? 0 : at - state.heldSince;
}

async function settle(ctx: ActionContext, input: GateInput, result: GateResult): Promise<Outputs> {
  ctx.record("gate.verdict", { verdict: result.verdict, reason: result.reason });
  if (result.verdict === "passed") {
    ctx.log.info(`gate passed: ${result.reason}`);
    return outputs(result, null);
  }
  const evidence = "every measurement is in the run's events (step.record gate.measurement)";
  if (result.verdict === "failed") {
    throw new StepFailure(`gate failed: ${result.reason}`, {
      kind: "gate-failed",
      hint: `the stage's on_failure runs; ${evidence}`,
      outputs: outputs(result, null),
    });
  }
  const policy = input.on_inconclusive;
  if (policy.action === "fail") {
    throw new StepFailure(`gate inconclusive: ${result.reason}`, {
      kind: "gate-failed",
      hint: `on_inconclusive: {action: pause, deadline: 30m} waits for a person instead; ${evidence}`,
      outputs: outputs(result, null),
    });
  }
  const decision = await waitForDecision(ctx, {
    deadlineMs: ms(policy.deadline!),
    fallback: policy.default,
    why: result.reason,
  });
  if (decision.decision === "continue") return outputs(result, decision);
  throw new StepFailure(`gate inconclusive and aborted by ${decision.by}: ${decision.reason}`, {
    kind: "gate-failed",
    hint: `the gate was inconclusive: ${result.reason}`,
    outputs: outputs(result, decision),
  });
}

/** One evaluation now; never throws for a verdict (a dry-run reports, it does not fail). */
async function preview(ctx: ActionContext, input: GateInput): Promise<Outputs> {
  const config = toGateConfig(input);
  const client = connect(ctx, input);
  // A look-back decides at once anyway: the dry-run runs it in full.
  if (config.lookbackMs !== undefined) return outputs(await runLookback(ctx, client, config), null);
  const now = ctx.clock.now().getTime();
  const round = await measureRound(client, config, now);
  recordRound(ctx, round);
  // Hold 0 and no timeout: "would this evaluation count as healthy right now?"
  const once = { ...config, timing: { ...config.timing, holdMs: 0, minDurationMs: 0, timeoutMs: Infinity } };
  const { state, decision } = advance(once, startGate(now), round);
  ctx.log.info(progressLine(round, decision, once.timing, state));
  const passed = decision.done && decision.verdict === "passed";
  const { holdMs, minDurationMs } = config.timing;
  const minimum = minDurationMs > 0 ? ` and run at least ${formatSpan(minDurationMs)}` : "";
  const hold =
    holdMs > 0 || minDurationMs > 0 ? `; a real run must hold it for ${formatSpan(holdMs)}${minimum}` : "";
  // Not decided after one evaluation: the round's own verdict (a failed metric says why), and a
  // breaching abort criterion, which alone keeps a healthy round from passing.
  const pendingAbort = !decision.done && decision.pendingAborts[0];
  const healthyRound = round.verdict === "passed";
  const verdict = decision.done
    ? decision.verdict
    : pendingAbort && healthyRound
      ? "inconclusive"
      : round.verdict;
  const breaching = pendingAbort ? `abort criterion ${pendingAbort.name} is breaching` : "";
  const why = decision.done
    ? decision.reason
    : [healthyRound ? "" : round.reason, breaching].filter(Boolean).join("; ") || round.reason;
  const reason = passed ? `would pass now: every metric passes${hold}` : `would not pass now: ${why}`;
  return {
    verdict,
    passed,
    reason,
    measurements: measurementSummary(state, round),
    decision: null,
  };
}

export const gate = defineAction({
  description: "Gate on Prometheus metrics: bounds, baselines, hold, abort criteria, limits, look-back",
  input: gateInput,
  outputs: OUTPUTS,
  mutates: false,
  dryRunSafe: true,
  plan: (input) => {
    const config = toGateConfig(input);
    const url = plannedUrl(input);
    return {
      summary: `gate: ${describeGate(config)}`,
      request: {
        method: "POST",
        url: `${url}/api/v1/${config.lookbackMs !== undefined ? "query_range" : "query"}`,
      },
      query: [...config.metrics, ...config.abort].map((rule) => `${rule.name}: ${rule.query}`).join("\n"),
      details: {
        ...(config.minTraffic ? { min_traffic: config.minTraffic.query } : {}),
        ...(config.freshness ? { freshness: config.freshness.selector } : {}),
        limits: {
          failure_limit: input.failure_limit,
          inconclusive_limit: input.inconclusive_limit,
          consecutive_error_limit: input.consecutive_error_limit,
        },
        on_inconclusive: input.on_inconclusive,
      },
    };
  },
  run: evaluate,
  preview,
});
