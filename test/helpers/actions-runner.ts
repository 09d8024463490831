// What the GitHub Actions runner would take from a step's output as workflow commands, read the
// way the runner reads it (actions/runner: ProcessInvoker splits each stream with .NET's
// ReadLine, at \n, \r and \r\n; ActionCommand.TryParseV2 trims leading white space and wants
// `::name props::data`; the older ActionCommand.TryParse finds `##[name props]data` anywhere in
// the line; ActionCommandManager honours `::stop-commands::<token>` until `::<token>::`). Only
// registered command names count, case-insensitively.

/** The commands the runner registers (ActionCommandManager and its extensions). */
const REGISTERED = [
  "add-mask",
  "add-matcher",
  "add-path",
  "debug",
  "echo",
  "endgroup",
  "error",
  "group",
  "notice",
  "remove-matcher",
  "save-state",
  "set-env",
  "set-output",
  "stop-commands",
  "warning",
];

export interface RunnerCommand {
  name: string;
  /** Properties as written (`file=x.yaml,line=3`), unparsed. */
  properties: string;
  data: string;
  line: string;
}

/** .NET's String.TrimStart(): every char.IsWhiteSpace character. */
function isWhiteSpace(char: string): boolean {
  const code = char.charCodeAt(0);
  return /\s/u.test(char) || code === 0x85 || (code >= 0x1c && code <= 0x1f);
}

function trimStart(line: string): string {
  let start = 0;
  while (start < line.length && isWhiteSpace(line[start]!)) start++;
  return line.slice(start);
}

function parse(line: string, registered: ReadonlySet<string>): RunnerCommand | undefined {
  const trimmed = trimStart(line);
  if (trimmed.startsWith("::")) {
    const end = trimmed.indexOf("::", 2);
    if (end >= 0) {
      const info = trimmed.slice(2, end);
      const space = info.indexOf(" ");
      const name = space < 0 ? info : info.slice(0, space);
      if (registered.has(name.toLowerCase())) {
        return {
          name,
          properties: space < 0 ? "" : info.slice(space + 1),
          data: trimmed.slice(end + 2),
          line,
        };
      }
    }
  }
  const prefix = line.indexOf("##[");
  if (prefix < 0) return undefined;
  const close = line.indexOf("]", prefix);
  if (close < 0) return undefined;
  const info = line.slice(prefix + 3, close);
  const space = info.indexOf(" ");
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  return { name, properties: space < 0 ? "" : info.slice(space + 1), data: line.slice(close + 1), line };
}

/** The commands the runner would process from one stream's text, in order. */
export function runnerCommands(text: string): RunnerCommand[] {
  const registered = new Set(REGISTERED);
  let stopToken: string | undefined;
  const processed: RunnerCommand[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const command = parse(line, stopToken === undefined ? registered : new Set([...registered, stopToken]));
    if (!command) continue;
    const name = command.name.toLowerCase();
    if (stopToken !== undefined) {
      if (name === stopToken) stopToken = undefined;
      continue;
    }
    if (name === "stop-commands") stopToken = command.data.toLowerCase();
    processed.push(command);
  }
  return processed;
}
