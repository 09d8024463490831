// Turns any error that reaches the top into a message a person can act on and an exit code.
// A stack trace only with -v: users need the what and the how-to-fix, not our internals.
import { ExitCode, formatLocation, isRelctlError, type RelctlError } from "../errors.js";
import {
  annotationFile,
  isGitHubActions,
  workflowCommand,
  type AnnotationProperties,
} from "../report/github-actions/commands.js";
import type { Io } from "./io.js";

/** `cwd` is the directory an error's file paths are relative to (the run's directory). */
export function reportFatal(error: unknown, io: Io, verbose: boolean, cwd = process.cwd()): number {
  const { color } = io;
  if (isRelctlError(error)) {
    // An invalid playbook was annotated problem by problem already.
    if (isGitHubActions(io.env) && error.code !== "E_PLAYBOOK_INVALID") annotate(error, io, cwd);
    const where = error.location ? `${formatLocation(error.location)}: ` : "";
    const step = error.stepId ? ` [step ${error.stepId}]` : "";
    io.err(`${color.red("error")}${step}: ${where}${error.message}\n`);
    if (error.hint) io.err(`  ${color.dim("hint:")} ${error.hint}\n`);
    if (verbose && error.stack) io.err(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`${color.red("internal error")}: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  else io.err(`  ${color.dim("hint:")} run again with -v for details, and report it if it persists\n`);
  return ExitCode.stepFailed;
}

/**
 * Under GitHub Actions a run refused before it started (an invalid playbook, a lock, a freeze
 * window, missing approvals) is an annotation too, not only a line in the log.
 */
function annotate(error: RelctlError, io: Io, cwd: string): void {
  const { location } = error;
  const properties: AnnotationProperties = { title: `relctl: ${error.code}` };
  if (location) {
    properties.file = annotationFile(location.file, cwd, io.env);
    properties.line = location.line;
    properties.col = location.column;
  }
  (io.workflow ?? io.err)(
    workflowCommand("error", properties, error.hint ? `${error.message} (${error.hint})` : error.message),
  );
}
