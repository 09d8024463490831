// What a run that changes things needs in order to finish what it starts, checked before its
// first step: a state directory it can write (journal, locks, stage records), and with
// --sign-evidence, cosign on PATH and a key it can read. Each problem refuses the run with exit 2
// and says what to do; nothing has run yet, so nothing is left half done.
import { accessSync, constants, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { usageError } from "../errors.js";
import { findOnPath } from "../release/doctor.js";
import { releaseIdentity } from "../run/release-identity.js";
import { fsProblem } from "../state/fs-errors.js";
import { trainPath } from "../state/train.js";
import { assertStateWritable, RUN_STATE_PARTS } from "../state/writable.js";
import type { GlobalOptions } from "./global-options.js";
import type { Prepared } from "./prepare.js";
import type { RunCommandOptions } from "./run-options.js";
import { stateDirOf } from "./state-context.js";

/**
 * Checks a run before it starts (not a dry-run: that writes no state). Returns the options the
 * run goes on with: a relative signing key resolved against the run's directory (-C).
 */
export function checkRunPreconditions<T extends GlobalOptions & RunCommandOptions>(
  prepared: Prepared,
  options: T,
  env: Readonly<Record<string, string | undefined>>,
  resumeRunId?: string,
): T {
  if (options.dryRun) return options;
  const stateDir = stateDirOf(options);
  const version = releaseIdentity(prepared.playbook, prepared.vars, { ...env }).version;
  const train = dirname(trainPath(stateDir, { playbook: prepared.playbook.name, version }));
  assertStateWritable(stateDir, [
    ...RUN_STATE_PARTS,
    relative(stateDir, train),
    ...(resumeRunId ? [`runs/${resumeRunId}`, `runs/${resumeRunId}/journal.jsonl`] : []),
  ]);
  if (options.signEvidence === undefined) return options;
  return { ...options, signEvidence: checkSigningKey(options.signEvidence, prepared.cwd, env) };
}

/** Key references cosign resolves itself: KMS and Vault URIs, PKCS#11 tokens. */
const KEY_URI = /^(?:[a-z][a-z0-9+.-]*:\/\/|pkcs11:)/i;

/** The key cosign sign-blob gets; refuses one that cannot work, and a missing cosign. */
function checkSigningKey(
  key: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const keyHint =
    "pass the private key `cosign generate-key-pair` wrote (cosign.key), env://VAR, or a KMS URI; or run without --sign-evidence";
  if (key.trim() === "") throw usageError("--sign-evidence needs a key, not an empty value", keyHint);
  if (findOnPath("cosign", env) === undefined) {
    throw usageError(
      "--sign-evidence signs with cosign, which is not on PATH; nothing was run",
      "install cosign (https://docs.sigstore.dev/cosign/system_config/installation/) or put it on PATH; `relctl doctor` checks it",
    );
  }
  if (key.startsWith("env://")) {
    const name = key.slice("env://".length);
    if (name === "" || (env[name] ?? "") === "") {
      throw usageError(
        `--sign-evidence ${key}: ${name || "the variable"} is not set; nothing was run`,
        keyHint,
      );
    }
    return key;
  }
  if (KEY_URI.test(key)) return key;
  const path = resolve(cwd, key);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
    if (!isDirectory) accessSync(path, constants.R_OK);
  } catch (error) {
    throw usageError(
      `cannot read the --sign-evidence key ${path}: ${fsProblem(error)}; nothing was run`,
      keyHint,
    );
  }
  if (isDirectory) {
    throw usageError(
      `the --sign-evidence key ${path} is a directory, not a key file; nothing was run`,
      keyHint,
    );
  }
  return path;
}
