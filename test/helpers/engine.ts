// Runs a playbook written inline through the real loader and engine, with a recording
// executor `rec` next to the built-ins, and keeps every event for assertions.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { defineAction, StepFailure, type Executor } from "../../src/executors/contract.js";
import { formatDiagnostic } from "../../src/playbook/diagnostics.js";
import { loadPlaybook, stepLocator } from "../../src/playbook/load.js";
import { resolveVars } from "../../src/playbook/vars.js";
import type { Clock } from "../../src/run/clock.js";
import { runPlaybook, type RunOptions, type RunOutcome } from "../../src/run/engine.js";
import type { RunEvent } from "../../src/run/events.js";
import { tempProject } from "./cli.js";

export interface Recording {
  /** "start:<step>" and "end:<step>" in the order they happened. */
  log: string[];
  /** Attempts per step. */
  attempts: Map<string, number>;
  /** Inputs each step's run() saw. */
  inputs: Map<string, unknown>;
}

/** A recording executor: `rec.do` mutates, `rec.look` is read-only and safe in a dry-run. */
export function recordingExecutor(recording: Recording): Executor {
  const input = z.strictObject({
    outputs: z.record(z.string(), z.unknown()).default({}),
    fail: z.boolean().default(false),
    fail_times: z.number().int().default(0),
    gate: z.boolean().default(false),
    delay_ms: z.number().default(0),
    value: z.unknown().optional(),
  });
  type Input = z.output<typeof input>;
  const behave = async (ctx: Parameters<Executor["actions"][string]["run"]>[0], value: Input) => {
    const id = ctx.step.id;
    const attempt = (recording.attempts.get(id) ?? 0) + 1;
    recording.attempts.set(id, attempt);
    recording.inputs.set(id, value);
    recording.log.push(`start:${id}`);
    try {
      if (value.delay_ms > 0) await sleepUnlessAborted(value.delay_ms, ctx.signal);
      if (value.gate) throw new StepFailure(`gate of ${id} failed`, { kind: "gate-failed" });
      if (value.fail || attempt <= value.fail_times) {
        throw new StepFailure(`${id} failed on attempt ${attempt}`, {
          command: ["rec", id],
          exitCode: 3,
          stderrTail: "boom",
        });
      }
      return { ...value.outputs, attempt };
    } finally {
      recording.log.push(`end:${id}`);
    }
  };
  return {
    name: "rec",
    description: "records what the engine does",
    actions: {
      do: defineAction({
        description: "a mutating step",
        input,
        outputs: { attempt: "which attempt succeeded" },
        acceptsDeclaredOutputs: true,
        mutates: true,
        plan: (value) => ({
          summary: `do ${JSON.stringify(value.value ?? null)}`,
          argv: ["rec", String(value.value ?? "")],
        }),
        run: behave,
      }),
      look: defineAction({
        description: "a read-only step that may run in a dry-run",
        input,
        outputs: { attempt: "which attempt succeeded", seen: "what preview saw" },
        acceptsDeclaredOutputs: true,
        mutates: false,
        dryRunSafe: true,
        plan: () => ({ summary: "look" }),
        run: behave,
        preview: (ctx, value) => {
          recording.log.push(`preview:${ctx.step.id}`);
          return Promise.resolve({ ...value.outputs, seen: "preview" });
        },
      }),
    },
  };
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

export interface EngineRun {
  outcome: RunOutcome;
  events: RunEvent[];
  recording: Recording;
  dir: string;
}

export async function runYaml(
  yaml: string,
  options: Partial<Omit<RunOptions, "playbook" | "registry" | "sink" | "vars">> & {
    stages: string[];
    vars?: string[];
    clock?: Clock;
    files?: Record<string, string>;
  },
): Promise<EngineRun> {
  const dir = tempProject(options.files ?? {});
  const file = join(dir, "relctl.yaml");
  writeFileSync(file, yaml);
  const recording: Recording = { log: [], attempts: new Map(), inputs: new Map() };
  const loaded = await loadPlaybook(file, { cwd: dir, executors: { rec: recordingExecutor(recording) } });
  if (!loaded.playbook || loaded.diagnostics.length > 0) {
    throw new Error(`invalid test playbook:\n${loaded.diagnostics.map(formatDiagnostic).join("\n")}`);
  }
  const env = options.env ?? {};
  const vars = await resolveVars(loaded.playbook, { overrides: options.vars ?? [], env, cwd: dir });
  const events: RunEvent[] = [];
  const outcome = await runPlaybook({
    dryRun: false,
    signal: new AbortController().signal,
    cwd: dir,
    ...options,
    env,
    playbook: loaded.playbook,
    registry: loaded.registry,
    locate: stepLocator(loaded.sources),
    vars: vars.values,
    sink: { emit: (event) => events.push(event) },
  });
  return { outcome, events, recording, dir };
}

/** The events of one type, narrowed. */
export function eventsOf<T extends RunEvent["type"]>(
  events: RunEvent[],
  type: T,
): Extract<RunEvent, { type: T }>[] {
  return events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type);
}

export function stepStatus(events: RunEvent[], step: string): string | undefined {
  return eventsOf(events, "step.end").find((event) => event.step === step)?.status;
}
