// The evidence executor: write the evidence bundle of the run so far, in the middle of the run,
// and pack it as a .tar.gz — so a promote can attach it to the GitHub release it publishes. The
// bundle is built from the run's journal (already redacted, fsync'd as steps end), the same
// way the bundle at the end of the run is. Extra files (an SBOM, provenance, a lock file) go in
// as artifacts, redacted with the run's secrets; every one is read and checked before anything
// is written.
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { RelctlError } from "../errors.js";
import { isSafeRelative, writeEvidence } from "../state/evidence.js";
import { journalPath, runDir } from "../state/paths.js";
import { readInputBytes, type InputFileKind } from "../util/input-file.js";
import { relctlVersion } from "../util/package-version.js";
import { lastLines, STDERR_TAIL_LINES } from "../util/text.js";
import { defineAction, StepFailure, type ActionContext, type Executor } from "./contract.js";
import { runPath } from "./shared/command.js";

const input = z.strictObject({
  dir: z.string().min(1).optional().describe("bundle folder (default: .relctl/runs/<run>/evidence-<step>)"),
  archive: z
    .string()
    .min(1)
    .optional()
    .describe(
      "also pack the bundle as this .tar.gz (relative to the run's directory), e.g. for a release asset",
    ),
  version: z.string().optional().describe("release version recorded in the manifest"),
  tag: z.string().optional().describe("release tag recorded in the manifest"),
  environment: z.string().optional().describe("environment recorded in the manifest"),
  artifacts: z
    .array(
      z.union([
        z.string().min(1),
        z.strictObject({
          path: z.string().min(1).describe("the file, relative to the run's directory"),
          name: z.string().min(1).optional().describe("its name under artifacts/ (default: the file's name)"),
        }),
      ]),
    )
    .default([])
    .describe("extra files copied into the bundle's artifacts/ folder (SBOM, provenance, lock files)"),
});

/** An SBOM or a lock file is megabytes; a file this large is a mistake, not evidence. */
const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

const ARTIFACT_FILE: InputFileKind = {
  what: "evidence artifact",
  label: "the evidence artifact",
  format: "any file",
  maxBytes: MAX_ARTIFACT_BYTES,
  check: "build it in an earlier step, or fix the path (relative to the run's directory)",
};

type ArtifactInput = z.output<typeof input>["artifacts"][number];

function artifactSpec(artifact: ArtifactInput): { path: string; name?: string } {
  return typeof artifact === "string" ? { path: artifact } : artifact;
}

/** Reads and checks every artifact before the bundle is written: a missing one fails first. */
async function readArtifacts(
  ctx: ActionContext,
  artifacts: readonly ArtifactInput[],
): Promise<{ source: string; name: string; content: Buffer }[]> {
  const read: { source: string; name: string; content: Buffer }[] = [];
  for (const spec of artifacts.map(artifactSpec)) {
    const source = runPath(ctx, spec.path);
    const name = spec.name ?? basename(source);
    if (name.includes("\\") || !isSafeRelative(`artifacts/${name}`)) {
      throw new StepFailure(
        `the artifact name ${JSON.stringify(name)} leaves the bundle's artifacts/ folder`,
        {
          hint: "name it with a path inside artifacts/: forward slashes, no .., ., or leading /",
        },
      );
    }
    if (read.some((artifact) => artifact.name === name)) {
      throw new StepFailure(`two artifacts are named ${name}`, {
        hint: "give one of them another name: { path: …, name: … }",
      });
    }
    const bytes = await readInputBytes(source, spec.path, ARTIFACT_FILE);
    if ("problem" in bytes) throw new StepFailure(bytes.problem.message, { hint: bytes.problem.hint });
    read.push({ source, name, content: bytes.bytes });
  }
  return read;
}

const bundle = defineAction({
  description:
    "Write the evidence bundle of the run so far (manifest, journal, checksums), optionally as .tar.gz",
  input,
  outputs: {
    dir: "the bundle folder",
    archive: "the .tar.gz, when asked for",
    files:
      "the files the bundle's checksums.txt covers (manifest, journal, artifacts/<name> of each artifact)",
  },
  mutates: true,
  plan: (value) => ({
    summary: `write the run's evidence bundle${value.artifacts.length ? ` with ${value.artifacts.length} artifact${value.artifacts.length === 1 ? "" : "s"}` : ""}${value.archive ? ` and pack it as ${value.archive}` : ""}`,
    ...(value.archive
      ? { argv: ["tar", "-czf", value.archive, "-C", value.dir ?? "<bundle folder>", "."] }
      : {}),
    ...(value.artifacts.length ? { details: { artifacts: value.artifacts.map(artifactSpec) } } : {}),
  }),
  async run(ctx, value) {
    const journal = journalPath(ctx.run.stateDir, ctx.run.id);
    if (!existsSync(journal)) {
      throw new StepFailure("this run has no journal to build evidence from", {
        hint: "evidence bundles are written for runs started from the relctl command line (not dry-runs)",
      });
    }
    const dir = value.dir
      ? runPath(ctx, value.dir)
      : join(runDir(ctx.run.stateDir, ctx.run.id), `evidence-${ctx.step.id}`);
    const artifacts = await readArtifacts(ctx, value.artifacts);
    const written = await writeEvidence(ctx, {
      dir,
      relctlVersion: relctlVersion(),
      journalFile: journal,
      release: {
        ...(value.version ? { version: value.version } : {}),
        ...(value.tag ? { tag: value.tag } : {}),
        ...(value.environment ? { environment: value.environment } : {}),
      },
      artifacts,
    }).catch((error: unknown) => {
      // A binary artifact holding a secret, a folder that is not empty: the step's failure.
      if (error instanceof RelctlError)
        throw new StepFailure(error.message, { hint: error.hint, cause: error });
      throw error;
    });
    ctx.record("evidence.bundle", { dir, files: written.files.length });
    const outputs: Record<string, unknown> = { dir, archive: null, files: written.files };
    if (value.archive) {
      const archive = runPath(ctx, value.archive);
      const argv = ["tar", "-czf", archive, "-C", dir, "."];
      const result = await ctx.exec.run(argv, { signal: ctx.signal });
      if (result.exitCode !== 0) {
        throw new StepFailure(`tar exited with code ${result.exitCode}`, {
          command: argv,
          exitCode: result.exitCode,
          stderrTail: lastLines(result.stderr, STDERR_TAIL_LINES),
        });
      }
      outputs.archive = archive;
    }
    return outputs;
  },
});

const evidence: Executor = {
  name: "evidence",
  description: "Evidence bundles during a run",
  actions: { bundle },
};

export default evidence;
