// Reading the secrets a run uses, from env:// and file:// references. Only secrets the run's
// stages read are required, so `relctl build` does not need promote's GitHub token. Every value
// is registered with the redactor before any event can carry it.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { RelctlError, ExitCode } from "../errors.js";
import type { Playbook } from "../playbook/model.js";
import type { Redactor } from "./redact.js";

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
    const value = await readReference(secret.from, options);
    if (value === undefined || value === "") {
      values[secret.name] = "";
      if (secret.required && used.has(secret.name)) missing.push(`${secret.name} (${describe(secret.from)})`);
      continue;
    }
    options.redactor.add(value);
    values[secret.name] = value;
  }
  return { values, missing };
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
): Promise<string | undefined> {
  if (reference.startsWith("env://")) return options.env[reference.slice("env://".length)];
  if (reference.startsWith("file://")) {
    try {
      const text = await readFile(resolve(options.cwd, reference.slice("file://".length)), "utf8");
      return text.replace(/\r?\n$/, "");
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function describe(reference: string): string {
  if (reference.startsWith("env://")) return `environment variable ${reference.slice(6)} is not set`;
  return `file ${reference.slice(7)} cannot be read`;
}
