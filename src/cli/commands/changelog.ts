// `relctl changelog`: print a version's notes, fill [Unreleased] from commits, or cut a release
// in a Keep a Changelog file, without a playbook. Without options it prints [Unreleased].
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import { extractNotes, listVersions } from "../../release/changelog/notes.js";
import { cutChangelogFile, fillChangelogFile } from "../../release/changelog-file.js";
import { openGit } from "../../release/git-client.js";
import { normaliseVersion } from "../../release/tag-format.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { repoDir, tagFormatFrom, withReleaseErrors } from "./version.js";

export interface ChangelogCommandOptions {
  cut?: string;
  notes?: string;
  file?: string;
  date?: string;
  fromCommits?: boolean;
  allowEmpty?: boolean;
  tagFormat?: string;
  repo?: string;
}

export async function changelogCommand(
  command: ChangelogCommandOptions,
  options: GlobalOptions,
  io: Io,
  today: () => Date = () => new Date(),
): Promise<number> {
  if (command.cut !== undefined && command.notes !== undefined) {
    throw usageError(
      "--cut and --notes do not go together",
      "cut first, then print the notes of the new version",
    );
  }
  const dir = repoDir(command.repo, options);
  const file = command.file ?? "CHANGELOG.md";
  const path = resolve(dir, file);
  const format = tagFormatFrom(command);

  if (command.cut !== undefined) {
    const version = normaliseVersion(command.cut);
    if (version === undefined) throw usageError(`--cut "${command.cut}" is not a semantic version`);
    const date = command.date ?? today().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
      throw usageError(`--date "${date}" is not a date`, "use YYYY-MM-DD");
    }
    const result = await withReleaseErrors(() =>
      cutChangelogFile({
        path,
        version,
        date,
        format,
        allowEmpty: command.allowEmpty === true,
        ...(command.fromCommits ? { fromCommits: { git: openGit({ dir, env: io.env }) } } : {}),
      }),
    );
    for (const warning of result.warnings) io.err(`${io.color.yellow("warning")}: ${warning}\n`);
    if (options.json) {
      const { notes, highlights, cut, added, warnings } = result;
      io.out(`${JSON.stringify({ file: path, version, date, cut, added, notes, highlights, warnings })}\n`);
    } else if (result.cut) {
      const filled = result.added
        ? ` with ${result.added} entr${result.added === 1 ? "y" : "ies"} from commits`
        : "";
      io.out(`cut ${version} (${date}) in ${file}${filled}\n`);
    } else {
      io.out(`${file} already has ${version}; nothing changed\n`);
    }
    return ExitCode.ok;
  }

  if (command.fromCommits) {
    const added = await withReleaseErrors(() =>
      fillChangelogFile(path, openGit({ dir, env: io.env }), format),
    );
    if (options.json) io.out(`${JSON.stringify({ file: path, added })}\n`);
    else io.out(`added ${added} entr${added === 1 ? "y" : "ies"} to [Unreleased] in ${file}\n`);
    return ExitCode.ok;
  }

  const wanted = command.notes ?? "unreleased";
  if (!existsSync(path)) throw usageError(`${file} does not exist`, "pass --file to name the changelog");
  const content = readFileSync(path, "utf8");
  const notes = extractNotes(content, wanted);
  if (!notes) {
    const versions = listVersions(content).slice(0, 10);
    throw new RelctlError(
      "E_CHANGELOG_VERSION",
      ExitCode.stepFailed,
      `${file} has no section for ${wanted}`,
      {
        hint: versions.length ? `it has: ${versions.join(", ")}` : "it has no version sections yet",
      },
    );
  }
  if (options.json) {
    const version = notes.heading.version ?? "unreleased";
    io.out(
      `${JSON.stringify({ version, date: notes.heading.date ?? "", notes: notes.notes, highlights: notes.highlights })}\n`,
    );
  } else {
    io.out(notes.notes ? `${notes.notes}\n` : "");
  }
  return ExitCode.ok;
}
