// The evidence bundle: one folder that shows what a run did, for auditors and for the people
// who decide whether to trust a release. Layout:
//
//   <dir>/manifest.json        version, git sha, tag, image digests, approvals, break-glass,
//                              gates with every measurement, stage/step timings, relctl version,
//                              run id, playbook digest
//   <dir>/journal.jsonl        the run journal (redacted copy)
//   <dir>/artifacts/<name>     extra files (SBOM, release notes, …)
//   <dir>/checksums.txt        `sha256  path` per file, sorted, as sha256sum prints it
//   <dir>/checksums.txt.sig    optional: written by the signing hook (cosign sign-blob), with
//   <dir>/checksums.txt.pem    its certificate, or <dir>/checksums.txt.sigstore.json (bundle)
//
// Every byte written passes through the Redactor. Signing checksums.txt covers every file.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, posix } from "node:path";
import { redactDeepWith, type Redactor } from "../run/redact.js";
import { RelctlError, ExitCode } from "../errors.js";
import type { Approval } from "./approvals.js";
import { writeFileAtomic } from "./atomic.js";
import {
  EVIDENCE_SCHEMA,
  clean,
  journalFacts,
  type EvidenceManifest,
  type ReleaseFacts,
} from "./evidence-manifest.js";
import { ensureDir } from "./jsonl.js";
import { readJournalFile } from "./journal.js";
import { sha256Hex } from "../util/hash.js";

export const CHECKSUMS_FILE = "checksums.txt";
export const SIGNATURE_FILES = [
  "checksums.txt.sig",
  "checksums.txt.pem",
  "checksums.txt.sigstore.json",
] as const;

/** Where a signing hook writes (and a verifying hook reads); it may use any of them. */
export interface SignaturePaths {
  dir: string;
  checksums: string;
  /** `cosign sign-blob --output-signature` */
  signature: string;
  /** `--output-certificate` */
  certificate: string;
  /** `--bundle` */
  bundle: string;
}

export type SignHook = (paths: SignaturePaths) => Promise<void>;

export function signaturePaths(dir: string): SignaturePaths {
  return {
    dir,
    checksums: join(dir, CHECKSUMS_FILE),
    signature: join(dir, SIGNATURE_FILES[0]),
    certificate: join(dir, SIGNATURE_FILES[1]),
    bundle: join(dir, SIGNATURE_FILES[2]),
  };
}

export interface FinalizeOptions {
  dir: string;
  relctlVersion: string;
  /** The run journal to copy; it covers every start of a resumed run. */
  journalFile: string;
  release?: ReleaseFacts;
  approvals?: Approval[];
  breakGlass?: Record<string, unknown>[];
  playbookDigest?: string;
  /**
   * Extra files, copied to artifacts/<name> (name defaults to the file's base name). `content`,
   * when given, is the file's bytes already read (by a caller that read it safely); otherwise
   * the file at `source` is read.
   */
  artifacts?: { source: string; name?: string; content?: Buffer }[];
  sign?: SignHook;
  now?: () => Date;
}

export interface EvidenceWritten {
  dir: string;
  manifest: EvidenceManifest;
  /** Every file covered by checksums.txt, relative to dir. */
  files: string[];
  /** Signature files the hook wrote, relative to dir. */
  signatureFiles: string[];
}

/** What writing a bundle needs of the run's redaction: a Redactor, or an action's `ctx`. */
export type EvidenceRedaction = Pick<Redactor, "redact">;

/** Writes the bundle of a run that is over, from its journal on disk (redacted once more). */
export async function writeEvidence(
  redactor: EvidenceRedaction,
  options: FinalizeOptions,
): Promise<EvidenceWritten> {
  const { dir } = options;
  ensureDir(dir);
  if (readdirSync(dir).length > 0) {
    throw new RelctlError(
      "E_EVIDENCE_DIR_NOT_EMPTY",
      ExitCode.invalid,
      `evidence folder ${dir} is not empty`,
      {
        hint: "a bundle lists every file it holds; give it a new folder",
      },
    );
  }
  const files = new Map<string, Buffer>();

  // The journal copy first: the manifest's journal facts are built from exactly these lines.
  const events = readJournalFile(options.journalFile).events.map((event) => redactDeepWith(redactor, event));
  files.set("journal.jsonl", Buffer.from(events.map((event) => `${JSON.stringify(event)}\n`).join("")));

  const artifactNames: string[] = [];
  for (const artifact of options.artifacts ?? []) {
    const name = safeRelative(`artifacts/${artifact.name ?? basename(artifact.source)}`);
    if (files.has(name)) throw usage(`two artifacts are both named ${name}`);
    const content = artifact.content ?? readFileSync(artifact.source);
    files.set(name, redactFile(redactor, content, artifact.source));
    artifactNames.push(name);
  }

  const facts = journalFacts(events);
  const manifest: EvidenceManifest = clean({
    schema: EVIDENCE_SCHEMA,
    relctlVersion: options.relctlVersion,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    ...facts,
    playbookDigest: options.playbookDigest ?? facts.run.playbookDigest,
    release: options.release ?? {},
    approvals: options.approvals ?? [],
    breakGlass: options.breakGlass ?? [],
    files: { journal: "journal.jsonl", artifacts: artifactNames.sort() },
  });
  const safeManifest = redactDeepWith(redactor, manifest);
  files.set("manifest.json", Buffer.from(`${JSON.stringify(safeManifest, null, 2)}\n`));

  for (const [name, content] of files) writeFileAtomic(join(dir, ...name.split("/")), content);
  writeFileAtomic(join(dir, CHECKSUMS_FILE), checksumsText(files));

  if (options.sign) await options.sign(signaturePaths(dir));
  const present = new Set(readdirSync(dir));
  return {
    dir,
    manifest: safeManifest,
    files: [...files.keys()].sort(compareBytes),
    signatureFiles: SIGNATURE_FILES.filter((name) => present.has(name)),
  };
}

export const sha256 = sha256Hex;

/** `sha256  path` lines sorted by path, as `sha256sum` prints them (so `sha256sum -c` works too). */
export function checksumsText(files: ReadonlyMap<string, Buffer>): string {
  return [...files.keys()]
    .sort(compareBytes)
    .map((name) => `${sha256(files.get(name)!)}  ${name}\n`)
    .join("");
}

export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Text is redacted like everything else. A binary file cannot be redacted without breaking it,
 * so one that contains a secret is refused rather than copied.
 */
function redactFile(redactor: EvidenceRedaction, content: Buffer, source: string): Buffer {
  const text = content.toString("utf8");
  if (!text.includes("\0") && Buffer.from(text, "utf8").equals(content))
    return Buffer.from(redactor.redact(text));
  const raw = content.toString("latin1");
  if (redactor.redact(raw) !== raw) {
    throw new RelctlError(
      "E_EVIDENCE_SECRET",
      ExitCode.invalid,
      `artifact ${source} is binary and contains a secret`,
      {
        hint: "it was not copied into the evidence bundle; remove the secret from the artifact",
      },
    );
  }
  return content;
}

function safeRelative(name: string): string {
  const normal = posix.normalize(name.replace(/\\/g, "/"));
  if (!isSafeRelative(normal)) throw usage(`artifact name ${name} leaves the bundle`);
  return normal;
}

/** A bundle-relative path (forward slashes) that stays inside the bundle. */
export function isSafeRelative(name: string): boolean {
  return !name.startsWith("/") && posix.normalize(name) === name && !name.split("/").includes("..");
}

function usage(message: string): RelctlError {
  return new RelctlError("E_EVIDENCE_USAGE", ExitCode.invalid, message);
}
