// Reading the secrets a run uses, from env:// and file:// references. Only secrets the run's
// stages read are required, so `relctl build` does not need promote's GitHub token. Every value
// is registered with the redactor before any event can carry it.
import { resolve } from "node:path";
import { RelctlError, ExitCode } from "../errors.js";
import type { Playbook, SecretDef } from "../playbook/model.js";
import { readInputBytes, type InputFileKind } from "../util/input-file.js";
import { MIN_SECRET_LENGTH, type Redactor } from "./redact.js";

/** A file:// secret: a token, a key, a certificate chain; never endless (/dev/zero), never a FIFO. */
const SECRET_FILE: InputFileKind = {
  what: "secret file",
  format: "text",
  maxBytes: 1024 * 1024,
  check: "check the file:// path of the secret",
};

export interface LoadedSecrets {
  values: Record<string, string>;
  /** Required secrets the run reads that are missing (a dry-run reports them as warnings). */
  missing: string[];
}

export async function loadSecrets(
  playbook: Playbook,
  used: ReadonlySet<string>,
  options: { env: Record<string, string | undefined>; cwd: string; redactor: Redactor },
): Promise<LoadedSecrets> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const secret of playbook.secrets.values()) {
    const { value, why } = await readReference(secret.from, options);
    if (value === undefined || value === "") {
      values[secret.name] = "";
      if (secret.required && used.has(secret.name))
        missing.push(`${secret.name} (${why ?? describe(secret.from)})`);
      continue;
    }
    if (value.length < MIN_SECRET_LENGTH) throw shortSecretError(secret);
    options.redactor.add(value);
    values[secret.name] = value;
  }
  return { values, missing };
}

/**
 * Registers every secret of the playbook that has a value with the redactor, before anything
 * records the command line, a var or a message: a secret passed again as `--var v=…` must never
 * reach a lock, an audit line or an error. (The engine reads them again for the run's scope.)
 */
export async function registerSecrets(
  playbook: Playbook,
  options: { env: Record<string, string | undefined>; cwd: string; redactor: Redactor },
): Promise<void> {
  await loadSecrets(playbook, new Set(), options);
}

/**
 * A secret of one or two characters cannot be hidden (every "1" or "a" in every message would
 * go), so it is refused rather than left visible.
 */
function shortSecretError(secret: SecretDef): RelctlError {
  return new RelctlError(
    "E_SECRET_TOO_SHORT",
    ExitCode.invalid,
    `secret ${secret.name} (${secret.from}) is shorter than ${MIN_SECRET_LENGTH} characters, so it could not be redacted; nothing was run`,
    { hint: `give ${secret.name} a real value of at least ${MIN_SECRET_LENGTH} characters, or unset it` },
  );
}

export function missingSecretsError(missing: string[]): RelctlError {
  return new RelctlError(
    "E_SECRET_MISSING",
    ExitCode.invalid,
    `missing required secret${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}; nothing was run`,
    { hint: "set them, or mark a secret `required: false` when the run can do without it" },
  );
}

async function readReference(
  reference: string,
  options: { env: Record<string, string | undefined>; cwd: string },
): Promise<{ value?: string; why?: string }> {
  if (reference.startsWith("env://")) return { value: options.env[reference.slice("env://".length)] };
  if (reference.startsWith("file://")) {
    const path = reference.slice("file://".length);
    // Only the problem is ever shown (its message names the path), never any of the file's bytes.
    const read = await readInputBytes(resolve(options.cwd, path), path, SECRET_FILE);
    if ("problem" in read) return { why: read.problem.message };
    return { value: read.bytes.toString("utf8").replace(/\r?\n$/, "") };
  }
  return {};
}

function describe(reference: string): string {
  if (reference.startsWith("env://")) return `environment variable ${reference.slice(6)} is not set`;
  return `file ${reference.slice(7)} cannot be read`;
}
