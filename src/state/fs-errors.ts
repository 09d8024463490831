// File-system failures in words. `EACCES: permission denied, mkdir '/x/.relctl/locks'` is a
// Node internals string; a person needs "permission denied: /x/.relctl/locks" and what to do.
import { ExitCode, RelctlError } from "../errors.js";
import { FS_ERROR_WORDS } from "../util/fs-error-words.js";

/** The errno code of a file-system error, if it is one. */
function fsErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && code in FS_ERROR_WORDS ? code : undefined;
}

/** Failures that come from the path a person gave (not a full disk): usage errors, exit 2. */
const PATH_PROBLEMS = new Set([
  "EACCES",
  "EPERM",
  "EROFS",
  "ENOTDIR",
  "EISDIR",
  "ENOENT",
  "ELOOP",
  "ENAMETOOLONG",
]);

export function isPathProblem(error: unknown): boolean {
  return PATH_PROBLEMS.has(fsErrorCode(error) ?? "");
}

/** "permission denied" for EACCES; the error's own message for anything else. */
export function fsProblem(error: unknown): string {
  const code = fsErrorCode(error);
  if (code) return FS_ERROR_WORDS[code]!;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A coded error for a state file or folder relctl could not read or write (exit 2: nothing ran
 * because of it). Errors that are not file-system errors are returned unchanged.
 */
export function stateFileError(
  error: unknown,
  path: string,
  doing: string,
  hint = "check the state directory's permissions, or pass --state-dir DIR",
): unknown {
  if (error instanceof RelctlError || fsErrorCode(error) === undefined) return error;
  return new RelctlError("E_STATE_IO", ExitCode.invalid, `cannot ${doing} ${path}: ${fsProblem(error)}`, {
    hint,
    cause: error,
  });
}
