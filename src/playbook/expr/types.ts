// The values and errors of relctl's expression language, shared by parser and evaluator.

export type RootName = "vars" | "steps" | "env" | "release" | "secrets" | "run";

/** A reference the expression reads, e.g. steps.build.outputs.digest. */
export interface Reference {
  root: RootName;
  /** Property names after the root: ["build", "outputs", "digest"]. */
  path: string[];
  /** The reference as written, e.g. "steps.build.outputs.digest". */
  text: string;
  /** Offset of the reference in the template source string (for columns in errors). */
  offset: number;
  /** The namespace itself, read whole (`${{ vars }}`), not a value in it. */
  whole?: true;
}

/** A syntax or evaluation problem, with the offset in the source string where it is. */
export class ExpressionError extends Error {
  readonly offset: number;
  /** What to write instead, when the problem has a better hint than the language's syntax. */
  readonly hint: string | undefined;
  constructor(message: string, offset: number, hint?: string) {
    super(message);
    this.name = "ExpressionError";
    this.offset = offset;
    this.hint = hint;
  }
}

/** A value only known at run time (a later step's output during a dry-run). */
export class Unresolved {
  /** References it waits for. */
  readonly refs: string[];
  /** How to show it in a plan: "registry/app@⟨steps.image.outputs.digest⟩". */
  readonly display: string;
  constructor(refs: string[], display: string) {
    this.refs = refs;
    this.display = display;
  }
  toString(): string {
    return this.display;
  }
}

export interface StepState {
  status: "succeeded" | "failed" | "skipped" | "timed_out" | "cancelled" | "planned" | "pending";
  outputs: Record<string, unknown>;
}

/** What expressions can read. `pending`/`planned` steps yield Unresolved values. */
export interface Scope {
  vars: Record<string, unknown>;
  steps: Record<string, StepState>;
  env: Record<string, string | undefined>;
  /** release.<key>; a function is called lazily on first use (release.version may read steps). */
  release: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The run itself: id, and once a stage failed, what failed (for on_failure stages). */
  run: Record<string, unknown>;
  /** Clock for date(). */
  now: () => Date;
}
