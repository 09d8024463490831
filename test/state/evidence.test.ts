import { createHmac } from "node:crypto";
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/run/redact.js";
import type { Approval } from "../../src/state/approvals.js";
import { checksumsText, sha256, writeEvidence, type SignaturePaths } from "../../src/state/evidence.js";
import { formatEvidenceReport, verifyEvidence } from "../../src/state/evidence-verify.js";
import { openJournal } from "../../src/state/journal.js";
import { sampleRun } from "./events.js";

const SECRET = "hunter2-Pa55/word+x=";
const KEY = "test-signing-key";

/** Stands in for cosign: an HMAC over checksums.txt, written where cosign would put its signature. */
const sign = (paths: SignaturePaths) => {
  writeFileSync(
    paths.signature,
    createHmac("sha256", KEY).update(readFileSync(paths.checksums)).digest("hex"),
  );
  return Promise.resolve();
};
const verifySignature = (paths: SignaturePaths) => {
  const expected = createHmac("sha256", KEY).update(readFileSync(paths.checksums)).digest("hex");
  const ok = readFileSync(paths.signature, "utf8") === expected;
  return Promise.resolve({
    ok,
    message: ok ? "signature matches checksums.txt" : "signature does not match checksums.txt",
  });
};

async function writeBundle(options: { signed?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), "relctl-evidence-"));
  const redactor = new Redactor();
  redactor.add(SECRET);
  // The journal on disk deliberately holds the secret, as if something upstream forgot to redact.
  const journal = openJournal(root, "20261122T101500Z-3fa2");
  for (const event of sampleRun("20261122T101500Z-3fa2", SECRET)) journal.emit(event);
  journal.close();
  const notes = join(root, "release-notes.md");
  writeFileSync(notes, `# 1.4.0\n\nDeployed with token ${SECRET} (oops)\n`);
  const approvals: Approval[] = [
    {
      role: "release-captain",
      by: "Ana <ana@example.com>",
      at: "2026-11-22T10:00:00Z",
      planDigest: "sha256:aaa",
      version: "1.4.0",
      environment: "production",
      comment: `ok ${encodeURIComponent(SECRET)}`,
    },
  ];
  const dir = join(root, "evidence");
  const written = await writeEvidence(redactor, {
    dir,
    relctlVersion: "0.1.0",
    journalFile: journal.file,
    release: {
      version: "1.4.0",
      gitSha: "0123456789abcdef0123456789abcdef01234567",
      tag: "v1.4.0",
      environment: "production",
      imageDigests: { api: `sha256:${"b".repeat(64)}` },
    },
    approvals,
    breakGlass: [{ by: "Ana", reason: `hotfix ${SECRET}`, at: "2026-11-22T10:00:00Z" }],
    playbookDigest: "sha256:playbook",
    artifacts: [{ source: notes }],
    ...(options.signed ? { sign } : {}),
    now: () => new Date("2026-11-22T10:20:00Z"),
  });
  return { dir, written };
}

describe("evidence bundles", () => {
  it("writes manifest, journal, artifacts and sorted sha256sum-style checksums, and verifies clean", async () => {
    const { dir, written } = await writeBundle();

    expect(readdirSync(dir, { recursive: true }).sort()).toEqual([
      "artifacts",
      "artifacts/release-notes.md",
      "checksums.txt",
      "journal.jsonl",
      "manifest.json",
    ]);
    const checksums = readFileSync(join(dir, "checksums.txt"), "utf8");
    expect(
      checksums
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("  ")[1]),
    ).toEqual(["artifacts/release-notes.md", "journal.jsonl", "manifest.json"]);
    expect(checksums).toContain(`${sha256(readFileSync(join(dir, "manifest.json")))}  manifest.json\n`);

    const manifest = written.manifest;
    expect(manifest).toMatchObject({
      schema: "relctl.evidence/v1",
      relctlVersion: "0.1.0",
      runId: "20261122T101500Z-3fa2",
      playbookDigest: "sha256:playbook",
      release: { version: "1.4.0", tag: "v1.4.0", imageDigests: { api: `sha256:${"b".repeat(64)}` } },
      run: { status: "succeeded", exitCode: 0, name: "api" },
      files: { journal: "journal.jsonl", artifacts: ["artifacts/release-notes.md"] },
    });
    expect(manifest.gates).toEqual([
      {
        stage: "canary",
        step: "error-rate",
        uses: "prometheus.gate",
        status: "succeeded",
        measurements: [
          { at: "2026-11-22T10:16:00Z", query: "rate(errors[5m])", value: 0.002, verdict: "passed" },
          {
            at: "2026-11-22T10:17:00Z",
            query: "rate(errors[5m])",
            value: 0.004,
            verdict: "passed",
            reason: "***",
          },
        ],
      },
    ]);
    expect(
      manifest.stages.map((stage) => [
        stage.stage,
        stage.durationMs,
        stage.steps.map((step) => [step.step, step.durationMs]),
      ]),
    ).toEqual([
      ["build", 1600, [["compile", 1500]]],
      [
        "canary",
        150000,
        [
          ["error-rate", 120000],
          ["promote", 30000],
        ],
      ],
    ]);
    expect(manifest.approvals).toHaveLength(1);

    const report = await verifyEvidence(dir);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.signature.state).toBe("absent");
    expect(formatEvidenceReport(report)).toContain(
      "ok (every checksum matches; the manifest agrees with the journal)",
    );
  });

  it("never writes a secret planted in the events, the approvals, the break-glass record or an artifact, in any encoding", async () => {
    const { dir } = await writeBundle({ signed: true });
    const forms = [
      SECRET,
      encodeURIComponent(SECRET),
      JSON.stringify(SECRET).slice(1, -1),
      Buffer.from(SECRET).toString("base64"),
    ];
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) =>
      entry.isFile(),
    );
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const entry of files) {
      const bytes = readFileSync(join(entry.parentPath, entry.name));
      for (const form of forms)
        expect(bytes.includes(Buffer.from(form)), `${entry.name} holds ${form}`).toBe(false);
    }
    expect(readFileSync(join(dir, "artifacts", "release-notes.md"), "utf8")).toContain(
      "Deployed with token *** (oops)",
    );
  });

  it.each([
    [
      "an edited file",
      (dir: string) => appendFileSync(join(dir, "artifacts/release-notes.md"), "\nP.S. all good"),
      "changed: artifacts/release-notes.md",
    ],
    [
      "a deleted file",
      (dir: string) => rmSync(join(dir, "artifacts/release-notes.md")),
      "missing: artifacts/release-notes.md",
    ],
    [
      "an added file",
      (dir: string) => writeFileSync(join(dir, "artifacts/extra.txt"), "hi"),
      "extra: artifacts/extra.txt",
    ],
  ])("detects %s and names it", async (_what, tamper, problem) => {
    const { dir } = await writeBundle();
    tamper(dir);
    const report = await verifyEvidence(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.stringContaining(problem)]);
  });

  it("detects a measurement edited in the manifest, by checksum and against the journal", async () => {
    const { dir } = await writeBundle();
    const path = join(dir, "manifest.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"value": 0.004', '"value": 0.0001'));

    const report = await verifyEvidence(dir);

    expect(report.changed).toEqual(["manifest.json"]);
    expect(report.manifest).toEqual([
      "gates[0].measurements[1].value is 0.0001 in the manifest, but the journal says 0.004",
    ]);
  });

  it("still catches an edited manifest when checksums.txt was recomputed to match", async () => {
    const { dir } = await writeBundle();
    const path = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(path, "utf8")) as { stages: { steps: { status: string }[] }[] };
    manifest.stages[1]!.steps[1]!.status = "skipped";
    writeFileSync(path, JSON.stringify(manifest, null, 2));
    const files = new Map(
      ["artifacts/release-notes.md", "journal.jsonl", "manifest.json"].map((name) => [
        name,
        readFileSync(join(dir, name)),
      ]),
    );
    writeFileSync(join(dir, "checksums.txt"), checksumsText(files));

    const report = await verifyEvidence(dir);

    expect(report.changed).toEqual([]);
    expect(report.problems).toEqual([
      'manifest: stages[1].steps[1].status is "skipped" in the manifest, but the journal says "succeeded"',
    ]);
  });

  it("verifies the signature through the hook, and reports it failed when journal, manifest and checksums were all rewritten", async () => {
    const { dir, written } = await writeBundle({ signed: true });
    expect(written.signatureFiles).toEqual(["checksums.txt.sig"]);
    expect((await verifyEvidence(dir, { verifySignature })).signature).toEqual({
      state: "verified",
      message: "signature matches checksums.txt",
    });
    expect((await verifyEvidence(dir)).signature.state).toBe("unverified");

    appendFileSync(join(dir, "artifacts/release-notes.md"), "rewritten");
    const files = new Map(
      ["artifacts/release-notes.md", "journal.jsonl", "manifest.json"].map((name) => [
        name,
        readFileSync(join(dir, name)),
      ]),
    );
    writeFileSync(join(dir, "checksums.txt"), checksumsText(files));

    const report = await verifyEvidence(dir, { verifySignature });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(["signature: signature does not match checksums.txt"]);
  });

  it("fails a required signature on an unsigned bundle", async () => {
    const { dir } = await writeBundle();
    const report = await verifyEvidence(dir, { requireSignature: true, verifySignature });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(["a verified signature is required: the bundle is not signed"]);
  });

  it("reports damaged checksum lines and a missing checksums file", async () => {
    const { dir } = await writeBundle();
    appendFileSync(join(dir, "checksums.txt"), `${"0".repeat(64)}  ../../etc/passwd\n`);
    expect((await verifyEvidence(dir)).malformed).toEqual([`line 4: ${"0".repeat(64)}  ../../etc/passwd`]);
    rmSync(join(dir, "checksums.txt"));
    expect((await verifyEvidence(dir)).problems).toEqual([
      "checksums.txt is missing: nothing in the bundle can be checked",
    ]);
  });

  it("refuses to copy a binary artifact that contains a secret, and to write into a folder that is not empty", async () => {
    const root = mkdtempSync(join(tmpdir(), "relctl-evidence-"));
    const redactor = new Redactor();
    redactor.add(SECRET);
    const binary = join(root, "image.bin");
    writeFileSync(binary, Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(SECRET)]));
    const journalFile = join(root, "journal.jsonl");
    writeFileSync(journalFile, "");
    await expect(
      writeEvidence(redactor, {
        dir: join(root, "out"),
        relctlVersion: "0.1.0",
        journalFile,
        artifacts: [{ source: binary }],
      }),
    ).rejects.toThrow(/is binary and contains a secret/);
    await expect(writeEvidence(redactor, { dir: root, relctlVersion: "0.1.0", journalFile })).rejects.toThrow(
      /is not empty/,
    );
  });
});

/** Rewrites checksums.txt for exactly these files, as someone covering their tracks would. */
function recomputeChecksums(dir: string, names: string[]): void {
  writeFileSync(
    join(dir, "checksums.txt"),
    checksumsText(new Map(names.map((name) => [name, readFileSync(join(dir, name))]))),
  );
}

describe("evidence verify catches a bundle that was cut or pointed elsewhere", () => {
  it("fails when an artifact and its checksums.txt line are both deleted: the manifest still lists it", async () => {
    const { dir } = await writeBundle();
    rmSync(join(dir, "artifacts/release-notes.md"));
    recomputeChecksums(dir, ["journal.jsonl", "manifest.json"]);

    const report = await verifyEvidence(dir);

    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      "manifest: files.artifacts lists artifacts/release-notes.md, but it is not in checksums.txt nor in the folder",
    ]);
  });

  it("fails when the journal's own checksum line is deleted with the journal", async () => {
    const { dir } = await writeBundle();
    rmSync(join(dir, "journal.jsonl"));
    recomputeChecksums(dir, ["artifacts/release-notes.md", "manifest.json"]);

    const report = await verifyEvidence(dir);

    expect(report.ok).toBe(false);
    expect(report.problems).toContain(
      "manifest: files.journal lists journal.jsonl, but it is not in checksums.txt nor in the folder",
    );
  });

  it("fails when a torn last line is appended to journal.jsonl and its checksum updated", async () => {
    const { dir } = await writeBundle();
    const whole = readFileSync(join(dir, "journal.jsonl"), "utf8").split("\n").length - 1;
    appendFileSync(join(dir, "journal.jsonl"), '{"v":1,"seq":99,"type":"run.end","status":"succ');
    recomputeChecksums(dir, ["artifacts/release-notes.md", "journal.jsonl", "manifest.json"]);

    const report = await verifyEvidence(dir);

    expect(report.ok).toBe(false);
    expect(report.changed).toEqual([]);
    expect(report.problems).toEqual([
      `manifest: journal.jsonl ends in a torn line (line ${whole + 1}: {"v":1,"seq":99,"type":"run.end","status":"succ): relctl writes whole lines only`,
    ]);
  });

  it("fails when journal.jsonl is a symlink to a file outside the bundle, even with matching bytes", async () => {
    const { dir } = await writeBundle();
    const outside = join(mkdtempSync(join(tmpdir(), "relctl-outside-")), "journal.jsonl");
    writeFileSync(outside, readFileSync(join(dir, "journal.jsonl")));
    rmSync(join(dir, "journal.jsonl"));
    symlinkSync(outside, join(dir, "journal.jsonl"));

    const report = await verifyEvidence(dir);

    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      `journal.jsonl is a symbolic link (to ${outside}): a bundle holds its own files, not links`,
    ]);
  });

  it("fails when an artifact, or the folder holding it, is a symlink", async () => {
    const { dir } = await writeBundle();
    const elsewhere = mkdtempSync(join(tmpdir(), "relctl-outside-"));
    writeFileSync(join(elsewhere, "release-notes.md"), readFileSync(join(dir, "artifacts/release-notes.md")));
    rmSync(join(dir, "artifacts"), { recursive: true });
    symlinkSync(elsewhere, join(dir, "artifacts"));

    const report = await verifyEvidence(dir);

    expect(report.ok).toBe(false);
    expect(report.problems).toContain(
      `artifacts is a symbolic link (to ${elsewhere}): a bundle holds its own files, not links`,
    );
  });
});
