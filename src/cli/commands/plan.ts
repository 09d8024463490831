// `relctl plan [stage...]`: the dry-run printed as a plan. Runs nothing that mutates; read-only
// steps that declare it safe run so the plan shows real values (the next version, a gate now).
import { accessSync, constants, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { RelctlError, usageError } from "../../errors.js";
import { fsProblem } from "../../state/fs-errors.js";
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
import { refuseInvalidKnownInputs } from "../pre-run-check.js";
import { preparePlaybook } from "../prepare.js";
import { abortOnSignals } from "../signals.js";

export async function planCommand(
  requested: string[],
  outputFile: string | undefined,
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  const prepared = await preparePlaybook(options, io, undefined, { secrets: true });
  const { playbook, vars, cwd, registry, display, locate } = prepared;
  // A plan file that cannot be written is refused before the (possibly slow) read-only steps run.
  const target = outputFile === undefined ? undefined : planFileTarget(cwd, outputFile);
  const stages = requested.length > 0 ? selectStages(playbook, requested) : defaultPlanStages(playbook);
  await refuseInvalidKnownInputs(prepared, stages, io);
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
  const varTypes = Object.fromEntries(
    [...playbook.vars.values()].map((def) => [def.name, def.typeKnown ? def.type : "untyped"]),
  );
  const document = { ...collector.document(), varTypes };
  if (target !== undefined) {
    await writeFile(target, `${JSON.stringify(document, null, 2)}\n`).catch((error: unknown) => {
      throw usageError(`cannot write the plan to ${target}: ${fsProblem(error)}`);
    });
    io.err(`plan written to ${displayPath(target, cwd)}\n`);
  }
  if (!options.json) io.out(renderPlanText(document, io.color));
  return exitCode;
}

/** Where `-o` writes: a file (new or existing) in a directory relctl can write to. */
function planFileTarget(cwd: string, outputFile: string): string {
  const hint = "name a file, e.g. -o plan.json";
  if (outputFile.trim() === "") throw usageError("-o/--output needs a file name, not an empty value", hint);
  const target = resolve(cwd, outputFile);
  try {
    if (statSync(target).isDirectory()) throw usageError(`-o ${target} is a directory, not a file`, hint);
    accessSync(target, constants.W_OK);
    return target;
  } catch (error) {
    if (error instanceof RelctlError) throw error;
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw usageError(`cannot write the plan to ${target}: ${fsProblem(error)}`, hint);
    }
  }
  const dir = dirname(target);
  try {
    if (!statSync(dir).isDirectory())
      throw usageError(`cannot write the plan to ${target}: ${dir} is not a directory`, hint);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof RelctlError) throw error;
    throw usageError(`cannot write the plan to ${target}: ${dir}: ${fsProblem(error)}`, hint);
  }
  return target;
}
