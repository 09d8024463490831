// The process runner seam: how every executor starts a program. Commands are argv arrays;
// a shell is used only when a step asks for it explicitly.

export interface ProcessOptions {
  cwd?: string;
  /** Added to (not replacing) the inherited environment. */
  env?: Record<string, string>;
  /** Text written to the child's stdin. */
  input?: string;
  /** Abort stops the child's whole process group: SIGTERM first, SIGKILL if it lingers. */
  signal?: AbortSignal;
  /** Called with each complete line of output as it arrives. */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  /** Called once the program has started, before it has done anything relctl waits for. */
  onSpawn?: (started: SpawnedProcess) => void;
}

/** A started program, as the journal and the lock record it to find an orphan later. */
export interface SpawnedProcess {
  pid: number;
  /** The program runs in a process group of its own: this is its id (the same as pid). */
  pgid: number;
  /** Tells this process apart from a later one with the same pid (see process-identity.ts). */
  startTime?: string;
  hostname: string;
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
