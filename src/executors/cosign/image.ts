// cosign.sign, cosign.verify and cosign.attest: signatures and attestations on images, always
// by digest. A tag is resolved to its digest through the registry first (the oci executor's
// client), so cosign never signs whatever a tag happens to name by the time it looks.
import { z } from "zod";
import { digestReference } from "../../oci/reference.js";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import {
  digestField,
  imageField,
  imageManifestUrl,
  referenceOf,
  registryClient,
  registryFields,
  resolveImage,
  type ParsedImage,
  type RegistryAccess,
} from "../oci/common.js";
import { commandFailure, runTool } from "../shared/command.js";
import { certificateIdentity, requiredAnnotations } from "./verified-payload.js";
import { optionValue, secretName } from "../shared/fields.js";
import {
  annotationArgs,
  annotationsField,
  cosignError,
  cosignFailure,
  keyArgument,
  keyMaterial,
  keyRequired,
  oneKey,
  signingKeyFields,
  verifierArgs,
  verifierGiven,
  verifierRequired,
  verifyingKeyArgument,
  verifyingKeyFields,
  verifyingKeyMaterial,
  type SigningKey,
} from "./common.js";

const targetFields = {
  image: imageField.describe(
    "the image: registry/repository@sha256:… (a tag is resolved to its digest first)",
  ),
  resolve_tag: z
    .boolean()
    .default(true)
    .describe("resolve a tag to its digest through the registry; false refuses anything but a digest"),
  expected_digest: digestField.optional().describe("refuse unless the image is exactly this digest"),
  // Registry credentials (for resolving a tag) have names of their own: `password_secret` is the
  // signing key's password, which must never be sent to a registry.
  plain_http: registryFields.plain_http,
  registry_username: registryFields.username,
  registry_password_secret: secretName("the registry password or access token (to resolve a tag)").optional(),
  registry_token_secret: registryFields.token_secret,
  request_timeout: registryFields.request_timeout,
};

interface TargetInput {
  image: ParsedImage;
  resolve_tag: boolean;
  expected_digest?: string | undefined;
  plain_http: boolean;
  registry_username?: string | undefined;
  registry_password_secret?: string | undefined;
  registry_token_secret?: string | undefined;
  request_timeout: number;
}

function registryAccess(input: TargetInput): RegistryAccess {
  return {
    plain_http: input.plain_http,
    username: input.registry_username,
    password_secret: input.registry_password_secret,
    token_secret: input.registry_token_secret,
    request_timeout: input.request_timeout,
  };
}

/** registry/repository@digest for the plan: the digest when known, a placeholder otherwise. */
function plannedTarget(input: TargetInput): string {
  const { image } = input;
  return digestReference(image, image.digest ?? input.expected_digest ?? `<digest of ${image.text}>`);
}

function resolutionDetails(input: TargetInput): Record<string, unknown> {
  return input.image.digest
    ? {}
    : { resolves: `HEAD ${imageManifestUrl(input.image, referenceOf(input.image), registryAccess(input))}` };
}

/** The digest to sign: the one written, or the one the tag names now. */
async function signingTarget(
  ctx: ActionContext,
  input: TargetInput,
): Promise<{ reference: string; digest: string }> {
  const { image } = input;
  let digest = image.digest;
  if (!digest) {
    if (!image.tag) {
      throw new StepFailure(`${image.text} names neither a tag nor a digest; cosign signs digests only`, {
        hint: "give image@sha256:… (the build step's digest output)",
      });
    }
    if (!input.resolve_tag) {
      throw new StepFailure(`${image.text} is a tag, not a digest; refusing to sign a tag`, {
        hint: "give image@sha256:… (the build step's digest output), or set resolve_tag: true to sign the digest the tag names now",
      });
    }
    const client = registryClient(ctx, image.registry, registryAccess(input));
    digest = (await resolveImage(ctx, client, image, "registry_username and registry_password_secret"))
      .digest;
    ctx.log.info(`${image.text} is ${digest}`);
  }
  if (input.expected_digest && digest !== input.expected_digest) {
    throw new StepFailure(
      `${image.text} is ${digest}, not the expected ${input.expected_digest}; refusing to sign it`,
      {
        hint: "sign the digest that was built and validated",
      },
    );
  }
  return { reference: digestReference(image, digest), digest };
}

/** cosign sign or attest (argv for a key and a target) on the digest to sign; resolves that target. */
async function signTarget(
  ctx: ActionContext,
  input: TargetInput & SigningKey,
  argv: (key: string, target: string) => string[],
): Promise<{ reference: string; digest: string }> {
  const material = keyMaterial(ctx, input, "private");
  const target = await signingTarget(ctx, input);
  const command = argv(material.argument, target.reference);
  const result = await runTool(ctx, command, { env: material.env });
  if (result.exitCode !== 0) {
    throw cosignFailure(`${command.slice(0, 2).join(" ")} ${target.reference} failed`, result);
  }
  return target;
}

const signInput = z
  .object({
    ...targetFields,
    ...signingKeyFields,
    annotations: annotationsField.describe("extra key=value pairs signed with the image (-a)"),
    recursive: z.boolean().default(false).describe("also sign every image of a multi-platform index"),
  })
  .refine(oneKey, keyRequired);
type SignInput = z.output<typeof signInput>;

function signArgv(input: SignInput, key: string, target: string): string[] {
  return [
    "cosign",
    "sign",
    "--yes",
    "--key",
    key,
    ...(input.tlog_upload ? [] : ["--tlog-upload=false"]),
    ...annotationArgs(input.annotations),
    ...(input.recursive ? ["--recursive"] : []),
    ...(input.plain_http ? ["--allow-http-registry"] : []),
    target,
  ];
}

export const sign = defineAction({
  description: "Sign an image by digest with cosign (a tag is resolved to its digest first)",
  input: signInput,
  outputs: {
    image: "the signed image: registry/repository@sha256:…",
    digest: "the signed digest",
  },
  mutates: true,
  plan: (input) => ({
    summary: `sign ${input.image.text}${input.image.digest ? "" : " (by the digest its tag names)"}`,
    argv: signArgv(input, keyArgument(input), plannedTarget(input)),
    details: resolutionDetails(input),
  }),
  run: async (ctx, input) => {
    const target = await signTarget(ctx, input, (key, reference) => signArgv(input, key, reference));
    ctx.record("cosign.signature", {
      image: target.reference,
      digest: target.digest,
      key: keyArgument(input),
    });
    return { image: target.reference, digest: target.digest };
  },
});

const verifyInput = z
  .object({
    image: imageField.describe("the image to verify (by digest, or a tag cosign resolves)"),
    ...verifyingKeyFields,
    annotations: annotationsField.describe("annotations every signature must carry (-a)"),
    expected_digest: digestField
      .optional()
      .describe("fail unless the signatures are for exactly this digest"),
    fail_on_unverified: z
      .boolean()
      .default(true)
      .describe("fail the step when verification fails (false: report the verdict in outputs)"),
    plain_http: registryFields.plain_http,
  })
  .refine(verifierGiven, verifierRequired);
type VerifyInput = z.output<typeof verifyInput>;

function verifyArgv(input: VerifyInput, key: string | undefined): string[] {
  return [
    "cosign",
    "verify",
    ...verifierArgs(key, input),
    ...annotationArgs(input.annotations),
    ...(input.plain_http ? ["--allow-http-registry"] : []),
    input.image.text,
  ];
}

const signaturePayloads = z.array(
  z
    .object({
      critical: z
        .object({
          identity: z.object({ "docker-reference": z.string() }).loose(),
          image: z.object({ "docker-manifest-digest": z.string() }).loose(),
          type: z.string(),
        })
        .loose(),
      optional: z.record(z.string(), z.unknown()).nullish(),
    })
    .loose(),
);

/** cosign verify's exit codes for a verification that ran and said no. */
const VERDICTS: Record<number, { verdict: string; message: (image: string) => string; hint: string }> = {
  10: {
    verdict: "no_signature",
    message: (image) => `${image} has no signature`,
    hint: "sign it first (cosign.sign), and verify the same repository it was signed in",
  },
  11: {
    verdict: "tag_not_found",
    message: (image) => `${image}: no such tag in the registry`,
    hint: "check the tag; was the image pushed?",
  },
  12: {
    verdict: "no_matching_signature",
    message: (image) => `${image} is signed, but no signature matches the given key or identity`,
    hint: "check that the key is the public half of the signing key (or the certificate identity and issuer)",
  },
  13: {
    verdict: "no_certificate",
    message: (image) => `the signatures on ${image} carry no certificate to check the identity against`,
    hint: "it was signed with a key: verify with key: (the public key) instead of certificate_identity",
  },
};

/** Runs cosign verify; a "no" from cosign is a failure, or (preview, fail_on_unverified: false) a verdict. */
async function verifyImage(ctx: ActionContext, input: VerifyInput, preview: boolean) {
  const material = verifyingKeyMaterial(ctx, input);
  const result = await runTool(ctx, verifyArgv(input, material?.argument), { env: material?.env ?? {} });
  const unverified = (verdict: string, message: string, hint: string | undefined) => {
    const outputs = {
      verified: false,
      verdict,
      digest: "",
      image: "",
      signatures: 0,
      annotations: {},
      certificate_subject: "",
      certificate_issuer: "",
      reason: message,
    };
    if (!preview) ctx.record("cosign.verification", { image: input.image.text, verdict, reason: message });
    if (preview || !input.fail_on_unverified) {
      ctx.log.warn(message);
      return outputs;
    }
    throw commandFailure(message, result, { hint, outputs });
  };
  if (result.exitCode !== 0) {
    const known = VERDICTS[result.exitCode];
    if (known)
      return unverified(
        known.verdict,
        `${known.message(input.image.text)} (cosign exit ${result.exitCode}: ${cosignError(result)})`,
        known.hint,
      );
    const failure = cosignFailure(`cosign verify ${input.image.text} failed`, result);
    return unverified("error", failure.message, failure.hint);
  }
  let payloads: z.infer<typeof signaturePayloads>;
  try {
    payloads = signaturePayloads.parse(JSON.parse(result.stdout.trim()));
  } catch {
    return unverified(
      "error",
      `cosign verify ${input.image.text} succeeded but printed no signature JSON`,
      undefined,
    );
  }
  const digests = [...new Set(payloads.map((payload) => payload.critical.image["docker-manifest-digest"]))];
  const expected = input.expected_digest ?? input.image.digest;
  if (payloads.length === 0 || digests.length !== 1 || (expected !== undefined && digests[0] !== expected)) {
    return unverified(
      "digest_mismatch",
      `the signatures of ${input.image.text} are for ${digests.join(", ") || "nothing"}${expected ? `, not ${expected}` : ""}`,
      "verify the digest that was signed",
    );
  }
  const digest = digests[0]!;
  const image = digestReference(input.image, digest);
  const optional = payloads[0]?.optional;
  const certificate = certificateIdentity(optional, material === undefined);
  if (!preview)
    ctx.record("cosign.verification", {
      image,
      digest,
      verdict: "verified",
      signatures: payloads.length,
      ...(certificate.subject ? { certificate_subject: certificate.subject } : {}),
      ...(certificate.issuer ? { certificate_issuer: certificate.issuer } : {}),
    });
  return {
    verified: true,
    verdict: "verified",
    digest,
    image,
    signatures: payloads.length,
    annotations: requiredAnnotations(optional, input.annotations),
    certificate_subject: certificate.subject,
    certificate_issuer: certificate.issuer,
    reason: "",
  };
}

export const verify = defineAction({
  description:
    "Verify an image's cosign signatures with a public key (or keyless identity); exit codes 10–13 become verdicts",
  input: verifyInput,
  outputs: {
    verified: "true when at least one signature verified",
    verdict:
      "verified, no_signature, tag_not_found, no_matching_signature, no_certificate, digest_mismatch or error",
    digest: "the digest the signatures are for",
    image: "registry/repository@digest that was verified",
    signatures: "how many signatures verified",
    annotations: "the annotations the step required (annotations:), as signed",
    certificate_subject: "keyless: the signing certificate's identity (empty when verified with a key)",
    certificate_issuer: "keyless: the OIDC issuer of the signing certificate (empty with a key)",
    reason: "why verification failed (empty when verified)",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `verify the signatures of ${input.image.text}`,
    argv: verifyArgv(input, verifyingKeyArgument(input)),
  }),
  run: (ctx, input) => verifyImage(ctx, input, false),
  // A dry-run verifies too, but reports the verdict instead of failing: the image may only be
  // signed by an earlier step that the dry-run planned and did not run.
  preview: (ctx, input) => verifyImage(ctx, input, true),
});

const PREDICATE_TYPES = [
  "slsaprovenance",
  "slsaprovenance02",
  "slsaprovenance1",
  "link",
  "spdx",
  "spdxjson",
  "cyclonedx",
  "vuln",
  "openvex",
  "custom",
] as const;

const attestInput = z
  .object({
    ...targetFields,
    ...signingKeyFields,
    predicate: optionValue("predicate").describe(
      "the predicate file (provenance, SBOM, …), relative to the run's directory",
    ),
    type: z
      .union([z.enum(PREDICATE_TYPES), z.string().regex(/^https?:\/\/\S+$/, "a predicate type name or URI")])
      .default("custom")
      .describe("predicate type: slsaprovenance, spdxjson, cyclonedx, vuln, openvex, custom, … or a URI"),
    replace: z.boolean().default(false).describe("replace an existing attestation of the same type"),
  })
  .refine(oneKey, keyRequired);
type AttestInput = z.output<typeof attestInput>;

function attestArgv(input: AttestInput, key: string, target: string): string[] {
  return [
    "cosign",
    "attest",
    "--yes",
    "--key",
    key,
    "--predicate",
    input.predicate,
    "--type",
    input.type,
    ...(input.tlog_upload ? [] : ["--tlog-upload=false"]),
    ...(input.replace ? ["--replace"] : []),
    ...(input.plain_http ? ["--allow-http-registry"] : []),
    target,
  ];
}

export const attest = defineAction({
  description: "Attach a signed attestation (provenance, SBOM, …) to an image by digest",
  input: attestInput,
  outputs: {
    image: "registry/repository@sha256:… that was attested",
    digest: "its digest",
    type: "the predicate type",
  },
  mutates: true,
  plan: (input) => ({
    summary: `attest ${input.type} for ${input.image.text}`,
    argv: attestArgv(input, keyArgument(input), plannedTarget(input)),
    details: resolutionDetails(input),
  }),
  run: async (ctx, input) => {
    const target = await signTarget(ctx, input, (key, reference) => attestArgv(input, key, reference));
    ctx.record("cosign.attestation", { image: target.reference, digest: target.digest, type: input.type });
    return { image: target.reference, digest: target.digest, type: input.type };
  },
});
