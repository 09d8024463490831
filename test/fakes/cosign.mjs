// A faithful fake of the cosign CLI (v2.4 behaviour) for tests that cannot reach a registry's
// signature store or Rekor. Keys and signatures are real ECDSA P-256 (node:crypto): a signature
// verifies only with the public half of the key that made it, a key file decrypts only with the
// right COSIGN_PASSWORD, and a changed file no longer verifies. State under
// $RELCTL_FAKE_COSIGN_STATE: signatures.json (per registry/repository@digest), attestations.json,
// kms/ (keys behind awskms:// gcpkms:// azurekms:// hashivault:// k8s:// URIs), and tags.json
// ({"registry/repo:tag": "sha256:…"}, what tags name, seeded by tests).
//
// Commands: version, generate-key-pair, sign, verify, sign-blob, verify-blob, attest. Exit codes
// as cosign's: 10 no signatures, 11 tag not found, 12 no matching signatures, 13 no certificate,
// 1 any other error ("Error: …" and "main.go:74: error during command execution: …" on stderr).
// Unknown flags fail like cobra: "Error: unknown flag: --foo".
//
// Like cosign, sign, sign-blob and attest print the transparency-log privacy statement and ask
// "Are you sure you would like to continue? [y/N]" on stdin before a Rekor upload, unless --yes
// (or --tlog-upload=false): nobody answering (stdin at its end, as in CI) declines, and the
// command fails with "user declined the prompt". (The fake treats every image as public: real
// cosign skips the upload instead when it cannot read the image anonymously.) Without --key,
// sign-blob and attest fail as keyless signing does where no OIDC token can be had; sign does too
// unless it is given a token (--identity-token or SIGSTORE_ID_TOKEN), and then signs keyless.
// What Fulcio and Rekor add (certificates, bundles), the JSON verify prints, and the failure of a
// runner that cannot reach the Sigstore TUF mirror: see lib/cosign-sigstore.mjs.
import { createHash, generateKeyPairSync, sign as ecSign, verify as ecVerify } from "node:crypto";
import { existsSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Buffer } from "node:buffer";
import process from "node:process";
import { CosignError, encryptKey, password, signer, verifier } from "./lib/cosign-keys.mjs";
import {
  identityMatches,
  identityMismatch,
  identityToken,
  issueCertificate,
  printedPayload,
  rekorBundle,
  requireTrustRoot,
} from "./lib/cosign-sigstore.mjs";
import { parseArgs, UsageError } from "./lib/flags.mjs";
import { logCall, readJson, stateDir, writeJson } from "./lib/state.mjs";

const VERSION = process.env.RELCTL_FAKE_COSIGN_VERSION ?? "v2.4.1";

const STATE = () => stateDir("RELCTL_FAKE_COSIGN_STATE", "cosign");
const err = (text) => process.stderr.write(text);

const GLOBAL = {
  "output-file": { type: "string" },
  timeout: { type: "duration", short: "t" },
  verbose: { type: "bool", short: "d" },
  help: { type: "bool", short: "h" },
};
const REGISTRY = {
  "allow-http-registry": { type: "bool" },
  "allow-insecure-registry": { type: "bool" },
  "registry-username": { type: "string" },
  "registry-password": { type: "string" },
  "registry-token": { type: "string" },
  "k8s-keychain": { type: "bool" },
  "attachment-tag-prefix": { type: "string" },
};
const TLOG = {
  "tlog-upload": { type: "bool" },
  "rekor-url": { type: "string" },
  "new-bundle-format": { type: "bool" },
  "use-signing-config": { type: "bool" },
  "signing-config": { type: "string" },
  "trusted-root": { type: "string" },
};
const VERIFY = {
  key: { type: "string" },
  "certificate-identity": { type: "string" },
  "certificate-identity-regexp": { type: "string" },
  "certificate-oidc-issuer": { type: "string" },
  "certificate-oidc-issuer-regexp": { type: "string" },
  "insecure-ignore-tlog": { type: "bool" },
  "insecure-ignore-sct": { type: "bool" },
  "rekor-url": { type: "string" },
  "trusted-root": { type: "string" },
  "new-bundle-format": { type: "bool" },
  offline: { type: "bool" },
  "private-infrastructure": { type: "bool" },
};

function parse(args, spec) {
  const parsed = parseArgs(args, { ...GLOBAL, ...spec });
  for (const warning of parsed.warnings) err(`${warning}\n`);
  return parsed;
}

// ---- images ---------------------------------------------------------------------------------

function parseImage(reference) {
  const at = reference.indexOf("@");
  if (at !== -1) return { repo: reference.slice(0, at), digest: reference.slice(at + 1) };
  const colon = reference.lastIndexOf(":");
  const hasTag = colon > reference.lastIndexOf("/");
  return {
    repo: hasTag ? reference.slice(0, colon) : reference,
    tag: hasTag ? reference.slice(colon + 1) : "latest",
  };
}

/** The digest an image reference names; a tag is looked up in tags.json. */
function resolveImage(reference) {
  const image = parseImage(reference);
  if (image.digest) return image;
  const digest = readJson(join(STATE(), "tags.json"), {})[`${image.repo}:${image.tag}`];
  if (!digest) {
    throw new CosignError(
      `image tag not found: GET https://${image.repo.split("/")[0]}/v2/${image.repo.split("/").slice(1).join("/")}/manifests/${image.tag}: MANIFEST_UNKNOWN: manifest unknown; unknown tag=${image.tag}`,
      11,
    );
  }
  return { ...image, digest };
}

function annotationsOf(list) {
  const annotations = {};
  for (const item of list ?? []) {
    const eq = item.indexOf("=");
    if (eq === -1) throw new CosignError(`unable to parse annotation: ${item}`);
    annotations[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return annotations;
}

const signaturesFile = () => join(STATE(), "signatures.json");

const KEYLESS = "signing in keyless mode needs an OIDC identity token; none available (fake)";

// cosign's privacy statement (cmd/cosign/cli/sign/privacy), printed before a Rekor upload.
const STATEMENT = `
\tThe sigstore service, hosted by sigstore a Series of LF Projects, LLC, is provided pursuant to the Hosted Project Tools Terms of Use, available at https://lfprojects.org/policies/hosted-project-tools-terms-of-use/.
\tNote that if your submission includes personal data associated with this signed artifact, it will be part of an immutable record.
\tThis may include the email address associated with the account with which you authenticate your contractual Agreement.
\tThis information will be used for signing this artifact and will be stored in public transparency logs and cannot be removed later, and is subject to the Immutable Record notice at https://lfprojects.org/policies/hosted-project-tools-immutable-records/.
`;
const CONFIRMATION =
  "By typing 'y', you attest that (1) you are not submitting the personal data of any other person; and (2) you understand and agree to the statement and the Agreement terms at the URLs listed above.";

/** One line from stdin, read the way cosign's prompt reads it: up to a newline or the end. */
function readLine() {
  const byte = Buffer.alloc(1);
  const bytes = [];
  for (;;) {
    let read;
    try {
      read = readSync(0, byte, 0, 1, null);
    } catch (error) {
      if (error.code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (error.code === "EOF" || error.code === "EBADF") break;
      throw error;
    }
    if (read === 0 || byte[0] === 0x0a) break;
    bytes.push(byte[0]);
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * The confirmation cosign asks for before uploading to the transparency log (ui.ConfirmContinue):
 * skipped with --yes or when the upload is off; "y" goes on, no answer or "n" declines.
 */
function confirmTlogUpload(flags) {
  if (flags["tlog-upload"] === false || flags.yes) return;
  err(`${STATEMENT}\n${CONFIRMATION}\n`);
  err("Are you sure you would like to continue? [y/N] ");
  const answer = readLine();
  const value = answer.toLowerCase();
  if (value === "y") return;
  if (value === "" || value === "n") throw new CosignError("user declined the prompt");
  throw new CosignError(`invalid input ${JSON.stringify(answer)} (allowed values y, n)`);
}

/** Runs `step`, prefixing a CosignError's message the way cosign wraps errors on their way up. */
function wrapped(prefix, step) {
  try {
    return step();
  } catch (error) {
    if (error instanceof CosignError) throw new CosignError(`${prefix}${error.message}`, error.code);
    throw error;
  }
}

function signImage(args) {
  const { flags, positionals } = parse(args, {
    ...REGISTRY,
    ...TLOG,
    key: { type: "string" },
    yes: { type: "bool", short: "y" },
    annotations: { type: "stringSlice", short: "a" },
    recursive: { type: "bool", short: "r" },
    upload: { type: "bool" },
    "output-signature": { type: "string" },
    "output-payload": { type: "string" },
    "output-certificate": { type: "string" },
    "record-creation-timestamp": { type: "bool" },
    "registry-referrers-mode": { type: "string" },
    "identity-token": { type: "string" },
  });
  if (positionals.length !== 1) throw new CosignError("accepts 1 arg(s), received " + positionals.length);
  const token = flags.key ? undefined : identityToken(flags);
  if (!flags.key && !token) throw new CosignError(KEYLESS);
  const reference = positionals[0];
  const image = parseImage(reference);
  if (!image.digest) {
    err(
      `WARNING: Image reference ${reference} uses a tag, not a digest, to identify the image to sign.\n    This can lead you to sign a different image than the intended one. Please use a\n    digest (example.com/ubuntu@sha256:abc123...) rather than tag\n    (example.com/ubuntu:latest) for the input to cosign. The ability to refer to\n    images by tag will be removed in a future release.\n\n`,
    );
  }
  let key;
  let certificate;
  let resolved;
  try {
    if (token) ({ privateKey: key, certificate } = issueCertificate(token));
    else key = signer(flags.key, STATE());
    resolved = resolveImage(reference);
  } catch (error) {
    if (error instanceof CosignError)
      throw new CosignError(
        `signing [${reference}]: ${error.code === 11 ? "accessing entity: " : "getting signer: "}${error.message}`,
      );
    throw error;
  }
  const annotations = annotationsOf(flags.annotations);
  wrapped(`signing [${reference}]: signing digest: should upload to tlog: `, () => confirmTlogUpload(flags));
  const payload = {
    critical: {
      identity: { "docker-reference": resolved.repo },
      image: { "docker-manifest-digest": resolved.digest },
      type: "cosign container image signature",
    },
    optional: Object.keys(annotations).length > 0 ? annotations : null,
  };
  const bytes = Buffer.from(JSON.stringify(payload));
  const signature = ecSign("sha256", bytes, key).toString("base64");
  const tlog = flags["tlog-upload"] !== false;
  const all = readJson(signaturesFile(), {});
  const id = `${resolved.repo}@${resolved.digest}`;
  const record = { payload: bytes.toString("base64"), signature, tlog };
  if (certificate) record.certificate = certificate;
  if (tlog) {
    const index = 1000001 + Object.values(all).flat().length;
    record.bundle = rekorBundle(bytes, signature, index);
    err(`tlog entry created with index: ${index}\n`);
  }
  all[id] = [...(all[id] ?? []), record];
  writeJson(signaturesFile(), all);
  err(`Pushing signature to: ${resolved.repo}\n`);
}

function verifyImage(args) {
  const { flags, positionals } = parse(args, {
    ...REGISTRY,
    ...VERIFY,
    annotations: { type: "stringSlice", short: "a" },
    output: { type: "string", short: "o" },
    "check-claims": { type: "bool" },
    "local-image": { type: "bool" },
    "max-workers": { type: "int" },
    signature: { type: "string" },
    payload: { type: "string" },
  });
  if (positionals.length < 1) throw new CosignError("requires at least 1 arg(s), only received 0");
  if (!flags.key && !flags["certificate-identity"] && !flags["certificate-identity-regexp"]) {
    throw new CosignError(
      "--certificate-identity or --certificate-identity-regexp is required for verification in keyless mode",
    );
  }
  if (!flags.key && !flags["certificate-oidc-issuer"] && !flags["certificate-oidc-issuer-regexp"]) {
    throw new CosignError(
      "--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required for verification in keyless mode",
    );
  }
  requireTrustRoot(flags, !flags.key);
  for (const reference of positionals) {
    const resolved = resolveImage(reference);
    const found = readJson(signaturesFile(), {})[`${resolved.repo}@${resolved.digest}`] ?? [];
    if (found.length === 0) throw new CosignError("no signatures found", 10);
    const certified = found.filter((item) => item.certificate);
    if (!flags.key && certified.length === 0) throw new CosignError("no certificate found on signature", 13);
    const candidates = flags.key
      ? found
      : certified.filter((item) => identityMatches(item.certificate, flags));
    if (candidates.length === 0)
      throw new CosignError(
        `no matching signatures: ${identityMismatch(certified.map((item) => item.certificate))}`,
        12,
      );
    const keyOf = (item) => (flags.key ? verifier(flags.key, STATE()) : item.certificate.publicKey);
    const validSignature = (item) =>
      ecVerify(
        "sha256",
        Buffer.from(item.payload, "base64"),
        keyOf(item),
        Buffer.from(item.signature, "base64"),
      );
    const wanted = annotationsOf(flags.annotations);
    const inLog = (item) => flags["insecure-ignore-tlog"] || item.tlog;
    const annotated = (item) => {
      const optional = JSON.parse(Buffer.from(item.payload, "base64").toString("utf8")).optional ?? {};
      return Object.entries(wanted).every(([name, value]) => optional[name] === value);
    };
    const matching = candidates.filter((item) => validSignature(item) && inLog(item) && annotated(item));
    if (matching.length === 0) {
      const valid = candidates.filter(validSignature);
      const reason =
        valid.length === 0
          ? "invalid signature when validating ASN.1 encoded signature"
          : valid.some(inLog)
            ? "missing or incorrect annotation"
            : "signature not found in transparency log";
      throw new CosignError(`no matching signatures: ${reason}`, 12);
    }
    if (flags["insecure-ignore-tlog"]) {
      err(
        "WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the signature.\n",
      );
    }
    err(
      `\nVerification for ${reference} --\nThe following checks were performed on each of these signatures:\n  - The cosign claims were validated\n`,
    );
    if (!flags["insecure-ignore-tlog"])
      err("  - Existence of the claims in the transparency log was verified offline\n");
    if (flags.key) err("  - The signatures were verified against the specified public key\n");
    else
      err("  - The code-signing certificate was verified using trusted certificate authority certificates\n");
    const payloads = matching.map((item) =>
      printedPayload(item, JSON.parse(Buffer.from(item.payload, "base64").toString("utf8"))),
    );
    process.stdout.write(`\n${JSON.stringify(payloads)}\n`);
  }
}

function signBlob(args) {
  const { flags, positionals } = parse(args, {
    ...TLOG,
    key: { type: "string" },
    yes: { type: "bool", short: "y" },
    bundle: { type: "string" },
    "output-signature": { type: "string" },
    "output-certificate": { type: "string" },
    b64: { type: "bool" },
  });
  if (positionals.length !== 1) throw new CosignError(`accepts 1 arg(s), received ${positionals.length}`);
  if (!flags.key) throw new CosignError(KEYLESS);
  const file = positionals[0];
  const key = signer(flags.key, STATE());
  if (!existsSync(resolve(process.cwd(), file)))
    throw new CosignError(`open ${file}: no such file or directory`);
  err(`Using payload from: ${file}\n`);
  const signature = ecSign("sha256", readFileSync(resolve(process.cwd(), file)), key).toString("base64");
  wrapped(`signing ${file}: upload to tlog: `, () => confirmTlogUpload(flags));
  const tlog = flags["tlog-upload"] !== false;
  if (flags.bundle) {
    const bundle = {
      base64Signature: signature,
      cert: "",
      ...(tlog ? { rekorBundle: { SignedEntryTimestamp: "ZmFrZQ==", Payload: { logIndex: 1000002 } } } : {}),
    };
    writeFileSync(resolve(process.cwd(), flags.bundle), JSON.stringify(bundle));
    err(`Wrote bundle to file ${flags.bundle}\n`);
  }
  if (flags["output-signature"]) writeFileSync(resolve(process.cwd(), flags["output-signature"]), signature);
  process.stdout.write(`${signature}\n`);
}

function verifyBlob(args) {
  const { flags, positionals } = parse(args, {
    ...VERIFY,
    bundle: { type: "string" },
    signature: { type: "string" },
    certificate: { type: "string" },
  });
  if (positionals.length !== 1) throw new CosignError(`accepts 1 arg(s), received ${positionals.length}`);
  if (!flags.key)
    throw new CosignError(
      "--certificate-identity or --certificate-identity-regexp is required for verification in keyless mode",
    );
  requireTrustRoot(flags, false);
  const file = resolve(process.cwd(), positionals[0]);
  if (!existsSync(file)) throw new CosignError(`open ${positionals[0]}: no such file or directory`);
  let signature;
  let tlog = false;
  if (flags.bundle) {
    const path = resolve(process.cwd(), flags.bundle);
    if (!existsSync(path)) throw new CosignError(`open ${flags.bundle}: no such file or directory`);
    const bundle = JSON.parse(readFileSync(path, "utf8"));
    signature = bundle.base64Signature;
    tlog = bundle.rekorBundle !== undefined;
  } else if (flags.signature) {
    signature = readFileSync(resolve(process.cwd(), flags.signature), "utf8").trim();
  } else {
    throw new CosignError("either a signature or a bundle must be provided");
  }
  const key = verifier(flags.key, STATE());
  if (!ecVerify("sha256", readFileSync(file), key, Buffer.from(signature, "base64"))) {
    throw new CosignError("invalid signature when validating ASN.1 encoded signature");
  }
  if (!flags["insecure-ignore-tlog"] && !tlog)
    throw new CosignError(
      "bundle does not contain a transparency log entry; use --insecure-ignore-tlog=true",
    );
  err("Verified OK\n");
}

// cosign attest --type: a name cosign knows, or a URI (Go's url.ParseRequestURI: an absolute
// URI, or an absolute path).
const PREDICATE_TYPES = new Set([
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
]);
const isRequestUri = (text) => /^(?:[A-Za-z][A-Za-z0-9+.-]*:|\/)/.test(text) && !/[\s\p{Cc}]/u.test(text);

function attest(args) {
  const { flags, positionals } = parse(args, {
    ...REGISTRY,
    ...TLOG,
    key: { type: "string" },
    yes: { type: "bool", short: "y" },
    predicate: { type: "string" },
    type: { type: "string" },
    replace: { type: "bool" },
    recursive: { type: "bool", short: "r" },
    "no-upload": { type: "bool" },
  });
  if (positionals.length !== 1) throw new CosignError(`accepts 1 arg(s), received ${positionals.length}`);
  if (!flags.predicate) throw new CosignError('required flag(s) "predicate" not set');
  const reference = positionals[0];
  const type = flags.type ?? "custom";
  if (!PREDICATE_TYPES.has(type) && !isRequestUri(type))
    throw new CosignError(`signing ${reference}: invalid predicate type: ${type}`);
  if (!flags.key) throw new CosignError(`signing ${reference}: getting signer: ${KEYLESS}`);
  const key = signer(flags.key, STATE());
  const path = resolve(process.cwd(), flags.predicate);
  if (!existsSync(path)) throw new CosignError(`open ${flags.predicate}: no such file or directory`);
  const predicate = readFileSync(path);
  try {
    JSON.parse(predicate.toString("utf8"));
  } catch {
    throw new CosignError(`invalid predicate: ${flags.predicate} is not JSON`);
  }
  err(`Using payload from: ${flags.predicate}\n`);
  const resolved = resolveImage(reference);
  wrapped(`signing ${reference}: should upload to tlog: `, () => confirmTlogUpload(flags));
  const file = join(STATE(), "attestations.json");
  const all = readJson(file, {});
  const id = `${resolved.repo}@${resolved.digest}`;
  const kept = flags.replace ? (all[id] ?? []).filter((item) => item.type !== type) : (all[id] ?? []);
  const statement = Buffer.from(
    JSON.stringify({ type, predicate: createHash("sha256").update(predicate).digest("hex") }),
  );
  all[id] = [
    ...kept,
    {
      type,
      statement: statement.toString("base64"),
      signature: ecSign("sha256", statement, key).toString("base64"),
    },
  ];
  writeJson(file, all);
}

function generateKeyPair(args) {
  const { flags } = parse(args, { "output-key-prefix": { type: "string" }, kms: { type: "string" } });
  const prefix = flags["output-key-prefix"] ?? "cosign";
  const keyPath = resolve(process.cwd(), `${prefix}.key`);
  if (existsSync(keyPath)) throw new CosignError(`${prefix}.key already exists`);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  writeFileSync(keyPath, encryptKey(privateKey, password()), { mode: 0o600 });
  writeFileSync(resolve(process.cwd(), `${prefix}.pub`), publicKey.export({ type: "spki", format: "pem" }));
  err(`Private key written to ${prefix}.key\nPublic key written to ${prefix}.pub\n`);
}

function version(args) {
  const { flags } = parse(args, { json: { type: "bool" } });
  const info = {
    gitVersion: VERSION,
    gitCommit: "unknown",
    gitTreeState: "clean",
    buildDate: "unknown",
    goVersion: "go1.22.7",
    compiler: "gc",
    platform: "linux/amd64",
  };
  if (flags.json) return process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  process.stdout.write(
    `cosign: A tool for Container Signing, Verification and Storage in an OCI registry.\n\nGitVersion:    ${info.gitVersion}\nGitCommit:     ${info.gitCommit}\nGitTreeState:  ${info.gitTreeState}\nBuildDate:     ${info.buildDate}\nGoVersion:     ${info.goVersion}\nCompiler:      ${info.compiler}\nPlatform:      ${info.platform}\n`,
  );
}

const COMMANDS = {
  version,
  "generate-key-pair": generateKeyPair,
  sign: signImage,
  verify: verifyImage,
  "sign-blob": signBlob,
  "verify-blob": verifyBlob,
  attest,
};

const [command, ...args] = process.argv.slice(2);
if (process.env.RELCTL_FAKE_COSIGN_STATE) logCall(STATE(), process.argv.slice(2));
try {
  const handler = COMMANDS[command];
  if (!handler) throw new UsageError(`unknown command "${command ?? ""}" for "cosign"`);
  handler(args);
} catch (error) {
  if (!(error instanceof CosignError || error instanceof UsageError)) throw error;
  err(`Error: ${error.message}\nmain.go:74: error during command execution: ${error.message}\n`);
  process.exit(error instanceof CosignError ? error.code : 1);
}
