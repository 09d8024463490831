// Loading a playbook: read the files (schema pass), assemble one normalised Playbook, then the
// cross-field rules. Every problem of every pass is collected, so a user sees them all at once.
import { existsSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import type { Action, Executor } from "../executors/contract.js";
import { createRegistry, type ExecutorRegistry } from "../executors/registry.js";
import { playbookNotFound } from "../errors.js";
import { assemble } from "./assemble.js";
import type { Diagnostic } from "./diagnostics.js";
import { readPlaybookFiles } from "./include.js";
import type { Playbook, StepDef } from "./model.js";
import { checkExecutors } from "./rules/executors.js";
import { checkExpressions } from "./rules/expressions.js";
import { checkFreezeCalendar } from "./rules/freeze-calendar.js";
import { Locator } from "./rules/locator.js";
import { shellScriptWarnings } from "./rules/shell-expressions.js";
import { checkStructure } from "./rules/structure.js";
import { locate, type SourceFile } from "./source.js";

const DEFAULT_FILES = ["relctl.yaml", "relctl.yml"];

export function findPlaybookFile(explicit: string | undefined, cwd: string): string {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw playbookNotFound([explicit]);
    return file;
  }
  for (const name of DEFAULT_FILES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  throw playbookNotFound(DEFAULT_FILES.map((name) => resolve(cwd, name)));
}

export interface LoadResult {
  playbook?: Playbook;
  diagnostics: Diagnostic[];
  /** Not problems, but worth a look (an expression pasted into a shell script). */
  warnings: Diagnostic[];
  sources: Map<string, SourceFile>;
  /** step id → the executor action it uses (for steps whose uses resolved). */
  actions: Map<string, Action>;
  registry: ExecutorRegistry;
}

export interface LoadOptions {
  cwd: string;
  /** Executors added by a program embedding relctl, next to the built-ins. */
  executors?: Readonly<Record<string, Executor>>;
}

export async function loadPlaybook(file: string, options: LoadOptions): Promise<LoadResult> {
  const display = (path: string): string => displayPath(path, options.cwd);
  const read = await readPlaybookFiles(file, display);
  const empty = {
    diagnostics: read.diagnostics,
    warnings: [],
    sources: read.sources,
    actions: new Map(),
    registry: createRegistry(),
  };
  if (read.files.length === 0 || read.files.at(-1)!.source.file !== file) return empty;
  const { playbook, diagnostics: assembly } = assemble(read.files);
  const where = new Locator(read.sources);
  const registry = createRegistry(playbook.executors, options.executors);
  const executors = await checkExecutors(playbook, registry, read.sources, where, read.broken.executors);
  const diagnostics = [
    ...read.diagnostics,
    ...assembly,
    ...checkStructure(playbook, where, read.broken.stages),
    ...executors.diagnostics,
    ...checkExpressions(playbook, executors.actions, where, read.broken),
    ...(await checkFreezeCalendar(playbook, where, display)),
  ];
  const warnings = shellScriptWarnings(playbook, where);
  return { playbook, diagnostics, warnings, sources: read.sources, actions: executors.actions, registry };
}

/** A path relative to the run's directory when it lies inside it, else absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." ? rel : file;
}

/** Where a step is written (file relative to the run's directory, line, column). */
export function stepLocator(
  sources: ReadonlyMap<string, SourceFile>,
): (step: StepDef) => { file: string; line: number; column: number } {
  const indexes = new Map<string, Map<string, StepIdPlace[]>>();
  return (step) => {
    const source = sources.get(step.origin.file);
    if (!source) return { file: step.origin.file, line: 1, column: 1 };
    // Step ids are unique, so `id: <id>` finds the step without parsing the file again for
    // positions (every step.start carries its location; a 200-step run would pay for it). The
    // file is scanned once; an id written twice (a canary template) asks the parser.
    let index = indexes.get(source.file);
    if (!index) indexes.set(source.file, (index = stepIdIndex(source.text)));
    const places = index.get(step.id);
    if (places?.length === 1) return { file: source.display, ...places[0]! };
    const { file, line, column } = locate(source, step.origin.path);
    return { file, line, column };
  };
}

interface StepIdPlace {
  line: number;
  column: number;
}

/** Every `id: <value>` in a file, by value, with its line and column. */
function stepIdIndex(text: string): Map<string, StepIdPlace[]> {
  const index = new Map<string, StepIdPlace[]>();
  const pattern = /(^|[\s{,-])id:[ \t]*(["']?)([^"'\s,}#]+)\2[ \t]*(?=$|[,}#\r\n])/gm;
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const match of text.matchAll(pattern)) {
    const offset = match.index + match[1]!.length;
    for (let at = text.indexOf("\n", scanned); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) {
      line++;
      lineStart = at + 1;
    }
    scanned = offset;
    const places = index.get(match[3]!) ?? [];
    places.push({ line, column: offset - lineStart + 1 });
    index.set(match[3]!, places);
  }
  return index;
}
