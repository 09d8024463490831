// The process runner seam: how every executor starts a program. Commands are argv arrays;
// a shell is used only when a step asks for it explicitly.

export interface ProcessOptions {
  cwd?: string;
  /** Added to (not replacing) the inherited environment. */
  env?: Record<string, string>;
  /** Text written to the child's stdin. */
  input?: string;
  /** Abort kills the child: SIGTERM first, SIGKILL if it lingers. */
  signal?: AbortSignal;
  /** Called with each complete line of output as it arrives. */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
}

export interface ProcessResult {
  command: string[];
  exitCode: number;
  /** Set when the child was ended by a signal. */
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ProcessRunner {
  /**
   * Runs argv[0] with argv[1..] and resolves with its result whatever the exit code.
   * Rejects with a StepFailure only when the program cannot start (not found, not executable)
   * or when the signal aborted it.
   */
  run(argv: readonly string[], options?: ProcessOptions): Promise<ProcessResult>;
}
