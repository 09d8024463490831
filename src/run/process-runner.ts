// The real process runner, on execa. argv arrays only: no shell unless argv itself starts one.
// Abort stops the child with SIGTERM and, if it lingers, SIGKILL, so Ctrl-C never leaves a
// deploy running behind relctl's back.
import { execa } from "execa";
import { StepFailure } from "../executors/contract.js";
import type { ProcessOptions, ProcessResult, ProcessRunner } from "./process.js";

/** How long a child gets to exit after SIGTERM before it is killed. */
const KILL_GRACE_MS = 3_000;

export function createProcessRunner(): ProcessRunner {
  return { run: runProcess };
}

async function runProcess(argv: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const [file, ...args] = argv;
  if (file === undefined || file === "") throw new StepFailure("empty command: argv needs a program");
  if (options.signal?.aborted) throw abortedFailure(argv, options.signal);
  const started = performance.now();
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input ?? "",
    reject: false,
    stripFinalNewline: false,
    encoding: "utf8",
    cancelSignal: options.signal,
    forceKillAfterDelay: KILL_GRACE_MS,
    killSignal: "SIGTERM",
    // A program started from a long-lived CLI must not keep the terminal's process group.
    windowsHide: true,
  });
  if (options.onLine) forwardLines(child, options.onLine);
  const result = await child;
  const durationMs = performance.now() - started;
  if (result.isCanceled || (options.signal?.aborted ?? false)) {
    throw abortedFailure(argv, options.signal!);
  }
  const failedToStart = result.exitCode === undefined && result.signal === undefined;
  if (failedToStart) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    throw new StepFailure(startFailureMessage(file, code), {
      command: [...argv],
      hint:
        code === "ENOENT"
          ? `install ${file} or put it on PATH (relctl doctor lists the tools a playbook needs)`
          : undefined,
      cause: result.cause,
    });
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
  child: ReturnType<typeof execa>,
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
