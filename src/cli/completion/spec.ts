// What completion offers, read from the commander program itself: every visible command, its
// flags (with the ones that take a value), and what each positional argument names. Nothing
// here is a hand-kept list, so a new command or flag completes as soon as it is registered.
import type { Command } from "commander";

/** What a positional argument or an option's value is completed with. */
export type ValueKind = "stages" | "runs" | "shells" | "decisions" | "files" | "dirs" | "none";

export interface CommandSpec {
  /** The words that lead to it: "" for relctl itself, "evidence verify". */
  path: string;
  description: string;
  subcommands: string[];
  flags: string[];
  /** Flags that take a value, with what the value is. */
  valued: { flag: string; kind: ValueKind }[];
  /** Positional arguments in order; the last one repeats when `variadicLast`. */
  args: ValueKind[];
  variadicLast: boolean;
}

// Argument names, as main.ts writes them (`<stages...>`, `<run>`), mean what is completed.
const ARGUMENT_KINDS: Record<string, ValueKind> = {
  stage: "stages",
  stages: "stages",
  run: "runs",
  shell: "shells",
  decision: "decisions",
  dir: "dirs",
  file: "files",
};

function valueKind(flags: string): ValueKind {
  if (/<(dir|directory)>/.test(flags)) return "dirs";
  if (/<(file|key|file.prom)>/.test(flags)) return "files";
  return "none";
}

export function completionSpecs(program: Command): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const visit = (command: Command, path: string): void => {
    const help = command.createHelp();
    const subcommands = help.visibleCommands(command).filter((sub) => sub.name() !== "help");
    const options = help.visibleOptions(command);
    const flags = options.flatMap((option) =>
      [option.short, option.long].filter((flag) => flag !== undefined),
    );
    const valued = options
      .filter((option) => option.required || option.optional)
      .flatMap((option) =>
        [option.short, option.long]
          .filter((flag) => flag !== undefined)
          .map((flag) => ({ flag, kind: valueKind(option.flags) })),
      );
    const args = command.registeredArguments.map((arg) => ARGUMENT_KINDS[arg.name()] ?? "none");
    specs.push({
      path,
      description: command.description(),
      subcommands: subcommands.map((sub) => sub.name()),
      flags,
      valued,
      args,
      variadicLast: command.registeredArguments.at(-1)?.variadic === true,
    });
    for (const sub of subcommands) visit(sub, path === "" ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, "");
  return specs;
}
