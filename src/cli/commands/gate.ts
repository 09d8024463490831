// `relctl gate <stage>`: evaluate the stage's gates on their own, without running anything else.
// By default each gate is measured once and says whether it would pass now (read-only, like a
// plan); --watch runs the gates for real: hold, abort criteria, limits, until each decides, with
// a run journal in the state directory (so a paused gate can be decided with `relctl decide`).
import { ExitCode, usageError } from "../../errors.js";
import { GATE_ACTIONS } from "../../gates/gate-actions.js";
import { findStage, type Playbook } from "../../playbook/model.js";
import { runPlaybook } from "../../run/engine.js";
import type { EventSink, RunEvent } from "../../run/events.js";
import { fanOut } from "../../report/fan-out.js";
import { newRunId } from "../../run/run-id.js";
import { openJournal, type JournalSink } from "../../state/journal.js";
import { resolveStateDir } from "../../state/paths.js";
import { cwdOf, type GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { preparePlaybook } from "../prepare.js";
import { runSinks } from "../run-sinks.js";
import { abortOnSignals } from "../signals.js";

export async function gateCommand(
  stageName: string,
  gate: { watch?: boolean },
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  const prepared = await preparePlaybook(options, io, undefined, { secrets: true });
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
  const sinks = await runSinks({ ...options, pushgateway: undefined, metricsTextfile: undefined }, io, {
    cwd: prepared.cwd,
  });
  // Measured once, a gate step "succeeds" whenever it could measure: on the terminal its line is
  // its verdict instead ("would not pass now: …"), and the run's last line is the command's own.
  const once = gate.watch !== true && !options.json;
  let runEnd: RunEvent | undefined;
  const sink: EventSink = {
    emit: (event: RunEvent) => {
      if (event.type === "step.end") verdicts.set(event.step, event.outputs?.passed);
      if (once && event.type === "run.end") runEnd = event;
      else if (once && event.type === "step.end" && typeof event.outputs?.passed === "boolean") {
        io.out(verdictLine(event.step, event.name, event.outputs, io));
      } else sinks.sink.emit(event);
    },
  };
  const interrupt = abortOnSignals();
  // Watching runs the gates for real: a paused gate waits for `relctl decide`, which reads the
  // run's journal in the state directory, so the watch keeps one there like any run.
  const watched = gate.watch === true ? watchRun(options) : undefined;
  try {
    const outcome = await runPlaybook({
      playbook,
      stages: [stage.name],
      vars: prepared.vars,
      dryRun: gate.watch !== true,
      registry: prepared.registry,
      playbookDisplay: prepared.display,
      locate: prepared.locate,
      sink: watched ? fanOut([sink, watched.journal]) : sink,
      signal: interrupt.signal,
      cwd: prepared.cwd,
      env: io.env,
      ...(watched ? { runId: watched.runId, stateDir: watched.stateDir } : {}),
    });
    // A watched gate that passed, or that a person let continue, lets the release go on: the
    // run's own verdict (its last line) is the command's answer.
    if (watched || outcome.exitCode !== ExitCode.ok) {
      if (runEnd) sinks.sink.emit(runEnd);
      return outcome.exitCode;
    }
    // A dry-run "succeeds" whenever it could measure; the answer is whether every gate would pass.
    const failing = gates.filter((step) => verdicts.get(step.id) !== true).length;
    const exitCode = failing === 0 ? ExitCode.ok : ExitCode.gateFailed;
    if (once) {
      const words =
        failing === 0
          ? io.color.green(`every gate would pass now`)
          : io.color.red(`${failing} of ${gates.length} gates would not pass now`);
      io.out(`\n${words} (exit ${exitCode})\n`);
    }
    return exitCode;
  } finally {
    watched?.journal.close();
    interrupt.dispose();
  }
}

function watchRun(options: GlobalOptions): { runId: string; stateDir: string; journal: JournalSink } {
  const stateDir = resolveStateDir(cwdOf(options), options.stateDir);
  const runId = newRunId(new Date());
  return { runId, stateDir, journal: openJournal(stateDir, runId) };
}

function verdictLine(step: string, name: string, outputs: Record<string, unknown>, io: Io): string {
  const passed = outputs.passed === true;
  const mark = passed ? io.color.green("✓") : io.color.red("✗");
  const reason =
    typeof outputs.reason === "string" ? outputs.reason : passed ? "would pass now" : "would not pass now";
  const title = name === step ? step : `${step} ${io.color.dim(name)}`;
  return `  ${mark} ${title}\n    ${passed ? reason : io.color.red(reason)}\n`;
}
