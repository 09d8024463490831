// Where relctl keeps run state. Everything lives under one state directory (default `.relctl/`
// in the directory relctl runs in, git-ignored), so a CI job can cache or upload it as one folder:
//
//   <stateDir>/runs/<runId>/journal.jsonl      the run's events, one per line
//   <stateDir>/runs/<runId>/evidence/          the default evidence bundle folder
//   <stateDir>/locks/<target>.lock             one per playbook + environment
//   <stateDir>/locks/audit.jsonl               lock acquire/release/takeover/force-unlock
//   <stateDir>/approvals/<subject>/*.json      one file per approval (subject: run id or plan digest)
//   <stateDir>/releases/<environment>.jsonl    last-known-good history
//   <stateDir>/audit/break-glass.jsonl         every freeze override
import { isAbsolute, join, resolve } from "node:path";
import { RelctlError, ExitCode } from "../errors.js";
import { sha256Hex } from "../util/hash.js";

export const DEFAULT_STATE_DIR = ".relctl";

/** The state directory for a run started in `runDir`; an explicit `--state-dir` wins. */
export function resolveStateDir(runDir: string, override?: string): string {
  if (override === undefined || override === "") return resolve(runDir, DEFAULT_STATE_DIR);
  return isAbsolute(override) ? override : resolve(runDir, override);
}

// Run ids, environments and approval subjects come from the command line (`relctl approve
// <run>`); anything that could climb out of the state directory is refused, not cleaned up.
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/;

export function assertSafeSegment(kind: string, value: string): string {
  if (!SAFE_SEGMENT.test(value) || value.includes("..")) {
    throw new RelctlError("E_STATE_NAME", ExitCode.invalid, `invalid ${kind} "${value}"`, {
      hint: `a ${kind} is letters, digits and . _ : + - (at most 128 characters), not a path`,
    });
  }
  return value;
}

/** A file-name-safe key for a digest or any other free text (approval subjects, lock targets). */
export function fileKey(text: string, readable = ""): string {
  const hash = sha256Hex(text).slice(0, 16);
  const prefix = readable
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+/, "")
    .slice(0, 60);
  return prefix === "" ? hash : `${prefix}--${hash}`;
}

export function runsDir(stateDir: string): string {
  return join(stateDir, "runs");
}

export function runDir(stateDir: string, runId: string): string {
  return join(runsDir(stateDir), assertSafeSegment("run id", runId));
}

export function journalPath(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), "journal.jsonl");
}

export function defaultEvidenceDir(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), "evidence");
}

export function locksDir(stateDir: string): string {
  return join(stateDir, "locks");
}

export function lockAuditPath(stateDir: string): string {
  return join(locksDir(stateDir), "audit.jsonl");
}

export function approvalsDir(stateDir: string, subject: string): string {
  // A plan digest ("sha256:…") is a fine subject, and so is a run id. The colon becomes "_" in
  // the folder name because some file systems (Windows, SMB shares) refuse it.
  return join(stateDir, "approvals", assertSafeSegment("approval subject", subject).replace(/:/g, "_"));
}

export function releaseHistoryPath(stateDir: string, environment: string): string {
  return join(stateDir, "releases", `${assertSafeSegment("environment", environment)}.jsonl`);
}

export function breakGlassAuditPath(stateDir: string): string {
  return join(stateDir, "audit", "break-glass.jsonl");
}
