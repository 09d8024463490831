// The fish completion script: one `complete` line per command, flag and argument kind. Stage
// names and run ids come from `relctl __complete` at completion time, as for bash.
import type { CommandSpec } from "./spec.js";

const quote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

const FIXED: Record<string, string> = { shells: "bash zsh fish", decisions: "continue abort" };

export function fishScript(specs: readonly CommandSpec[]): string {
  const lines = [
    "# relctl shell completion for fish.",
    "# Install: relctl completion fish > ~/.config/fish/completions/relctl.fish",
    "complete -c relctl -f",
  ];
  const top = specs.find((spec) => spec.path === "");
  for (const spec of specs) {
    const words = spec.path === "" ? [] : spec.path.split(" ");
    const parentCondition =
      words.length <= 1
        ? "__fish_use_subcommand"
        : `__fish_seen_subcommand_from ${words[0]}; and not __fish_seen_subcommand_from ${words[1]}`;
    if (words.length > 0) {
      lines.push(
        `complete -c relctl -n ${quote(parentCondition)} -a ${words.at(-1)} -d ${quote(spec.description)}`,
      );
    }
    const condition = words.length === 0 ? "" : ` -n ${quote(`__fish_seen_subcommand_from ${words.at(-1)}`)}`;
    const valued = new Map(spec.valued.map((v) => [v.flag, v.kind]));
    for (const flag of spec.flags) {
      if (words.length > 0 && top?.flags.includes(flag)) continue;
      const name = flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
      const kind = valued.get(flag);
      const value =
        kind === undefined
          ? ""
          : kind === "dirs"
            ? " -r -a '(__fish_complete_directories)'"
            : kind === "files"
              ? " -r -F"
              : " -r";
      lines.push(`complete -c relctl${condition} ${name}${value}`);
    }
    for (const kind of new Set(spec.args)) {
      if (words.length === 0) continue;
      const source =
        kind === "stages" || kind === "runs"
          ? `(relctl __complete ${kind} -- (commandline -opc)[2..-1] 2>/dev/null)`
          : FIXED[kind];
      if (source) lines.push(`complete -c relctl${condition} -a ${quote(source)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
