// `relctl <phase>` and `relctl run <stage...>`: validate, confirm, run, report.
import { ExitCode } from "../../errors.js";
import { findStage } from "../../playbook/model.js";
import { mutatingSteps } from "../../plan/mutating.js";
import { selectStages } from "../../plan/stage-order.js";
import { runPlaybook } from "../../run/engine.js";
import { confirmOrRefuse } from "../confirm.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { preparePlaybook } from "../prepare.js";
import type { RunCommandOptions } from "../run-options.js";
import { runSinks } from "../run-sinks.js";
import { abortOnSignals } from "../signals.js";

export async function runStagesCommand(
  requested: string[],
  options: GlobalOptions & RunCommandOptions,
  io: Io,
): Promise<number> {
  const { playbook, vars, cwd, registry, display, locate } = await preparePlaybook(options, io);
  const stages = selectStages(playbook, requested);
  const environment = stages
    .map((name) => findStage(playbook, name)?.environment)
    .filter((value) => value !== undefined)
    .at(-1);

  if (!options.dryRun) {
    const handlers = [...new Set(stages.flatMap((name) => findStage(playbook, name)?.onFailure ?? []))];
    const { total, mutating } = await mutatingSteps(playbook, stages, registry);
    if (mutating > 0) {
      const onFailure = handlers.length > 0 ? `; on failure: ${handlers.join(", ")}` : "";
      const question = `Run ${stages.join(", ")} of ${playbook.name} (${total} steps, ${mutating} change things${onFailure})?`;
      if (!(await confirmOrRefuse(question, options.yes, io))) {
        io.err("Nothing was run.\n");
        return ExitCode.blocked;
      }
    }
  }

  const sinks = await runSinks(options, io, { cwd, environment });
  const interrupt = abortOnSignals((name) => io.err(`\n${name} received: stopping the running step…\n`));
  try {
    const outcome = await runPlaybook({
      playbook,
      stages,
      vars,
      dryRun: options.dryRun,
      registry,
      playbookDisplay: display,
      locate,
      sink: sinks.sink,
      signal: interrupt.signal,
      cwd,
      env: io.env,
    });
    return outcome.exitCode;
  } finally {
    interrupt.dispose();
    await sinks.finish({
      environment,
      service: typeof vars.service === "string" ? vars.service : undefined,
    });
  }
}
