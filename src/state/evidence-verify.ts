// `relctl evidence verify <dir>`: recompute every checksum and name every difference — files
// missing, added or changed since the bundle was written, a manifest that disagrees with the
// journal beside it, and (through a hook) a signature that does not match checksums.txt.
// Nothing is read through a symbolic link: a link's bytes live outside the bundle, where the
// checksums cannot vouch for them, so every link is a problem of its own.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { ExitCode, RelctlError } from "../errors.js";
import { fsProblem } from "./fs-errors.js";
import { join, relative, sep } from "node:path";
import { parseJournalText } from "./journal.js";
import {
  CHECKSUMS_FILE,
  SIGNATURE_FILES,
  compareBytes,
  isSafeRelative,
  sha256,
  signaturePaths,
  type SignaturePaths,
} from "./evidence.js";
import { JOURNAL_FACT_KEYS, differences, journalFacts, type EvidenceManifest } from "./evidence-manifest.js";

export type VerifySignatureHook = (paths: SignaturePaths) => Promise<{ ok: boolean; message: string }>;

export interface EvidenceReport {
  ok: boolean;
  dir: string;
  /** Listed in checksums.txt, not in the folder. */
  missing: string[];
  /** In the folder, not listed. */
  extra: string[];
  /** Listed with a different checksum. */
  changed: string[];
  /** checksums.txt lines that are not `<sha256>  <relative path>`. */
  malformed: string[];
  /** Symbolic links in the bundle (files or folders), which verify never follows. */
  links: string[];
  /** Where manifest.json disagrees with journal.jsonl or checksums.txt (or cannot be read). */
  manifest: string[];
  signature: { state: "verified" | "failed" | "unverified" | "absent"; message: string };
  /** Every problem in words, in the order above. */
  problems: string[];
}

export async function verifyEvidence(
  dir: string,
  options: { verifySignature?: VerifySignatureHook; requireSignature?: boolean } = {},
): Promise<EvidenceReport> {
  assertEvidenceBundle(dir);
  const report: EvidenceReport = {
    ok: false,
    dir,
    missing: [],
    extra: [],
    changed: [],
    malformed: [],
    links: [],
    manifest: [],
    signature: { state: "absent", message: "the bundle is not signed" },
    problems: [],
  };
  const entries = listFiles(dir);
  report.links = entries.filter((entry) => entry.link).map((entry) => entry.name);
  const throughLink = (name: string) =>
    report.links.some((link) => name === link || name.startsWith(`${link}/`));
  const onDisk = new Set(
    entries
      .filter((entry) => !entry.link && entry.name !== CHECKSUMS_FILE && !isSignatureFile(entry.name))
      .map((entry) => entry.name),
  );

  const listed = new Map<string, string>();
  const checksumsPath = join(dir, CHECKSUMS_FILE);
  if (!existsSync(checksumsPath)) {
    report.problems.push(`${CHECKSUMS_FILE} is missing: nothing in the bundle can be checked`);
  } else {
    readFileSync(checksumsPath, "utf8")
      .split("\n")
      .forEach((line, index) => {
        if (line === "") return;
        const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
        const name = match?.[2];
        if (!match || !name || !isSafeRelative(name) || listed.has(name)) {
          report.malformed.push(`line ${index + 1}: ${line.slice(0, 100)}`);
          return;
        }
        listed.set(name, match[1]!);
      });
  }
  for (const [name, expected] of [...listed].sort(([a], [b]) => compareBytes(a, b))) {
    if (throughLink(name)) continue; // reported as a link
    if (!onDisk.has(name)) report.missing.push(name);
    else if (sha256(readFileSync(join(dir, ...name.split("/")))) !== expected) report.changed.push(name);
  }
  if (existsSync(checksumsPath))
    report.extra = [...onDisk].filter((name) => !listed.has(name)).sort(compareBytes);

  report.manifest = manifestProblems(dir, { listed, onDisk, throughLink });
  report.signature = await checkSignature(dir, options.verifySignature);
  if (options.requireSignature && report.signature.state !== "verified") {
    report.problems.push(`a verified signature is required: ${report.signature.message}`);
  }

  report.problems.unshift(
    ...report.missing.map((name) => `missing: ${name} (listed in ${CHECKSUMS_FILE}, not in the folder)`),
    ...report.extra.map((name) => `extra: ${name} (in the folder, not listed in ${CHECKSUMS_FILE})`),
    ...report.changed.map((name) => `changed: ${name} (its sha256 differs from ${CHECKSUMS_FILE})`),
    ...report.malformed.map((line) => `${CHECKSUMS_FILE} ${line} is not "<sha256>  <relative path>"`),
    ...report.links.map(
      (name) =>
        `${name} is a symbolic link (to ${linkTarget(join(dir, ...name.split("/")))}): a bundle holds its own files, not links`,
    ),
    ...report.manifest.map((problem) => `manifest: ${problem}`),
  );
  if (report.signature.state === "failed") report.problems.push(`signature: ${report.signature.message}`);
  report.ok = report.problems.length === 0;
  return report;
}

/**
 * Refuses what is not an evidence bundle folder before reading anything in it: a missing path, a
 * file, or a folder with neither manifest.json nor checksums.txt (`relctl evidence verify /tmp`
 * would otherwise list every file below /tmp as "extra"). A bundle that lost one of the two is
 * still verified, and its loss reported.
 */
export function assertEvidenceBundle(dir: string): void {
  const hint =
    "pass the bundle folder a run left: .relctl/runs/<run>/evidence (relctl history lists the runs)";
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw new RelctlError(
      "E_NOT_EVIDENCE",
      ExitCode.invalid,
      `cannot read evidence bundle ${dir}: ${fsProblem(error)}`,
      { hint },
    );
  }
  if (!isDirectory) {
    throw new RelctlError(
      "E_NOT_EVIDENCE",
      ExitCode.invalid,
      `${dir} is a file, not an evidence bundle folder`,
      { hint },
    );
  }
  if (!existsSync(join(dir, "manifest.json")) && !existsSync(join(dir, CHECKSUMS_FILE))) {
    throw new RelctlError(
      "E_NOT_EVIDENCE",
      ExitCode.invalid,
      `${dir} is not an evidence bundle: it has neither manifest.json nor ${CHECKSUMS_FILE}`,
      { hint },
    );
  }
}

interface BundleFiles {
  listed: ReadonlyMap<string, string>;
  onDisk: ReadonlySet<string>;
  throughLink(name: string): boolean;
}

function manifestProblems(dir: string, bundle: BundleFiles): string[] {
  let manifest: Partial<EvidenceManifest>;
  try {
    if (bundle.throughLink("manifest.json")) return [];
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Partial<EvidenceManifest>;
  } catch (error) {
    return [`manifest.json cannot be read: ${(error as Error).message}`];
  }
  const journalName = manifest.files?.journal ?? "journal.jsonl";
  if (!isSafeRelative(journalName)) return [`files.journal (${journalName}) points outside the bundle`];
  const problems = coverageProblems(manifest, journalName, bundle);
  if (bundle.throughLink(journalName) || !bundle.onDisk.has(journalName)) return problems;
  let read;
  try {
    read = parseJournalText(readFileSync(join(dir, journalName), "utf8"), journalName);
  } catch (error) {
    return [...problems, `${journalName} cannot be read: ${(error as Error).message}`];
  }
  // relctl copies whole events into a bundle; a fragment at the end was added afterwards.
  if (read.torn) {
    problems.push(
      `${journalName} ends in a torn line (line ${read.torn.line}: ${read.torn.preview}): relctl writes whole lines only`,
    );
  }
  const facts = journalFacts(read.events);
  problems.push(...JOURNAL_FACT_KEYS.flatMap((key) => differences(manifest[key], facts[key], key)));
  if (facts.run.playbookDigest && manifest.playbookDigest !== facts.run.playbookDigest) {
    problems.push(
      `playbookDigest is ${manifest.playbookDigest} in the manifest, but the journal says ${facts.run.playbookDigest}`,
    );
  }
  return problems;
}

/**
 * The files the manifest names against checksums.txt and the folder: deleting an artifact and
 * its checksum line together leaves checksums.txt consistent with the folder, but not with the
 * manifest, which still lists it. (A file in only one of checksums.txt and the folder is
 * already reported as missing or extra.)
 */
function coverageProblems(
  manifest: Partial<EvidenceManifest>,
  journalName: string,
  bundle: BundleFiles,
): string[] {
  const named: [string, string][] = [
    ["files.journal", journalName],
    ...(manifest.files?.artifacts ?? []).map((name): [string, string] => ["files.artifacts", name]),
  ];
  const problems = named
    .filter(([, name]) => !bundle.listed.has(name) && !bundle.onDisk.has(name) && !bundle.throughLink(name))
    .map(([field, name]) => `${field} lists ${name}, but it is not in ${CHECKSUMS_FILE} nor in the folder`);
  const artifacts = new Set(manifest.files?.artifacts ?? []);
  for (const name of bundle.listed.keys()) {
    if (name.startsWith("artifacts/") && !artifacts.has(name))
      problems.push(`${name} is in ${CHECKSUMS_FILE}, but files.artifacts does not list it`);
  }
  return problems;
}

async function checkSignature(
  dir: string,
  hook: VerifySignatureHook | undefined,
): Promise<EvidenceReport["signature"]> {
  const present = SIGNATURE_FILES.filter((name) => existsSync(join(dir, name)));
  if (present.length === 0) return { state: "absent", message: "the bundle is not signed" };
  if (!hook)
    return { state: "unverified", message: `${present.join(", ")} present, but no verifier was given` };
  try {
    const result = await hook(signaturePaths(dir));
    return { state: result.ok ? "verified" : "failed", message: result.message };
  } catch (error) {
    return { state: "failed", message: `the verifier failed: ${(error as Error).message}` };
  }
}

/**
 * Bundle-relative paths with forward slashes: regular files, and symbolic links (to a file or a
 * folder; a recursive listing does not descend into a linked folder).
 */
function listFiles(dir: string): { name: string; link: boolean }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => ({
      name: relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"),
      link: entry.isSymbolicLink(),
    }));
}

function linkTarget(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : path;
  } catch {
    return "?";
  }
}

function isSignatureFile(name: string): boolean {
  return (SIGNATURE_FILES as readonly string[]).includes(name);
}

/** The report as a person reads it. */
export function formatEvidenceReport(report: EvidenceReport): string {
  const lines = report.ok
    ? [`evidence ${report.dir}: ok (every checksum matches; the manifest agrees with the journal)`]
    : [
        `evidence ${report.dir}: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}`,
        ...report.problems.map((p) => `  ✗ ${p}`),
      ];
  lines.push(`signature: ${report.signature.state} (${report.signature.message})`);
  return `${lines.join("\n")}\n`;
}
