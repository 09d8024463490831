// The real process runner, on execa. argv arrays only: no shell unless argv itself starts one.
// Each program runs in a process group of its own; abort stops that whole group with SIGTERM
// and, if anything lingers, SIGKILL, and waits until it is gone, so Ctrl-C, a timeout or a
// SIGTERM to relctl never leaves a deploy (or a grandchild of it) running behind relctl's back.
import { statSync } from "node:fs";
import { hostname } from "node:os";
import { execa } from "execa";
import { StepFailure } from "../executors/contract.js";
import { KILL_GRACE_MS, stopGroup, trackGroup, untrackGroup, type GroupStopped } from "./process-groups.js";
import { processStartTime } from "./process-identity.js";
import { closeGate, gatedArgv, openGate, programProblem } from "./spawn-gate.js";
import type { Readable, Writable } from "node:stream";
import type { ProcessOptions, ProcessResult, ProcessRunner } from "./process.js";

/** POSIX only: a Windows process tree is not a process group. */
const OWN_GROUP = process.platform !== "win32";

export function createProcessRunner(): ProcessRunner {
  return { run: runProcess };
}

async function runProcess(argv: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const [file, ...args] = argv;
  if (file === undefined || file === "") throw new StepFailure("empty command: argv needs a program");
  if (options.signal?.aborted) throw abortedFailure(argv, options.signal);
  // Spawning in a directory that does not exist fails as ENOENT, read as "command not found".
  if (options.cwd !== undefined && !isDirectory(options.cwd)) {
    throw new StepFailure(`working directory ${options.cwd} does not exist`, {
      command: [...argv],
      hint: "fix the step's cwd (relative to the run's directory), or create the directory in an earlier step",
    });
  }
  if (OWN_GROUP) {
    const problem = programProblem(file, options.cwd ?? process.cwd(), { ...process.env, ...options.env });
    if (problem) throw startFailure(argv, problem);
  }
  const started = performance.now();
  const [program, ...programArgs] = OWN_GROUP ? gatedArgv(file, args) : [file, ...args];
  const child = execa(program, programArgs, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input ?? "",
    reject: false,
    stripFinalNewline: false,
    encoding: "utf8",
    // Its own process group (setsid): a signal to the group reaches everything the step started,
    // and the terminal's Ctrl-C reaches relctl alone, which then stops the step in order.
    detached: OWN_GROUP,
    // fd 3: the gate the program waits behind until its process is recorded (spawn-gate.ts).
    ...(OWN_GROUP ? { stdio: ["pipe", "pipe", "pipe", "pipe"] as const } : {}),
    windowsHide: true,
  });
  const pid = child.pid;
  let stopped: Promise<GroupStopped | undefined> | undefined;
  const stop = (): void => {
    stopped ??= OWN_GROUP && pid !== undefined ? stopGroup(pid, KILL_GRACE_MS) : killChild(child);
  };
  if (pid !== undefined) {
    if (OWN_GROUP) trackGroup(pid);
    try {
      options.onSpawn?.({ pid, pgid: pid, startTime: processStartTime(pid), hostname: hostname() });
    } catch (error) {
      // Not recorded (the journal cannot be written): the program must not run unrecorded.
      closeGate(child.stdio[3] as Writable | undefined);
      await child;
      untrackGroup(pid);
      throw error;
    }
    if (OWN_GROUP) openGate(child.stdio[3] as Writable | undefined);
  }
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.onLine) forwardLines(child, options.onLine);
  let result: Awaited<typeof child>;
  try {
    result = await child;
  } finally {
    options.signal?.removeEventListener("abort", stop);
    // Aborted: the step is over only once nothing of its group is left.
    await stopped;
    if (pid !== undefined) untrackGroup(pid);
  }
  const durationMs = performance.now() - started;
  if (options.signal?.aborted ?? false) throw abortedFailure(argv, options.signal!);
  const failedToStart = result.exitCode === undefined && result.signal === undefined;
  if (failedToStart) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    throw startFailure(argv, code, result.cause);
  }
  return {
    command: [...argv],
    exitCode: result.exitCode ?? 128 + signalNumber(result.signal),
    signal: result.signal ?? undefined,
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    durationMs,
  };
}

function forwardLines(
  child: { stdout: Readable | null; stderr: Readable | null },
  onLine: (stream: "stdout" | "stderr", line: string) => void,
): void {
  for (const stream of ["stdout", "stderr"] as const) {
    let pending = "";
    child[stream]?.on("data", (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(stream, line);
    });
    child[stream]?.on("end", () => {
      if (pending !== "") onLine(stream, pending);
      pending = "";
    });
  }
}

/** Without process groups: SIGTERM to the child, SIGKILL if it lingers. */
async function killChild(
  child: { kill(signal: NodeJS.Signals): boolean } & PromiseLike<unknown>,
): Promise<undefined> {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await Promise.resolve(child).catch(() => undefined);
  clearTimeout(timer);
  return undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function startFailure(argv: readonly string[], code: string | undefined, cause?: unknown): StepFailure {
  const file = argv[0]!;
  return new StepFailure(startFailureMessage(file, code), {
    command: [...argv],
    hint:
      code === "ENOENT"
        ? `install ${file} or put it on PATH (relctl doctor lists the tools a playbook needs)`
        : undefined,
    cause,
  });
}

function startFailureMessage(file: string, code: string | undefined): string {
  if (code === "ENOENT") return `${file}: command not found`;
  if (code === "EACCES") return `${file}: permission denied (is it executable?)`;
  return `${file}: could not start${code ? ` (${code})` : ""}`;
}

function abortedFailure(argv: readonly string[], signal: AbortSignal): StepFailure {
  const reason = signal.reason instanceof Error ? signal.reason.message : "aborted";
  const kind = signal.reason instanceof StepFailure ? signal.reason.kind : "cancelled";
  return new StepFailure(reason, { kind, command: [...argv] });
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function signalNumber(signal: string | undefined): number {
  return (signal && SIGNAL_NUMBERS[signal]) || 0;
}
