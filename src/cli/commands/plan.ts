// `relctl plan [stage...]`: the dry-run printed as a plan. Runs nothing that mutates; read-only
// steps that declare it safe run so the plan shows real values (the next version, a gate now).
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { playbookDigest } from "../../playbook/digest.js";
import { defaultPlanStages, selectStages } from "../../plan/stage-order.js";
import { fanOut } from "../../report/fan-out.js";
import { jsonLinesReporter } from "../../report/json-lines.js";
import { planCollector } from "../../report/plan-document.js";
import { renderPlanText } from "../../report/plan-text.js";
import { findStage } from "../../playbook/model.js";
import { runPlaybook } from "../../run/engine.js";
import { releaseIdentity } from "../../run/release-identity.js";
import { resolveStateDir } from "../../state/paths.js";
import { relctlVersion } from "../../util/package-version.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { displayPath } from "../../playbook/load.js";
import { neededStages } from "../preflight.js";
import { preparePlaybook } from "../prepare.js";
import { abortOnSignals } from "../signals.js";

export async function planCommand(
  requested: string[],
  outputFile: string | undefined,
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  const { playbook, vars, cwd, registry, display, locate } = await preparePlaybook(options, io);
  const stages = requested.length > 0 ? selectStages(playbook, requested) : defaultPlanStages(playbook);
  // What earlier runs of this release produced (the build's digest) shows in the plan as it is.
  const needed = neededStages(
    stages.map((name) => findStage(playbook, name)!),
    playbook,
    {
      stateDir: resolveStateDir(cwd, options.stateDir),
      playbook: playbook.name,
      version: releaseIdentity(playbook, vars, io.env).version,
    },
  );
  const collector = planCollector({
    relctlVersion: relctlVersion(),
    file: display,
    digest: await playbookDigest(playbook),
  });
  const sink = options.json ? fanOut([collector, jsonLinesReporter(io.out)]) : collector;
  const interrupt = abortOnSignals();
  let exitCode: number;
  try {
    const outcome = await runPlaybook({
      playbook,
      stages,
      vars,
      dryRun: true,
      registry,
      playbookDisplay: display,
      locate,
      sink,
      signal: interrupt.signal,
      cwd,
      env: io.env,
      earlier: needed.earlier,
      notPassed: needed.missing,
    });
    exitCode = outcome.exitCode;
  } finally {
    interrupt.dispose();
  }
  const document = collector.document();
  if (outputFile !== undefined) {
    const target = resolve(cwd, outputFile);
    await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
    io.err(`plan written to ${displayPath(target, cwd)}\n`);
  }
  if (!options.json) io.out(renderPlanText(document, io.color));
  return exitCode;
}
