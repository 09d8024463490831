// What the cosign actions share: where the key comes from (a file, env://, a KMS URI, or a
// playbook secret handed to cosign through the child's environment), the key password
// (COSIGN_PASSWORD, from a secret, never in argv), and reading cosign's errors.
import { existsSync } from "node:fs";
import { z } from "zod";
import type { ProcessResult } from "../../run/process.js";
import { StepFailure, type ActionContext } from "../contract.js";
import { commandFailure, requireSecret, runPath } from "../shared/command.js";
import { keyedRecord, keyMatching, optionValue, secretName } from "../shared/fields.js";

const KMS_SCHEMES = ["awskms", "gcpkms", "azurekms", "hashivault", "k8s"] as const;
const KEY_SCHEMES = new Set<string>([...KMS_SCHEMES, "env", "file"]);

/** The variable a key taken from a playbook secret travels in to cosign (as env://…). */
export const KEY_ENV = "RELCTL_COSIGN_KEY";

export const keyRefField = (what: string) =>
  optionValue(what)
    .refine((value) => {
      const scheme = /^([a-z0-9]+):\/\//.exec(value)?.[1];
      return scheme === undefined || KEY_SCHEMES.has(scheme);
    }, `${what} is a file path, env://VAR, or a KMS URI (awskms://, gcpkms://, azurekms://, hashivault://, k8s://)`)
    .refine((value) => !/^env:\/\/$/.test(value) && !/^file:\/\/$/.test(value), `${what} names nothing`);

export const signingKeyFields = {
  key: keyRefField("key")
    .optional()
    .describe("the private key: a file, env://VAR, or awskms:// gcpkms:// azurekms:// hashivault:// k8s://"),
  key_secret: secretName(
    "the private key's PEM text (passed to cosign as env://, never written to disk)",
  ).optional(),
  password_secret: secretName("the key's password (COSIGN_PASSWORD)").optional(),
  tlog_upload: z
    .boolean()
    .default(true)
    .describe("record the signature in the Rekor transparency log (false for private setups)"),
};

export const verifyingKeyFields = {
  key: keyRefField("key").optional().describe("the public key: a file, env://VAR, or a KMS URI"),
  key_secret: secretName("the public key's PEM text").optional(),
  certificate_identity: optionValue("certificate_identity")
    .optional()
    .describe("keyless: the identity the signing certificate must carry"),
  certificate_oidc_issuer: optionValue("certificate_oidc_issuer")
    .optional()
    .describe("keyless: the OIDC issuer of the signing certificate"),
  insecure_ignore_tlog: z
    .boolean()
    .default(false)
    .describe("skip the transparency-log check (for signatures made with tlog_upload: false)"),
};

export interface SigningKey {
  key?: string | undefined;
  key_secret?: string | undefined;
  password_secret?: string | undefined;
}

export interface VerifyingKey {
  key?: string | undefined;
  key_secret?: string | undefined;
  certificate_identity?: string | undefined;
  certificate_oidc_issuer?: string | undefined;
}

export const oneKey = (input: { key?: string | undefined; key_secret?: string | undefined }): boolean =>
  (input.key === undefined) !== (input.key_secret === undefined);

/** The message for a signing input that fails oneKey (zod refine options). */
export const keyRequired = { message: "give exactly one of key and key_secret" };

/** Whether a verifying input names a key (otherwise it verifies keyless, by identity). */
const hasKey = (input: VerifyingKey): boolean => input.key !== undefined || input.key_secret !== undefined;

export const verifierGiven = (input: VerifyingKey): boolean =>
  hasKey(input)
    ? oneKey(input) && input.certificate_identity === undefined
    : input.certificate_identity !== undefined && input.certificate_oidc_issuer !== undefined;

/** The message for a verifying input that fails verifierGiven (zod refine options). */
export const verifierRequired = {
  message: "give one of key, key_secret, or certificate_identity with certificate_oidc_issuer",
};

/** How the key reads in a plan: the reference as written, or env:// for a secret. */
export function keyArgument(input: { key?: string | undefined; key_secret?: string | undefined }): string {
  if (input.key_secret !== undefined) return `env://${KEY_ENV}`;
  const key = input.key ?? "";
  return key.startsWith("file://") ? key.slice("file://".length) : key;
}

export interface KeyMaterial {
  /** --key's value. */
  argument: string;
  /** Added to cosign's environment. */
  env: Record<string, string>;
}

/**
 * Resolves a key reference for a run: a secret travels in RELCTL_COSIGN_KEY, `file://` is
 * dropped (cosign reads plain paths), `~/` is the user's home, and a file or env:// variable
 * that does not exist fails here with a clear message instead of deep inside cosign.
 */
export function keyMaterial(ctx: ActionContext, input: SigningKey, role: "private" | "public"): KeyMaterial {
  const env: Record<string, string> = {};
  if (input.password_secret) env.COSIGN_PASSWORD = requireSecret(ctx, input.password_secret, "key password");
  if (input.key_secret !== undefined) {
    env[KEY_ENV] = requireSecret(ctx, input.key_secret, `${role} key`);
    return { argument: `env://${KEY_ENV}`, env };
  }
  let argument = keyArgument(input);
  if (argument.startsWith("env://")) {
    const name = argument.slice("env://".length);
    if (!ctx.env[name]) {
      throw new StepFailure(`the ${role} key env://${name} is empty: ${name} is not set`, {
        hint: `set ${name} to the key's PEM text, or use key_secret:`,
      });
    }
    return { argument, env };
  }
  if (/^[a-z0-9]+:\/\//.test(argument)) return { argument, env };
  if (argument.startsWith("~/") && ctx.env.HOME) argument = `${ctx.env.HOME}/${argument.slice(2)}`;
  const path = runPath(ctx, argument);
  if (!existsSync(path)) {
    throw new StepFailure(`the ${role} key ${argument} does not exist (looked at ${path})`, {
      hint:
        role === "private"
          ? "give the path of the cosign private key (cosign generate-key-pair), env://VAR, a KMS URI, or key_secret:"
          : "give the path of the public key (cosign.pub), env://VAR or a KMS URI",
    });
  }
  return { argument, env };
}

/** --key's value in a verify plan; undefined when verifying keyless. */
export const verifyingKeyArgument = (input: VerifyingKey): string | undefined =>
  hasKey(input) ? keyArgument(input) : undefined;

/** The public key's material for a verify run; undefined when verifying keyless. */
export const verifyingKeyMaterial = (ctx: ActionContext, input: VerifyingKey): KeyMaterial | undefined =>
  hasKey(input) ? keyMaterial(ctx, input, "public") : undefined;

/** cosign's options that say what to verify against: `key` is --key's value, when a key is given. */
export function verifierArgs(
  key: string | undefined,
  input: VerifyingKey & { insecure_ignore_tlog: boolean },
): string[] {
  return [
    ...(key === undefined ? [] : ["--key", key]),
    ...(input.certificate_identity ? ["--certificate-identity", input.certificate_identity] : []),
    ...(input.certificate_oidc_issuer ? ["--certificate-oidc-issuer", input.certificate_oidc_issuer] : []),
    ...(input.insecure_ignore_tlog ? ["--insecure-ignore-tlog=true"] : []),
  ];
}

/** cosign's "Error: …" line (or "error during command execution: …"), without the prefix. */
export function cosignError(result: Pick<ProcessResult, "stderr" | "stdout">): string {
  const lines = result.stderr.split("\n");
  const error = lines.find((line) => line.startsWith("Error: "));
  if (error) return error.slice("Error: ".length).trim();
  const execution = lines.find((line) => line.includes("error during command execution: "));
  if (execution) return execution.slice(execution.indexOf("error during command execution: ") + 32).trim();
  return (result.stderr.trim() || result.stdout.trim()).split("\n").pop() ?? "";
}

// cosign v2 fetches the Sigstore trust root from its TUF mirror (tuf-repo-cdn.sigstore.dev)
// before it looks at a signature: Rekor's public keys unless the log check is skipped, and the
// Fulcio roots for a keyless verify. A runner without internet fails there, whatever the image.
const TRUST_ROOT_HINTS: [RegExp, string][] = [
  [
    /getting Fulcio roots|Fulcio intermediates/,
    "cosign could not fetch the Fulcio roots for a keyless verify from the Sigstore TUF mirror (is the runner offline?): put the root certificates in a file and set SIGSTORE_ROOT_FILE to it in the runner's environment (and SIGSTORE_REKOR_PUBLIC_KEY for the log), or verify with key:",
  ],
  [
    /getting Rekor public keys|getting ctlog public keys|TUF remote mirror|initializing tuf/,
    "cosign could not fetch Rekor's public keys from the Sigstore TUF mirror (is the runner offline?): set SIGSTORE_REKOR_PUBLIC_KEY to a file with the log's public key in the runner's environment, or, for an image signed with tlog_upload: false, set insecure_ignore_tlog: true",
  ],
];

const HINTS: [RegExp, string][] = [
  ...TRUST_ROOT_HINTS,
  [
    /decrypt|decryption failed|incorrect passphrase|password/i,
    "the key password is wrong or missing: set password_secret to the secret that holds it",
  ],
  [/no such file or directory/, "a file cosign needs is missing: check key, predicate and file paths"],
  [
    /MANIFEST_UNKNOWN|manifest unknown|NAME_UNKNOWN/,
    "the image is not in the registry: check the reference; was it pushed?",
  ],
  [
    /UNAUTHORIZED|DENIED|authentication required|401|403/,
    "cosign needs registry credentials: docker login / cosign login to the registry first",
  ],
  [
    /unknown (shorthand )?flag/,
    "this cosign does not know a flag relctl passed: check its version with relctl doctor (v2 is supported)",
  ],
];

/** "message: cosign's error" with a hint from cosign's error, or fallbackHint when none fits. */
export function cosignFailure(message: string, result: ProcessResult, fallbackHint?: string): StepFailure {
  const error = cosignError(result);
  const hint = HINTS.find(([pattern]) => pattern.test(error))?.[1] ?? fallbackHint;
  return commandFailure(`${message}: ${error}`, result, { hint });
}

/** cosign reads -a as a comma-separated list, so a comma would split an annotation in two. */
export const annotationsField = keyedRecord(
  z.string().regex(/^[^,]*$/, "an annotation value has no commas (cosign would split it)"),
  keyMatching(/^[^=,\s]+$/, "an annotation key has no spaces, = or ,"),
).default({});

export const annotationArgs = (annotations: Record<string, string>): string[] =>
  Object.entries(annotations).flatMap(([key, value]) => ["--annotations", `${key}=${value}`]);
