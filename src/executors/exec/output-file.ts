// The $RELCTL_OUTPUT file format, the one GitHub Actions users know from $GITHUB_OUTPUT:
//   name=value              one line
//   name<<DELIMITER         several lines, up to a line that is exactly DELIMITER
// A later line for the same name wins.

export function parseOutputFile(text: string): Map<string, string> {
  const outputs = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === "") continue;
    const heredoc = /^([A-Za-z_][A-Za-z0-9_-]*)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      index++;
      while (index < lines.length && lines[index] !== delimiter) body.push(lines[index++]!);
      outputs.set(name!, body.join("\n"));
      continue;
    }
    const equals = line.indexOf("=");
    if (equals > 0) outputs.set(line.slice(0, equals).trim(), line.slice(equals + 1));
  }
  return outputs;
}
