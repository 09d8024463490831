// Checks that run before a mutating run changes anything, each refusing with exit 4 and saying
// why and what to do: the target's lock, freeze windows and incidents, stages this one needs
// that have not passed for this release, and approvals.
import { ExitCode, RelctlError, usageError } from "../errors.js";
import type { Playbook, StageDef } from "../playbook/model.js";
import type { StepState } from "../playbook/expr/index.js";
import type { Clock } from "../run/clock.js";
import type { Redactor } from "../run/redact.js";
import {
  approvalsMissingError,
  approverIdentity,
  checkApprovals,
  readApprovals,
  waitForApprovals,
  type Approval,
  type ApprovalPlan,
  type StoredApprovals,
} from "../state/approvals.js";
import { fileKey } from "../state/paths.js";
import { readTrain, type TrainKey } from "../state/train.js";
import type { Io } from "./io.js";

export interface PlanIdentity {
  playbookDigest: string;
  version: string;
  environment?: string;
}

/** Where a stage's approvals are kept: bound to the exact plan, not to one run. */
export function approvalSubject(stage: string, plan: PlanIdentity): string {
  return fileKey(
    `${plan.playbookDigest}|${plan.version}|${plan.environment ?? ""}|${stage}`,
    `${stage}-${plan.version}`,
  );
}

/** What an approval records of the plan it approves (and is checked against). */
export function approvalPlan(plan: PlanIdentity): ApprovalPlan {
  return { planDigest: plan.playbookDigest, version: plan.version, environment: plan.environment ?? "" };
}

export interface FreezeOptions {
  breakGlass: boolean;
  reason?: string;
}

/** Refuses a run inside a freeze window or during an incident; break-glass is recorded. */
export async function checkFreezeWindows(
  playbook: Playbook,
  environment: string | undefined,
  options: FreezeOptions & {
    stateDir: string;
    clock: Clock;
    env: Record<string, string | undefined>;
    redactor: Redactor;
    /** Where the person who breaks the glass is looked up (git identity). */
    cwd: string;
    /** Ctrl-C stops a slow incident check too. */
    signal: AbortSignal;
  },
): Promise<Record<string, unknown>[]> {
  if (options.breakGlass && (options.reason ?? "").trim() === "") {
    throw usageError('--break-glass needs --reason "…": the override is recorded with it');
  }
  if (!playbook.freezeCalendar || environment === undefined) return [];
  const freeze = await import("../release/freeze/index.js");
  const calendar = await freeze.loadFreezeCalendar(playbook.freezeCalendar.file);
  const incidents = freeze.incidentChecksFromCalendar(calendar, {
    env: options.env,
    onSecret: (value) => options.redactor.add(value),
  });
  const decision = await freeze.checkFreeze({
    calendar,
    environment,
    at: options.clock.now(),
    incidents,
    signal: options.signal,
    ...(options.breakGlass
      ? {
          breakGlass: {
            by: approverIdentity({ env: options.env }, options.cwd),
            reason: options.reason ?? "",
          },
        }
      : {}),
  });
  if (decision.kind === "blocked") throw freeze.freezeBlockedError(decision);
  if (decision.kind === "break-glass") {
    freeze.recordBreakGlass(options.stateDir, decision.record);
    return [{ ...decision.record }];
  }
  return [];
}

/** What checkNeededStages finds, without refusing: plans show what is known, and warn. */
export function neededStages(
  stages: readonly StageDef[],
  playbook: Playbook,
  train: TrainKey & { stateDir: string },
): { earlier: Map<string, StepState>; missing: string[]; stale: string[] } {
  const inRun = new Set(stages.map((stage) => stage.name));
  const record = readTrain(train.stateDir, train);
  const earlier = new Map<string, StepState>();
  const missing: string[] = [];
  const stale: string[] = [];
  const visit = (name: string, seen: Set<string>): void => {
    if (seen.has(name) || inRun.has(name)) return;
    seen.add(name);
    const passed = record.stages[name];
    if (!passed) {
      missing.push(name);
      return;
    }
    const needs = playbook.stages.find((stage) => stage.name === name)?.needs ?? [];
    // A pass holds only while what it checked stands: a stage it needs that passed again since
    // (or runs again now) may have made other outputs, like a new digest sign never signed.
    const rerun = needs.filter((need) => inRun.has(need) || (record.stages[need]?.at ?? "") > passed.at);
    if (rerun.length > 0) {
      missing.push(name);
      stale.push(`${name} passed before ${rerun.join(" and ")} ran again`);
      return;
    }
    for (const [id, step] of Object.entries(passed.steps)) {
      earlier.set(id, { status: step.status as StepState["status"], outputs: step.outputs });
    }
    for (const need of needs) visit(need, seen);
  };
  for (const stage of stages) for (const need of stage.needs) visit(need, new Set());
  return { earlier, missing: [...new Set(missing)], stale: [...new Set(stale)] };
}

/**
 * A stage runs only after the stages it needs passed for this release: in this run, or in an
 * earlier one (the train record). Returns the earlier steps' outputs the run may read.
 */
export function checkNeededStages(
  stages: readonly StageDef[],
  playbook: Playbook,
  train: TrainKey & { stateDir: string },
): Map<string, StepState> {
  const { earlier, missing, stale } = neededStages(stages, playbook, train);
  const inRun = new Set(stages.map((stage) => stage.name));
  if (missing.length > 0) {
    const why = stale.length > 0 ? ` (${stale.join("; ")})` : "";
    throw new RelctlError(
      "E_NEEDS_NOT_PASSED",
      ExitCode.blocked,
      `${stages.map((stage) => stage.name).join(", ")} needs ${missing.join(", ")}, which has not passed for ${train.playbook} ${train.version}${why}; nothing was run`,
      {
        hint: `run it first (relctl run ${missing.join(" ")}), or together: relctl run ${[...missing, ...inRun].join(" ")}`,
      },
    );
  }
  return earlier;
}

export interface ApprovalGate {
  plan: PlanIdentity;
  stateDir: string;
  runId: string;
  wait: boolean;
  clock: Clock;
  signal: AbortSignal;
  io: Io;
  /** Called once before the first wait (the run records its start, so it can be approved). */
  beforeWait?: () => void;
}

/** The approvals every stage of the run needs; waits for them with --wait, else refuses. */
export async function checkStageApprovals(
  stages: readonly StageDef[],
  gate: ApprovalGate,
): Promise<Approval[]> {
  const granted: Approval[] = [];
  const plan = approvalPlan(gate.plan);
  for (const stage of stages) {
    if (!stage.approvals) continue;
    const requirement = stage.approvals;
    const subject = approvalSubject(stage.name, gate.plan);
    const warned = new Set<string>();
    // Polled every second with --wait: each unreadable file is reported once.
    const load = () => {
      const stored = readApprovals(gate.stateDir, subject);
      warnUnreadableApprovals(stored, gate.io, warned);
      return stored.approvals;
    };
    let check = checkApprovals(requirement, load(), plan);
    if (!check.satisfied && gate.wait) {
      gate.beforeWait?.();
      check = await waitForApprovals({
        load,
        requirement,
        plan,
        clock: gate.clock,
        signal: gate.signal,
        // Reading a folder of small files is cheap: approvers see the stage start within a second.
        intervalMs: 1_000,
        onWaiting: (pending) =>
          gate.io.err(
            `waiting for ${pending.missing.join(" and ")} for stage ${stage.name}: relctl approve ${gate.runId} --role <role>\n`,
          ),
      });
    }
    if (!check.satisfied) {
      const error = approvalsMissingError(stage.name, check);
      throw new RelctlError(
        error.code,
        error.exitCode,
        `${error.message}; nothing was run (run ${gate.runId})`,
        {
          hint: `each approver runs: relctl approve ${gate.runId} --role <role>; then run it again (or use --wait)`,
          details: error.details,
        },
      );
    }
    granted.push(...check.valid);
  }
  return granted;
}

/**
 * An approval file that cannot be read counts as no approval, but never silently: an approver
 * would otherwise wonder why their approval did not count.
 */
export function warnUnreadableApprovals(
  stored: StoredApprovals,
  io: Io,
  warned: Set<string> = new Set(),
): void {
  for (const { file, problem } of stored.unreadable) {
    if (warned.has(file)) continue;
    warned.add(file);
    io.err(
      `${io.color.yellow("warning")}: ignoring approval file ${file}: ${problem}; it counts as no approval (remove it and approve again)\n`,
    );
  }
}
