// One run from the command line, start to end: confirm, take the target's lock, check freeze
// windows, needed stages and approvals, run the engine with every observer attached (terminal
// or --json, the journal, the evidence bundle, GitHub Actions, metrics), then record what passed
// and leave the evidence folder. Shared by `relctl <phase>`, `relctl run` and `relctl resume`.
import { hostname } from "node:os";
import { ExitCode, isRelctlError, RelctlError } from "../errors.js";
import { findStage, type Playbook, type StageDef } from "../playbook/model.js";
import { playbookDigest } from "../playbook/digest.js";
import { mutatingSteps } from "../plan/mutating.js";
import { fanOut } from "../report/fan-out.js";
import { jsonLinesReporter } from "../report/json-lines.js";
import { systemClock } from "../run/clock.js";
import { runPlaybook, type RunOutcome } from "../run/engine.js";
import { Redactor } from "../run/redact.js";
import { registerSecrets } from "../run/secrets.js";
import { releaseIdentity } from "../run/release-identity.js";
import { newRunId } from "../run/run-id.js";
import type { Approval } from "../state/approvals.js";
import { openJournal, type JournalSink } from "../state/journal.js";
import { acquireLock, lockHeldError, type HeldLock, type LockTarget } from "../state/lock.js";
import { lockStepsSink } from "../state/lock-steps.js";
import { stopRunningGroups } from "../run/process-groups.js";
import { resolveStateDir } from "../state/paths.js";
import { confirmOrRefuse } from "./confirm.js";
import type { GlobalOptions } from "./global-options.js";
import type { Io } from "./io.js";
import { checkFreezeWindows, checkNeededStages, checkStageApprovals, neededStages } from "./preflight.js";
import type { Prepared } from "./prepare.js";
import type { RunCommandOptions } from "./run-options.js";
import { refuseInvalidKnownInputs } from "./pre-run-check.js";
import { runPreamble } from "./run-preamble.js";
import { rollbackTarget, runFacts } from "./run-records.js";
import { runSinks } from "./run-sinks.js";
import { abortOnSignals } from "./signals.js";
import { finishRelease, rollbackEnvironmentOf } from "./release-finish.js";
import { guardAgainstOrphans } from "./orphan-guard.js";

export interface PipelineInput {
  prepared: Prepared;
  stages: string[];
  options: GlobalOptions & RunCommandOptions;
  io: Io;
  /** `relctl resume`: the run to continue and what it already did. */
  resume?: {
    runId: string;
    completed: Map<string, { outputs: Record<string, unknown> }>;
    /** What it did, read again once the lock is held (see resume-guard.ts); throws when it ended. */
    settle?: () => Map<string, { outputs: Record<string, unknown> }>;
  };
}

export async function runPipeline(input: PipelineInput): Promise<number> {
  const { prepared, stages, options, io } = input;
  const { playbook, vars, cwd } = prepared;
  // Secrets are known before anything records the command line, a var or a message.
  const redactor = prepared.redactor ?? new Redactor();
  if (!prepared.redactor) await registerSecrets(playbook, { env: io.env, cwd, redactor });
  // Inputs known from vars and env are checked before anything runs (exit 2 when invalid).
  await refuseInvalidKnownInputs(prepared, stages, io, input.resume?.completed);
  const stageDefs = stages.map((name) => findStage(playbook, name)!);
  const environment = lastEnvironment(stageDefs);
  const release = releaseIdentity(playbook, vars, io.env);
  const identity = { playbookDigest: await playbookDigest(playbook), version: release.version, environment };
  const clock = systemClock;

  const { total, mutating } = await mutatingSteps(playbook, stages, prepared.registry);
  if (!options.dryRun && mutating > 0) {
    const handlers = [...new Set(stageDefs.flatMap((stage) => stage.onFailure ?? []))];
    const onFailure = handlers.length > 0 ? `; on failure: ${handlers.join(", ")}` : "";
    const question = `Run ${stages.join(", ")} of ${playbook.name} ${release.version} (${total} steps, ${mutating} change things${onFailure})?`;
    if (!(await confirmOrRefuse(question, options.yes, io))) {
      io.err("Nothing was run.\n");
      return ExitCode.blocked;
    }
  }

  // A rollback returns an environment to an earlier release: it is not a release to it.
  const releasedTo = lastEnvironment(stageDefs.filter((stage) => stage.name !== "rollback"));
  const sinks = await runSinks(options, io, { cwd, environment: releasedTo });
  const interrupt = abortOnSignals((name) => io.err(`\n${name} received: stopping the running step…\n`));
  const engine = {
    playbook,
    stages,
    vars,
    registry: prepared.registry,
    playbookDisplay: prepared.display,
    locate: prepared.locate,
    signal: interrupt.signal,
    cwd,
    env: io.env,
    clock,
    redactor,
    // run.start names this process: a resume that finds the run ended says who finished it.
    identity: options.dryRun ? identity : { ...identity, pid: process.pid, hostname: hostname() },
  };
  const locks: HeldLock[] = [];
  let journal: JournalSink | undefined;
  try {
    const stateDir = resolveStateDir(cwd, options.stateDir);
    if (options.dryRun) {
      // A dry-run shows the outputs earlier runs of this release produced, and what has not passed.
      const needed = neededStages(stageDefs, playbook, {
        stateDir,
        playbook: playbook.name,
        version: release.version,
      });
      const plan = {
        ...engine,
        dryRun: true,
        sink: sinks.sink,
        earlier: needed.earlier,
        notPassed: needed.missing,
      };
      return (await runPlaybook(plan)).exitCode;
    }
    const runId = input.resume?.runId ?? newRunId(clock.now());
    // Every environment the run changes is locked and checked against the freeze calendar, not
    // only the last one: `relctl run stage promote` changes staging too.
    const environments = [...new Set(stageDefs.map((stage) => stage.environment))];
    // Nothing runs beside a step a killed relctl left running (resume, or a stale lock's holder).
    await guardAgainstOrphans({
      stateDir,
      targets: mutating > 0 ? environments.map((changed) => lockTarget(playbook, changed)) : [],
      resumeRunId: input.resume?.runId,
      stopOrphans: options.stopOrphans === true,
      retry: input.resume
        ? `relctl resume ${runId} --stop-orphans`
        : "run the same command with --stop-orphans",
      command: commandLine(redactor),
      io,
    });
    if (mutating > 0) {
      for (const changed of environments) {
        const target = { playbook: playbook.name, environment: changed ?? "default" };
        const acquired = acquireLock(stateDir, target, { runId, command: commandLine(redactor) });
        if (acquired.kind === "held") throw redactError(lockHeldError(acquired), redactor);
        locks.push(acquired.lock);
      }
    }
    const completed = input.resume?.settle?.() ?? input.resume?.completed;
    const freezeOptions = {
      reason: options.reason,
      stateDir,
      clock,
      env: io.env,
      redactor,
      cwd,
      signal: interrupt.signal,
    };
    // Each later stage is decided again when it starts: a window or an incident may have begun.
    // (With --break-glass the override recorded at the start covers the whole run.)
    const freezeRecheck = async (stage: StageDef, signal: AbortSignal): Promise<string | undefined> => {
      if (isRecoveryStage(playbook, stage)) return undefined;
      try {
        await checkFreezeWindows(playbook, stage.environment, {
          ...freezeOptions,
          breakGlass: false,
          signal,
        });
        return undefined;
      } catch (error) {
        if (isRelctlError(error) && error.exitCode === ExitCode.blocked) return error.message;
        throw error;
      }
    };
    const breakGlass: Record<string, unknown>[] = [];
    for (const changed of mutating > 0 ? releasedEnvironments(playbook, stageDefs) : []) {
      const overrides = await checkFreezeWindows(playbook, changed, {
        ...freezeOptions,
        breakGlass: options.breakGlass === true,
      });
      breakGlass.push(...overrides);
    }
    const earlier = checkNeededStages(stageDefs, playbook, {
      stateDir,
      playbook: playbook.name,
      version: release.version,
    });
    // Outputs of earlier runs were recorded redacted: a secret in one reads as *** here.
    for (const [id, state] of earlier) {
      for (const [name, value] of Object.entries(state.outputs)) {
        if (typeof value === "string" && value.includes("***")) {
          io.err(
            `${io.color.yellow("warning")}: steps.${id}.outputs.${name} held a secret and reads as *** in this run\n`,
          );
        }
      }
    }
    journal = openJournal(stateDir, runId, { redactor });
    const facts = runFacts();
    const sink = fanOut([sinks.sink, journal, lockStepsSink(locks), facts]);
    const preamble = runPreamble({
      runId,
      journal,
      redactor,
      clock,
      start: {
        type: "run.start",
        playbook: prepared.display,
        name: playbook.name,
        stages,
        dryRun: false,
        vars,
        ...identity,
        ...(input.resume ? { resumed: true } : {}),
        pid: process.pid,
        hostname: hostname(),
      },
    });
    const rollbackEnvironment = rollbackEnvironmentOf(playbook, environment);
    const target = rollbackTarget(stateDir, rollbackEnvironment, release.version);
    let approvals: Approval[];
    let outcome: RunOutcome;
    try {
      approvals = await checkStageApprovals(stageDefs, {
        plan: identity,
        stateDir,
        runId,
        wait: options.wait === true,
        clock,
        signal: interrupt.signal,
        io,
        // Approvers approve the plan the journal records: it must be there while we wait.
        beforeWait: () => preamble.announce(sink),
      });
      outcome = await runPlaybook({
        ...engine,
        beforeStage: options.breakGlass ? undefined : (stage, signal) => freezeRecheck(stage, signal),
        dryRun: false,
        runId,
        stateDir,
        earlier,
        rollbackTarget: target,
        sink,
        lastSeq: journal.lastSeq,
        announced: preamble.announced,
        ...(input.resume ? { completed, resumed: true } : {}),
      });
    } catch (error) {
      preamble.refuse(error, options.json ? jsonLinesReporter(io.out) : undefined);
      throw error;
    }
    // Records, evidence and its signature: a failure there is reported, never half silent.
    return await finishRelease({
      exitCode: outcome.exitCode,
      runId,
      journal,
      redactor,
      clock,
      io,
      options,
      facts,
      playbook,
      stateDir,
      release,
      cwd,
      environment,
      rollbackEnvironment,
      rollbackTarget: target,
      approvals,
      breakGlass,
      playbookDigest: identity.playbookDigest,
    });
  } finally {
    // The lock goes only once nothing of a step runs any more (normally all are gone by now).
    await stopRunningGroups();
    journal?.close();
    for (const lock of locks) lock.release();
    interrupt.dispose();
    await sinks.finish({
      environment: releasedTo ?? environment,
      service: typeof vars.service === "string" ? vars.service : undefined,
    });
  }
}

/**
 * The environments the run releases to, which the freeze calendar guards. A stage that another
 * stage hands its failures to (rollback) returns an environment to its last known good release —
 * what a freeze or an incident calls for — so it is never refused by them; it is still locked.
 */
function releasedEnvironments(playbook: Playbook, stages: readonly StageDef[]): (string | undefined)[] {
  return [
    ...new Set(stages.filter((stage) => !isRecoveryStage(playbook, stage)).map((stage) => stage.environment)),
  ];
}

/** A stage another stage hands its failures to: it restores, it does not release. */
function isRecoveryStage(playbook: Playbook, stage: StageDef): boolean {
  return playbook.stages.some((other) => other.onFailure === stage.name);
}

function lockTarget(playbook: Playbook, environment: string | undefined): LockTarget {
  return { playbook: playbook.name, environment: environment ?? "default" };
}

function lastEnvironment(stages: readonly StageDef[]): string | undefined {
  return stages
    .map((stage) => stage.environment)
    .filter((value) => value !== undefined)
    .at(-1);
}

/** A holder's record is shown redacted by this run too: it may come from an older relctl. */
function redactError(error: RelctlError, redactor: Redactor): RelctlError {
  return new RelctlError(error.code, error.exitCode, redactor.redact(error.message), {
    ...(error.hint === undefined ? {} : { hint: redactor.redact(error.hint) }),
    details: redactor.redactDeep(error.details),
  });
}

function commandLine(redactor: Redactor): string[] {
  return ["relctl", ...process.argv.slice(2)].map((arg) => redactor.redact(arg));
}
