// A diagnostic is one problem found in a playbook. Validation collects every one of them
// before reporting, so a user fixes a playbook in one pass instead of one error at a time.
import type { SourceLocation } from "../errors.js";

export interface Diagnostic {
  /** Stable machine-readable class, e.g. "unknown-key", "duplicate-step-id". */
  code: string;
  message: string;
  location: SourceLocation;
  hint?: string;
  stepId?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.location.file}:${d.location.line}:${d.location.column}`;
  const path = d.location.path ? ` (${d.location.path})` : "";
  const step = d.stepId ? ` [step ${d.stepId}]` : "";
  const hint = d.hint ? `\n    hint: ${d.hint}` : "";
  return `${where}${path}${step}: ${d.message}${hint}`;
}

/** Sorts by file, then position, so output reads top to bottom. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column,
  );
}
