// Text helpers shared by executors and reporters.

/**
 * How many lines of a failed command's output a StepFailure keeps as `stderrTail`: enough for
 * the error and what led up to it. Reporters may show fewer (the terminal shows 10).
 */
export const STDERR_TAIL_LINES = 20;

/**
 * The last `count` lines of `text` (a command's stderr, usually), joined with "\n": trailing
 * whitespace and blank lines before the first kept line are dropped, the indentation of the kept
 * lines is not. Undefined when nothing but whitespace is left, or when `count` is below 1.
 *
 * @example lastLines("a\nb\nc\n", 2) === "b\nc"
 */
export function lastLines(text: string, count: number): string | undefined {
  if (count < 1) return undefined;
  const lines = text.trimEnd().split("\n").slice(-count);
  const first = lines.findIndex((line) => line.trim() !== "");
  return first === -1 ? undefined : lines.slice(first).join("\n");
}
