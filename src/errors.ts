// The catalogue of coded errors. Orchestration code throws these; only bin/ maps them
// to an exit code and exits, so cleanup and rollback hooks always get their turn.

export const ExitCode = {
  ok: 0,
  stepFailed: 1,
  invalid: 2,
  gateFailed: 3,
  blocked: 4,
  rollbackFailed: 5,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in a playbook something is; `path` is the YAML path ("stages.build.steps[0].with"). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  path?: string;
}

export interface RelctlErrorOptions {
  hint?: string;
  location?: SourceLocation;
  stepId?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class RelctlError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly stepId: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: string, exitCode: ExitCode, message: string, options: RelctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RelctlError";
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.location = options.location;
    this.stepId = options.stepId;
    this.details = options.details ?? {};
  }
}

/** Formats a location the way editors and CI annotations understand: file:line:column. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

export const usageError = (message: string, hint?: string): RelctlError =>
  new RelctlError("E_USAGE", ExitCode.invalid, message, { hint });

export const playbookNotFound = (tried: string[]): RelctlError =>
  new RelctlError("E_PLAYBOOK_NOT_FOUND", ExitCode.invalid, `no playbook found (tried ${tried.join(", ")})`, {
    hint: "pass -p/--playbook FILE, or create relctl.yaml (see playbooks/release-train.yaml)",
  });

export const playbookInvalid = (count: number, file: string): RelctlError =>
  new RelctlError(
    "E_PLAYBOOK_INVALID",
    ExitCode.invalid,
    `${file} has ${count} problem${count === 1 ? "" : "s"}; nothing was run`,
    { hint: "each problem is listed above with its file:line:column; fix them and run again" },
  );

export const interrupted = (signal: string): RelctlError =>
  new RelctlError("E_INTERRUPTED", ExitCode.interrupted, `interrupted by ${signal}`, {
    hint: "the run stopped between or inside steps; re-run the stage when ready",
  });

export function isRelctlError(value: unknown): value is RelctlError {
  return value instanceof RelctlError;
}
