// The GitHub Actions runner's text protocols: workflow commands (`::error file=…::message`) and
// the `name<<DELIMITER` blocks of $GITHUB_OUTPUT. Escaping follows the runner: data escapes
// % \r \n; property values also escape : and , — so a message can never start a command line.
import { randomUUID } from "node:crypto";
import { isAbsolute, relative, resolve } from "node:path";

/** True inside a GitHub Actions job (the runner sets GITHUB_ACTIONS=true). */
export function isGitHubActions(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.GITHUB_ACTIONS === "true";
}

export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * Where GitHub places an annotation: the file's path in the checkout ($GITHUB_WORKSPACE), from a
 * path relative to `cwd` (the directory relctl ran in, or --cwd). A file outside the workspace,
 * or no workspace, keeps its path as given.
 */
export function annotationFile(
  file: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) return file;
  const inWorkspace = relative(resolve(workspace), resolve(cwd, file));
  if (inWorkspace === "" || inWorkspace.startsWith("..") || isAbsolute(inWorkspace)) return file;
  return inWorkspace;
}

export type AnnotationLevel = "error" | "warning" | "notice";

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  col?: number;
}

/** One workflow command line, newline included. */
export function workflowCommand(
  command: AnnotationLevel,
  properties: AnnotationProperties,
  message: string,
): string {
  const props = (["file", "line", "col", "title"] as const)
    .filter((key) => properties[key] !== undefined && properties[key] !== "")
    .map((key) => `${key}=${escapeProperty(String(properties[key]))}`);
  return `::${command}${props.length ? ` ${props.join(",")}` : ""}::${escapeData(message)}\n`;
}

/** An output name the runner reads back as `steps.<id>.outputs.<name>`: letters, digits, _ and -. */
export function outputName(step: string, output: string): string {
  return `${step}_${output}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** An output's value as text: strings as they are, anything else as JSON. */
export function outputValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value);
}

/** `name<<DELIMITER` … `DELIMITER`, with a delimiter that does not occur in the value. */
export function outputEntry(
  name: string,
  value: string,
  newDelimiter: () => string = defaultDelimiter,
): string {
  let delimiter = newDelimiter();
  while (value.includes(delimiter) || name.includes(delimiter)) delimiter = newDelimiter();
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

function defaultDelimiter(): string {
  return `ghadelimiter_${randomUUID()}`;
}
