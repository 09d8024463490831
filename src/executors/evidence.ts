// The evidence executor: write the evidence bundle of the run so far, in the middle of the run,
// and pack it as a .tar.gz — so a promote can attach it to the GitHub release it publishes. The
// bundle is built from the run's journal (already redacted, fsync'd as steps end), the same
// way the bundle at the end of the run is.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Redactor } from "../run/redact.js";
import { writeEvidence } from "../state/evidence.js";
import { journalPath, runDir } from "../state/paths.js";
import { relctlVersion } from "../util/package-version.js";
import { lastLines, STDERR_TAIL_LINES } from "../util/text.js";
import { defineAction, StepFailure, type Executor } from "./contract.js";
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
});

const bundle = defineAction({
  description:
    "Write the evidence bundle of the run so far (manifest, journal, checksums), optionally as .tar.gz",
  input,
  outputs: {
    dir: "the bundle folder",
    archive: "the .tar.gz, when asked for",
    files: "the files the bundle's checksums.txt covers",
  },
  mutates: true,
  plan: (value) => ({
    summary: `write the run's evidence bundle${value.archive ? ` and pack it as ${value.archive}` : ""}`,
    ...(value.archive
      ? { argv: ["tar", "-czf", value.archive, "-C", value.dir ?? "<bundle folder>", "."] }
      : {}),
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
    const written = await writeEvidence(new Redactor(), {
      dir,
      relctlVersion: relctlVersion(),
      journalFile: journal,
      release: {
        ...(value.version ? { version: value.version } : {}),
        ...(value.tag ? { tag: value.tag } : {}),
        ...(value.environment ? { environment: value.environment } : {}),
      },
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
