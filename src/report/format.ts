// Small formatting helpers shared by the terminal reporters.

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
