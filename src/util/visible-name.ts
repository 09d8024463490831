// Names taken from a user's file, shown so that what looks alike is told apart: a zero-width
// space in "tim\u200beout" would otherwise print exactly like "timeout".

// Control, format (zero-width, bidi, tags), private-use, unassigned and lone surrogate characters,
// every separator (the plain space is kept), and the backslash that the escapes themselves use.
const INVISIBLE = /[\p{C}\p{Z}\\]/gu;

/** The name with invisible and control characters written as escapes: tim\u200beout. */
export function visibleName(name: string): string {
  return name.replace(INVISIBLE, escape);
}

/** The name in double quotes, escaped like visibleName: "tim\u200beout". */
export function quotedName(name: string): string {
  return `"${visibleName(name).replaceAll('"', '\\"')}"`;
}

const SHORT: Record<string, string> = { " ": " ", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

function escape(char: string): string {
  const short = SHORT[char];
  if (short !== undefined) return short;
  const code = char.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}
