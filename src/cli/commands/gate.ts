// `relctl gate <stage>`: evaluate the stage's gates on their own, without running anything else.
// By default each gate is measured once and says whether it would pass now (read-only, like a
// plan); --watch runs the gates for real: hold, abort criteria, limits, until each decides.
import { ExitCode, usageError } from "../../errors.js";
import { findStage, type Playbook } from "../../playbook/model.js";
import { runPlaybook } from "../../run/engine.js";
import type { EventSink, RunEvent } from "../../run/events.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { preparePlaybook } from "../prepare.js";
import { runSinks } from "../run-sinks.js";
import { abortOnSignals } from "../signals.js";

const GATE_ACTIONS = new Set(["prometheus.gate"]);

export async function gateCommand(
  stageName: string,
  gate: { watch?: boolean },
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  const prepared = await preparePlaybook(options, io);
  const stage = findStage(prepared.playbook, stageName);
  if (!stage) throw usageError(`playbook ${prepared.playbook.name} has no stage "${stageName}"`);
  const gates = stage.steps.filter((step) => GATE_ACTIONS.has(step.uses));
  if (gates.length === 0) {
    throw usageError(`stage ${stageName} has no gate steps (${[...GATE_ACTIONS].join(", ")})`);
  }
  // Only the gates, side by side: nothing else of the stage runs, and no on_failure stage.
  const playbook: Playbook = {
    ...prepared.playbook,
    stages: [
      {
        ...stage,
        needs: [],
        onFailure: undefined,
        steps: gates.map((step) => ({ ...step, dependsOn: [], explicitNeeds: true })),
      },
    ],
  };
  const verdicts = new Map<string, unknown>();
  const collect: EventSink = {
    emit: (event: RunEvent) => {
      if (event.type === "step.end") verdicts.set(event.step, event.outputs?.passed);
    },
  };
  const sinks = await runSinks({ ...options, pushgateway: undefined, metricsTextfile: undefined }, io, {
    cwd: prepared.cwd,
  });
  const interrupt = abortOnSignals();
  try {
    const outcome = await runPlaybook({
      playbook,
      stages: [stage.name],
      vars: prepared.vars,
      dryRun: gate.watch !== true,
      registry: prepared.registry,
      playbookDisplay: prepared.display,
      locate: prepared.locate,
      sink: { emit: (event) => (sinks.sink.emit(event), collect.emit(event)) },
      signal: interrupt.signal,
      cwd: prepared.cwd,
      env: io.env,
    });
    if (outcome.exitCode !== ExitCode.ok) return outcome.exitCode;
    // A dry-run "succeeds" whenever it could measure; the answer is whether every gate would pass.
    return gates.every((step) => verdicts.get(step.id) === true) ? ExitCode.ok : ExitCode.gateFailed;
  } finally {
    interrupt.dispose();
  }
}
