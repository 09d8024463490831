// Small formatting helpers shared by the terminal reporters.
import type { StepErrorInfo } from "../run/events.js";
import { lastLines } from "../util/text.js";

/** Quotes an argv element for display only (never executed): plain words stay plain. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[\w@%+=:,./⟨⟩-]+$/u.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatArgv(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/** Compact one-line rendering of an input value for plans. */
export function inlineValue(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/**
 * A failed step's error as lines: the message, then the command, its exit code, the last 10
 * lines of its stderr (indented) and the hint, each under a label that `label` may style.
 */
export function errorLines(error: StepErrorInfo, label: (text: string) => string = (text) => text): string[] {
  const lines = [error.message];
  if (error.command) lines.push(`${label("command:")} ${formatArgv(error.command)}`);
  if (error.exitCode !== undefined) lines.push(`${label("exit code:")} ${error.exitCode}`);
  if (error.stderrTail) {
    lines.push(label("stderr (last lines):"));
    for (const line of lastLines(error.stderrTail, 10)?.split("\n") ?? []) lines.push(`  ${line}`);
  }
  if (error.hint) lines.push(`${label("hint:")} ${error.hint}`);
  return lines;
}
