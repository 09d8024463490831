// Before a run changes anything: can relctl write its state? A run whose steps succeed and whose
// journal, lock or train record then cannot be written has changed the world without a record,
// so the folders it will write are checked first and a problem refuses the run (exit 2).
//
// Only what exists is checked; a folder that does not exist yet is created under its parent, so
// the parent (in the end the state directory, or its nearest existing ancestor) must be writable.
import { accessSync, constants, statSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import { ExitCode, RelctlError } from "../errors.js";
import { fsProblem } from "./fs-errors.js";

/** What every run writes, relative to the state directory. */
export const RUN_STATE_PARTS = ["runs", "locks", "locks/audit.jsonl", "trains", "releases", "audit"] as const;

/**
 * Throws a coded error naming the first path a run could not write: the state directory itself,
 * then each of `parts` (relative to it) that exists. Names ending in `.json`/`.jsonl` are files.
 */
export function assertStateWritable(stateDir: string, parts: readonly string[] = RUN_STATE_PARTS): void {
  checkDirectory(stateDir, stateDir, true);
  for (const part of parts) {
    const path = join(stateDir, part);
    if (/\.jsonl?$/.test(part)) checkFile(path, stateDir);
    else checkDirectory(path, stateDir, false);
  }
}

function checkDirectory(path: string, stateDir: string, createAncestors: boolean): void {
  const stat = statOf(path, stateDir);
  if (stat === undefined) {
    // Created when first needed: the nearest existing ancestor must take it.
    if (createAncestors && dirname(path) !== path) checkDirectory(dirname(path), stateDir, true);
    return;
  }
  if (!stat.isDirectory()) throw unwritable(path, stateDir, "it is a file, not a directory");
  access(path, stateDir, constants.W_OK | constants.X_OK);
}

function checkFile(path: string, stateDir: string): void {
  const stat = statOf(path, stateDir);
  if (stat === undefined) return;
  if (stat.isDirectory()) throw unwritable(path, stateDir, "it is a directory, not a file");
  access(path, stateDir, constants.W_OK);
}

function statOf(path: string, stateDir: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw unwritable(path, stateDir, fsProblem(error));
  }
}

function access(path: string, stateDir: string, mode: number): void {
  try {
    accessSync(path, mode);
  } catch (error) {
    throw unwritable(path, stateDir, fsProblem(error));
  }
}

function unwritable(path: string, stateDir: string, problem: string): RelctlError {
  return new RelctlError(
    "E_STATE_UNWRITABLE",
    ExitCode.invalid,
    `cannot write run state to ${path}: ${problem}; nothing was run`,
    {
      hint: `relctl records every run under ${stateDir} (journal, locks, stage records): make it writable for this user, or pass --state-dir DIR`,
      details: { path, stateDir },
    },
  );
}
