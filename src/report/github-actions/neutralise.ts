// Under GitHub Actions nothing a child printed may speak to the runner. The runner reads every
// line relctl writes, on stdout and stderr alike, split at \n, \r and \r\n, and runs it as a
// workflow command when, after trimming leading whitespace, it starts with `::` (`::error::…`,
// `::stop-commands::…`, `::add-mask::…`), or when it holds the older `##[command]` form anywhere.
// A step's stderr shown after its failure, a command's output with -v, a tool version in
// `relctl doctor`: each could carry such a line.
//
// So every text relctl writes there passes through a neutraliser, and relctl's own workflow
// commands go out on a channel of their own (Io.workflow). A line that would be a command gets a
// backslash before its `::`, or between `##` and `[` (`\::error::fake`, `##\[error]`): the log
// still shows what the child printed, and the runner reads plain text. In JSON lines `[` becomes
// `\u005b`, which decodes to the same string.
//
// Escaping each line rather than wrapping output in `::stop-commands::<token>` … `::<token>::`
// needs no state in the runner: it does not depend on the order in which the runner reads the
// two pipes (it does not keep the order across them), it cannot be left switched off by a relctl
// that dies in between, it covers the `##[` form too, and relctl's own annotations never wait
// for a resume token.

/** What the runner's TrimStart removes (Unicode white space), and, to be safe, controls and format characters. */
const BLANK = /[\s\p{Cc}\p{Cf}\p{Z}]/u;

export type NeutralisedStream = "text" | "json";

/** A writer's filter: call it with each chunk in order; it keeps the line state between chunks. */
export function workflowCommandNeutraliser(stream: NeutralisedStream = "text"): (chunk: string) => string {
  const bracket = stream === "json" ? "\\u005b" : "\\[";
  // The line so far is only blank characters (a `::` here would start a command).
  let blankSoFar = true;
  // The line so far is blank characters and one `:` already written.
  let colonWritten = false;
  // How many `#` end the line so far.
  let hashes = 0;
  return (chunk) => {
    let out = "";
    for (let index = 0; index < chunk.length; index++) {
      const char = chunk[index]!;
      if (char === "\n" || char === "\r") {
        out += char;
        blankSoFar = true;
        colonWritten = false;
        hashes = 0;
        continue;
      }
      if (colonWritten) {
        colonWritten = false;
        if (char === ":") {
          out += "\\:";
          continue;
        }
      }
      if (blankSoFar && char === ":") {
        blankSoFar = false;
        hashes = 0;
        if (chunk[index + 1] === ":") {
          out += "\\::";
          index++;
        } else {
          out += ":";
          colonWritten = index + 1 === chunk.length;
        }
        continue;
      }
      if (char === "[" && hashes >= 2) {
        out += bracket;
        hashes = 0;
        blankSoFar = false;
        continue;
      }
      if (blankSoFar && BLANK.test(char)) {
        out += char;
        continue;
      }
      blankSoFar = false;
      hashes = char === "#" ? hashes + 1 : 0;
      out += char;
    }
    return out;
  };
}

/** One complete text through a fresh neutraliser. */
export function neutraliseWorkflowCommands(text: string, stream: NeutralisedStream = "text"): string {
  return workflowCommandNeutraliser(stream)(text);
}
