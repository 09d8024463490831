// git.changelog_cut and git.changelog_notes: Keep a Changelog files, edited line by line.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { z } from "zod";
import { defineAction, StepFailure } from "../contract.js";
import { extractNotes, listVersions } from "../../release/changelog/notes.js";
import { cutChangelogFile, readChangelogText } from "../../release/changelog-file.js";
import type { GitClient } from "../../release/git-client.js";
import { headCommit } from "../../release/git-history.js";
import { normaliseVersion } from "../../release/tag-format.js";
import {
  guarded,
  openRepository,
  rcFormatField,
  repoDirectory,
  repoField,
  tagFormat,
  tagTemplateField,
  versionField,
} from "./common.js";

const fileField = z
  .string()
  .min(1)
  .default("CHANGELOG.md")
  .describe("the changelog, relative to the repository");

/** Highlights as a Markdown list, ready for a tag message or a notification. */
export const highlightList = (highlights: readonly string[]): string =>
  highlights.map((item) => `- ${item}`).join("\n");

export const changelogCut = defineAction({
  description: "Move [Unreleased] under ## [X.Y.Z] - date, open a new [Unreleased], update compare links",
  input: z.object({
    repo: repoField,
    file: fileField,
    version: versionField.describe("the version the Unreleased section becomes, like 1.2.0"),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
      .optional()
      .describe("release date (default: today, UTC)"),
    from_commits: z
      .boolean()
      .default(false)
      .describe("first add entries from the conventional commits since the last release"),
    tag_format: tagTemplateField,
    rc_format: rcFormatField,
    allow_empty: z.boolean().default(false).describe("cut even when [Unreleased] has no entries"),
    commit: z.boolean().default(false).describe("commit the changelog (only that file)"),
    commit_message: z.string().min(1).optional().describe("default: chore(release): <version>"),
  }),
  outputs: {
    file: "the changelog's path",
    version: "the version cut",
    cut: "false when the version already had a section (a re-run)",
    notes: "the release's section, without its heading",
    highlights: "its top-level entries as a Markdown list",
    added: "how many entries were filled in from commits",
    commit: "the commit that recorded the changelog (empty unless commit: true)",
  },
  mutates: true,
  plan: (input) => ({
    summary: `cut ${input.version} in ${input.file}${input.from_commits ? " (filled from commits)" : ""}${input.commit ? " and commit it" : ""}`,
    details: { file: input.file, ...(input.date ? { date: input.date } : {}) },
  }),
  run: (ctx, input) =>
    guarded("changelog_cut", async () => {
      const git = await openRepository(ctx, input.repo);
      const path = resolve(repoDirectory(ctx, input.repo), input.file);
      const version = normaliseVersion(input.version)!;
      const result = await cutChangelogFile({
        path,
        version,
        date: input.date ?? ctx.clock.now().toISOString().slice(0, 10),
        format: tagFormat(input),
        allowEmpty: input.allow_empty,
        ...(input.from_commits ? { fromCommits: { git } } : {}),
      });
      for (const warning of result.warnings) ctx.log.warn(warning);
      ctx.log.info(
        result.cut ? `cut ${version} in ${input.file}` : `${input.file} already has ${version}; left as is`,
      );
      const commit = input.commit
        ? await commitFile(git, ctx.tempDir, path, input.commit_message ?? `chore(release): ${version}`)
        : "";
      return {
        file: path,
        version,
        cut: result.cut,
        notes: result.notes,
        highlights: highlightList(result.highlights),
        added: result.added,
        commit,
      };
    }),
});

/** Commits only the changelog; also finishes a run that wrote the file but failed to commit. */
async function commitFile(git: GitClient, tempDir: string, path: string, message: string): Promise<string> {
  const file = relative(git.dir, path);
  const status = await git.run(["status", "--porcelain=v1", "--", file]);
  if (status.trim() === "") return "";
  mkdirSync(tempDir, { recursive: true });
  const messageFile = join(tempDir, "changelog-commit-message.txt");
  writeFileSync(messageFile, `${message}\n`);
  await git.run(["add", "--", file]);
  await git.run(["commit", "--quiet", "--file", messageFile, "--", file]);
  return headCommit(git);
}

export const changelogNotes = defineAction({
  description: "Read one version's section of the changelog as release notes (and its highlights)",
  input: z.object({
    repo: repoField,
    file: fileField,
    version: z
      .string()
      .default("unreleased")
      .refine((value) => value.toLowerCase() === "unreleased" || normaliseVersion(value) !== undefined, {
        message: 'must be a version or "unreleased"',
      })
      .describe('the section to read: a version, or "unreleased" (the default)'),
  }),
  outputs: {
    version: "the version read",
    notes: "the section without its heading",
    highlights: "its top-level entries as a Markdown list",
    date: "the release date in the heading (empty when none)",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `read the ${input.version} notes from ${input.file}`,
    details: { file: input.file },
  }),
  run: (ctx, input) =>
    guarded("changelog_notes", async () => {
      const path = resolve(repoDirectory(ctx, input.repo), input.file);
      if (!existsSync(path)) throw new StepFailure(`${input.file} does not exist`);
      // The same safe reader as `relctl changelog`: a FIFO or a device is refused, not waited on.
      const content = await readChangelogText(path, input.file);
      const notes = extractNotes(content, input.version);
      if (!notes) {
        const versions = listVersions(content).slice(0, 10);
        throw new StepFailure(`${input.file} has no section for ${input.version}`, {
          hint: versions.length ? `it has: ${versions.join(", ")}` : "it has no version sections yet",
        });
      }
      return {
        version: notes.heading.version ?? "unreleased",
        notes: notes.notes,
        highlights: highlightList(notes.highlights),
        date: notes.heading.date ?? "",
      };
    }),
});
