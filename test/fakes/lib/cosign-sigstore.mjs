// The Sigstore side of the fake cosign: what Fulcio and Rekor would have given a signature, and
// what cosign verify prints about it.
//
// - Keyless signing (no --key, an OIDC token in --identity-token or SIGSTORE_ID_TOKEN): the fake
//   plays Fulcio, issuing a "certificate" for an ephemeral key whose subject is the token's
//   identity (its email, or for a GitHub Actions token the job_workflow_ref URL, else its sub)
//   and whose issuer is the token's iss. The token is a JWT; its signature is not checked.
// - An upload to the transparency log gives the signature a Rekor bundle (SignedEntryTimestamp,
//   Payload{body, integratedTime, logIndex, logID}), as cosign stores it next to the signature.
// - cosign verify's JSON (cmd/cosign/cli/verify PrintVerification) is the signed payload with
//   cosign's own additions in "optional": Subject, Issuer and the issuer's OID plus the GitHub
//   workflow extensions for a certificate, and Bundle for a signature in the log. The signed
//   annotations are there too, side by side with these.
// - Offline (RELCTL_FAKE_COSIGN_OFFLINE=1, the runner cannot reach the Sigstore TUF mirror): a
//   verify that needs the Rekor public keys (no --insecure-ignore-tlog, no
//   SIGSTORE_REKOR_PUBLIC_KEY) or the Fulcio roots (keyless, no SIGSTORE_ROOT_FILE) fails the way
//   cosign v2 does when TUF cannot be updated.
import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { Buffer } from "node:buffer";
import process from "node:process";
import { CosignError } from "./cosign-keys.mjs";

const FULCIO_ISSUER_OID = "1.3.6.1.4.1.57264.1.1";
// Fulcio's GitHub workflow extensions (OID → the name cosign also prints), from the token's claims.
const GITHUB_EXTENSIONS = [
  ["1.3.6.1.4.1.57264.1.2", "githubWorkflowTrigger", "event_name"],
  ["1.3.6.1.4.1.57264.1.3", "githubWorkflowSha", "sha"],
  ["1.3.6.1.4.1.57264.1.4", "githubWorkflowName", "workflow"],
  ["1.3.6.1.4.1.57264.1.5", "githubWorkflowRepository", "repository"],
  ["1.3.6.1.4.1.57264.1.6", "githubWorkflowRef", "ref"],
];

/** The OIDC token keyless signing would use, or undefined. */
export function identityToken(flags) {
  return flags["identity-token"] || process.env.SIGSTORE_ID_TOKEN || undefined;
}

/** The certificate "Fulcio" issues for a token: identity, issuer, extensions, and an ephemeral key. */
export function issueCertificate(token) {
  let claims;
  try {
    claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    claims = undefined;
  }
  if (!claims || typeof claims.iss !== "string") {
    throw new CosignError(
      "getting key from Fulcio: retrieving cert: oidc: malformed jwt, expected 3 parts got 1",
    );
  }
  const subject =
    claims.email ?? (claims.job_workflow_ref ? `https://github.com/${claims.job_workflow_ref}` : claims.sub);
  const extensions = {};
  for (const [oid, name, claim] of GITHUB_EXTENSIONS) {
    if (typeof claims[claim] === "string") extensions[oid] = { name, value: claims[claim] };
  }
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    privateKey,
    certificate: {
      subject,
      issuer: claims.iss,
      extensions,
      publicKey: publicKey.export({ type: "spki", format: "pem" }),
    },
  };
}

/** The Rekor bundle of a signature entered into the log at `index`. */
export function rekorBundle(payload, signature, index) {
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: "0.0.1",
      kind: "hashedrekord",
      spec: {
        data: { hash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") } },
        signature: { content: signature },
      },
    }),
  ).toString("base64");
  return {
    SignedEntryTimestamp: createHash("sha256").update(`set:${index}:${body}`).digest("base64"),
    Payload: {
      body,
      integratedTime: Math.floor(Date.now() / 1000),
      logIndex: index,
      logID: createHash("sha256").update("fake rekor").digest("hex"),
    },
  };
}

/** Whether a certificate matches --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp). */
export function identityMatches(certificate, flags) {
  const matches = (value, exact, pattern) =>
    exact !== undefined ? value === exact : pattern !== undefined ? new RegExp(pattern).test(value) : true;
  return (
    matches(certificate.subject, flags["certificate-identity"], flags["certificate-identity-regexp"]) &&
    matches(certificate.issuer, flags["certificate-oidc-issuer"], flags["certificate-oidc-issuer-regexp"])
  );
}

/** cosign's message when no certificate carries the expected identity. */
export function identityMismatch(certificates) {
  const first = certificates[0];
  return `none of the expected identities matched what was in the certificate, got subjects [${first.subject}] with issuer ${first.issuer}`;
}

/** The payload as cosign verify prints it: optional carries the certificate's fields and the bundle. */
export function printedPayload(record, payload) {
  const optional = { ...(payload.optional ?? {}) };
  const certificate = record.certificate;
  if (certificate) {
    optional.Subject = certificate.subject;
    optional.Issuer = certificate.issuer;
    optional[FULCIO_ISSUER_OID] = certificate.issuer;
    for (const [oid, { name, value }] of Object.entries(certificate.extensions ?? {})) {
      optional[name] = value;
      optional[oid] = value;
    }
  }
  if (record.bundle) optional.Bundle = record.bundle;
  return { ...payload, optional: Object.keys(optional).length > 0 ? optional : null };
}

const TUF_UNREACHABLE =
  'updating local metadata and targets: error updating to TUF remote mirror: tuf: failed to download 10.root.json: Get "https://tuf-repo-cdn.sigstore.dev/10.root.json": dial tcp: lookup tuf-repo-cdn.sigstore.dev: no such host\nremote status:{\n\t"mirror": "https://tuf-repo-cdn.sigstore.dev",\n\t"metadata": {}\n}';

const offline = () => process.env.RELCTL_FAKE_COSIGN_OFFLINE === "1";
const givenFile = (variable) => Boolean(process.env[variable]) && existsSync(process.env[variable]);

/**
 * What cosign v2 fetches from the Sigstore TUF mirror before it looks at a signature, failing
 * as it does when the mirror cannot be reached: the Rekor public keys unless the log check is
 * skipped or the key is given, then the Fulcio roots for a keyless verify unless given.
 */
export function requireTrustRoot(flags, keyless) {
  if (!offline() || flags["trusted-root"]) return;
  if (!flags["insecure-ignore-tlog"] && !givenFile("SIGSTORE_REKOR_PUBLIC_KEY")) {
    throw new CosignError(`getting Rekor public keys: ${TUF_UNREACHABLE}`);
  }
  if (keyless && !givenFile("SIGSTORE_ROOT_FILE")) {
    throw new CosignError(`getting Fulcio roots: initializing tuf: ${TUF_UNREACHABLE}`);
  }
}
