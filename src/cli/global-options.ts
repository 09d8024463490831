// Options every command accepts, before or after the command name.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { usageError } from "../errors.js";

export interface GlobalOptions {
  playbook?: string;
  var: string[];
  /** --vars-file, in order: a later file wins per key. */
  varsFiles?: string[];
  dryRun: boolean;
  yes: boolean;
  json: boolean;
  color: boolean;
  verbose: boolean;
  cwd?: string;
  /** Where run state lives (default .relctl/ in the run's directory). */
  stateDir?: string;
}

/** The directory the command works in: -C/--cwd, else the current directory. */
export function cwdOf(options: Pick<GlobalOptions, "cwd">): string {
  return resolve(options.cwd ?? process.cwd());
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const GLOBAL_KEYS: (keyof GlobalOptions)[] = [
  "playbook",
  "dryRun",
  "yes",
  "json",
  "color",
  "verbose",
  "cwd",
  "stateDir",
];

export function addGlobalOptions(command: Command): Command {
  return command
    .option("-p, --playbook <file>", "playbook file (default: relctl.yaml, then relctl.yml)")
    .option("--var <key=value>", "set a playbook var (repeatable)", collect, [])
    .option(
      "--vars-file <file>",
      "read playbook vars from a YAML or JSON map (repeatable: a later file wins per key)",
      collect,
      [],
    )
    .option("--dry-run", "show what would run; run nothing that mutates", false)
    .option("--yes", "do not ask for confirmation (for CI)", false)
    .option("--json", "print one JSON event per line on stdout; logs go to stderr", false)
    .addOption(new Option("--no-color", "disable colour (also NO_COLOR=1)"))
    .option("-v, --verbose", "show debug logs and stack traces", false)
    .option("-C, --cwd <dir>", "directory to run in (default: the current directory)")
    .option(
      "--state-dir <dir>",
      "where relctl keeps run state: journals, locks, approvals (default .relctl)",
    );
}

/**
 * The global options of a command line, whether written before the command name (`relctl
 * --json lint`, parsed by the program) or after it: a value given on the command line wins over
 * a default at any level, and `--var` collects from both places.
 */
export function globalOptions(command: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let current: Command | null = command; current; current = current.parent) chain.push(current);
  const given = (key: keyof GlobalOptions): unknown => {
    for (const level of chain) {
      if (level.getOptionValueSource(key) === "cli") return level.getOptionValue(key);
    }
    return chain.map((level) => level.getOptionValue(key) as unknown).find((value) => value !== undefined);
  };
  const collected = (key: "var" | "varsFile"): string[] =>
    chain
      .slice()
      .reverse()
      .flatMap((level) =>
        level.getOptionValueSource(key) === "cli" ? (level.getOptionValue(key) as string[]) : [],
      );
  const vars = collected("var");
  const raw = {
    ...Object.fromEntries(GLOBAL_KEYS.map((key) => [key, given(key)])),
    var: vars,
  } as Partial<GlobalOptions>;
  return {
    playbook: raw.playbook,
    var: raw.var ?? [],
    varsFiles: collected("varsFile"),
    dryRun: raw.dryRun === true,
    yes: raw.yes === true,
    json: raw.json === true,
    color: raw.color !== false,
    verbose: raw.verbose === true,
    cwd: raw.cwd,
    stateDir: raw.stateDir,
  };
}

/**
 * Refuses global options that would otherwise be misread quietly: `-C` naming a directory that
 * does not exist (not "no playbook found"), and an empty `--state-dir` or `-C` (not the default).
 */
export function checkGlobalOptions(options: GlobalOptions): void {
  if (options.cwd !== undefined) {
    if (options.cwd.trim() === "") throw usageError("-C/--cwd needs a directory, not an empty value");
    const dir = resolve(options.cwd);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch {
      throw usageError(`-C/--cwd ${dir}: the directory does not exist`, "pass the directory to run in");
    }
    if (!isDirectory) throw usageError(`-C/--cwd ${dir} is a file, not a directory`);
  }
  if (options.stateDir !== undefined && options.stateDir.trim() === "") {
    throw usageError(
      "--state-dir needs a directory, not an empty value",
      "leave --state-dir out to use .relctl/ in the directory relctl runs in",
    );
  }
}
