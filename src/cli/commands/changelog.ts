// `relctl changelog`: print a version's notes, fill [Unreleased] from commits, or cut a release
// in a Keep a Changelog file, without a playbook. Without options it prints [Unreleased].
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import { extractNotes, listVersions } from "../../release/changelog/notes.js";
import {
  ChangelogFileError,
  cutChangelogFile,
  fillChangelogFile,
  readChangelogText,
} from "../../release/changelog-file.js";
import { normaliseVersion } from "../../release/tag-format.js";
import { fsProblem } from "../../state/fs-errors.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { openRepository, repoDir, tagFormatFrom, withReleaseErrors } from "./version.js";

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
  if (command.file !== undefined && command.file.trim() === "") {
    throw usageError("--file needs a file name, not an empty value", "leave it out to use CHANGELOG.md");
  }
  const exists = changelogExists(path, file);

  if (command.cut !== undefined) {
    const version = normaliseVersion(command.cut);
    if (version === undefined) throw usageError(`--cut "${command.cut}" is not a semantic version`);
    const date = command.date ?? today().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
      throw usageError(`--date "${date}" is not a date`, "use YYYY-MM-DD");
    }
    const result = await withReleaseErrors(async () =>
      changelogInput(async () =>
        cutChangelogFile({
          path,
          display: file,
          version,
          date,
          format,
          allowEmpty: command.allowEmpty === true,
          ...(command.fromCommits ? { fromCommits: { git: await openRepository(dir, io.env) } } : {}),
        }),
      ),
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
    const added = await withReleaseErrors(async () =>
      changelogInput(async () => fillChangelogFile(path, await openRepository(dir, io.env), format, file)),
    );
    if (options.json) io.out(`${JSON.stringify({ file: path, added })}\n`);
    else io.out(`added ${added} entr${added === 1 ? "y" : "ies"} to [Unreleased] in ${file}\n`);
    return ExitCode.ok;
  }

  const wanted = command.notes ?? "unreleased";
  if (!exists) throw usageError(`${file} does not exist`, "pass --file to name the changelog");
  const content = await withReleaseErrors(() => changelogInput(() => readChangelogText(path, file)));
  const notes = extractNotes(content, wanted);
  if (!notes) {
    const versions = listVersions(content).slice(0, 10);
    throw new RelctlError("E_CHANGELOG_VERSION", ExitCode.invalid, `${file} has no section for ${wanted}`, {
      hint: versions.length ? `it has: ${versions.join(", ")}` : "it has no version sections yet",
    });
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

/** Whether the changelog exists; a directory or an unreachable path is refused (exit 2). */
function changelogExists(path: string, file: string): boolean {
  try {
    if (statSync(path).isDirectory()) {
      throw usageError(
        `${file} is a directory, not a changelog`,
        "pass --file the changelog file, e.g. CHANGELOG.md",
      );
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    if (error instanceof RelctlError) throw error;
    throw usageError(`cannot use ${file} as the changelog: ${fsProblem(error)}`);
  }
}

/**
 * A changelog that cannot be read as text (a FIFO, /dev/zero, binary data, too big) is bad input:
 * exit 2, at the bad byte's line:column when there is one.
 */
async function changelogInput<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof ChangelogFileError)) throw error;
    const { code, at } = error.problem;
    throw new RelctlError("E_CHANGELOG_UNREADABLE", ExitCode.invalid, error.message, {
      ...(error.hint ? { hint: error.hint } : {}),
      ...(at ? { location: { file: error.display, ...at } } : {}),
      details: { problem: code },
      cause: error,
    });
  }
}
