// `relctl <phase>` and `relctl run <stage...>`: validate, then the run pipeline (confirm, lock,
// freeze, needs, approvals, run, record).
import { selectStages } from "../../plan/stage-order.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { preparePlaybook } from "../prepare.js";
import { checkRunPreconditions } from "../run-checks.js";
import type { RunCommandOptions } from "../run-options.js";
import { runPipeline } from "../run-pipeline.js";

export async function runStagesCommand(
  requested: string[],
  options: GlobalOptions & RunCommandOptions,
  io: Io,
): Promise<number> {
  const prepared = await preparePlaybook(options, io, undefined, { secrets: true });
  const stages = selectStages(prepared.playbook, requested);
  const checked = checkRunPreconditions(prepared, options, io.env);
  return runPipeline({ prepared, stages, options: checked, io });
}
