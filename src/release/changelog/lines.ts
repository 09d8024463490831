// A changelog held as lines that each remember their own line ending, so joining them gives back
// the exact bytes that were read (CRLF, mixed endings, a missing final newline, trailing spaces).
// Edits only insert lines or replace one line's text; nothing is re-flowed or re-formatted.

export interface Line {
  text: string;
  /** "\n", "\r\n" or "" (the last line of a file that does not end with a newline). */
  eol: string;
}

export interface LineFile {
  lines: Line[];
  /** The ending new lines get: the file's most common one, "\n" for a new file. */
  eol: string;
}

export function splitLines(content: string): LineFile {
  const lines: Line[] = [];
  let crlf = 0;
  let lf = 0;
  let start = 0;
  while (start < content.length) {
    const newline = content.indexOf("\n", start);
    if (newline === -1) {
      lines.push({ text: content.slice(start), eol: "" });
      break;
    }
    const carriage = newline > start && content[newline - 1] === "\r";
    lines.push({
      text: content.slice(start, carriage ? newline - 1 : newline),
      eol: carriage ? "\r\n" : "\n",
    });
    if (carriage) crlf++;
    else lf++;
    start = newline + 1;
  }
  return { lines, eol: crlf > lf ? "\r\n" : "\n" };
}

export function joinLines(file: LineFile): string {
  return file.lines.map((line) => line.text + line.eol).join("");
}

/** Inserts new lines before `index`; appending after a last line without a newline keeps it so. */
export function insertLines(file: LineFile, index: number, texts: readonly string[]): void {
  if (texts.length === 0) return;
  const previous = file.lines[index - 1];
  const missingFinalNewline = index >= file.lines.length && previous !== undefined && previous.eol === "";
  if (previous && previous.eol === "") previous.eol = file.eol;
  const inserted = texts.map((text) => ({ text, eol: file.eol }));
  if (missingFinalNewline) inserted[inserted.length - 1]!.eol = "";
  file.lines.splice(index, 0, ...inserted);
}

export function isBlank(line: Line | undefined): boolean {
  return line === undefined || line.text.trim() === "";
}
