// `relctl approve <run> --role <role>`: record who approves which exact plan. The plan comes
// from the run's journal (playbook digest, version, environment), so an approval can never be
// applied to a plan other than the one the approver was shown.
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import { findStage } from "../../playbook/model.js";
import {
  approverIdentity,
  checkApprovals,
  readApprovals,
  recordApproval,
  ROLE_PATTERN,
} from "../../state/approvals.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { approvalPlan, approvalSubject, warnUnreadableApprovals } from "../preflight.js";
import { preparePlaybook } from "../prepare.js";
import { runEvents, startOf, stateDirOf, writingState } from "../state-context.js";
import { playbookDigest } from "../../playbook/digest.js";

export interface ApproveOptions {
  role: string;
  stage?: string;
  comment?: string;
}

export async function approveCommand(
  runId: string,
  approve: ApproveOptions,
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  if (!ROLE_PATTERN.test(approve.role)) {
    throw usageError(
      `--role "${approve.role}" is not a role`,
      "a role is lower-case words joined by -, as the stage's approvals: lists them (e.g. --role release-captain)",
    );
  }
  const stateDir = stateDirOf(options);
  const start = startOf(runEvents(stateDir, runId).events);
  if (!start?.playbookDigest || start.version === undefined) {
    throw new RelctlError(
      "E_NOT_APPROVABLE",
      ExitCode.invalid,
      `run ${runId} does not record the plan it would run`,
      {
        hint: "approve a run that relctl refused for missing approvals",
      },
    );
  }
  const { playbook, cwd } = await preparePlaybook(options, io);
  if ((await playbookDigest(playbook)) !== start.playbookDigest) {
    throw new RelctlError(
      "E_PLAN_CHANGED",
      ExitCode.invalid,
      `the playbook changed since run ${runId}: that plan can no longer be approved`,
      {
        hint: "run the stage again to get a new run to approve",
      },
    );
  }
  const stages = (approve.stage ? [approve.stage] : start.stages)
    .map((name) => findStage(playbook, name))
    .filter((stage) => stage?.approvals !== undefined);
  if (stages.length === 0) {
    throw new RelctlError(
      "E_NOTHING_TO_APPROVE",
      ExitCode.invalid,
      `no stage of run ${runId} asks for approvals`,
    );
  }
  const identity = {
    playbookDigest: start.playbookDigest,
    version: start.version,
    environment: start.environment,
  };
  const plan = approvalPlan(identity);
  const by = approverIdentity({ env: io.env }, cwd);
  for (const stage of stages) {
    const subject = approvalSubject(stage!.name, identity);
    await writingState(stateDir, () =>
      recordApproval(
        stateDir,
        subject,
        {
          ...plan,
          role: approve.role,
          by,
          at: new Date().toISOString(),
          ...(approve.comment ? { comment: approve.comment } : {}),
        },
        { requirement: stage!.approvals! },
      ),
    );
    const stored = readApprovals(stateDir, subject);
    warnUnreadableApprovals(stored, io);
    const check = checkApprovals(stage!.approvals!, stored.approvals, plan);
    const still = check.satisfied ? "approved: it may run" : `still needs ${check.missing.join(" and ")}`;
    io.out(
      `${io.color.green("✓")} ${by} approved stage ${stage!.name} of ${playbook.name} ${plan.version} as ${approve.role}; ${still}\n`,
    );
  }
  return 0;
}
