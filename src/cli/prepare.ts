// What run, plan and lint share: find the playbook, load and validate it all at once, resolve
// vars. Any problem is printed with file:line:column and stops the command with exit 2.
import { resolve } from "node:path";
import { playbookInvalid } from "../errors.js";
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from "../playbook/diagnostics.js";
import { findPlaybookFile, loadPlaybook } from "../playbook/load.js";
import type { Playbook } from "../playbook/model.js";
import { resolveVars } from "../playbook/vars.js";
import type { GlobalOptions } from "./global-options.js";
import type { Io } from "./io.js";

export interface Prepared {
  playbook: Playbook;
  vars: Record<string, unknown>;
  cwd: string;
}

export function printDiagnostics(diagnostics: Diagnostic[], io: Io): void {
  for (const diagnostic of sortDiagnostics(diagnostics)) {
    io.err(`${io.color.red("✗")} ${formatDiagnostic(diagnostic)}\n`);
  }
}

export async function preparePlaybook(options: GlobalOptions, io: Io): Promise<Prepared> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = findPlaybookFile(options.playbook, cwd);
  const loaded = await loadPlaybook(file);
  if (!loaded.playbook || loaded.diagnostics.length > 0) {
    printDiagnostics(loaded.diagnostics, io);
    throw playbookInvalid(loaded.diagnostics.length, displayPath(file, cwd));
  }
  const vars = await resolveVars(loaded.playbook, {
    varsFile: options.varsFile === undefined ? undefined : resolve(cwd, options.varsFile),
    overrides: options.var,
    env: io.env,
  });
  if (vars.diagnostics.length > 0) {
    printDiagnostics(vars.diagnostics, io);
    throw playbookInvalid(vars.diagnostics.length, displayPath(file, cwd));
  }
  return { playbook: loaded.playbook, vars: vars.values, cwd };
}

export function displayPath(file: string, cwd: string): string {
  const relativeTo = resolve(cwd);
  return file.startsWith(relativeTo + "/") ? file.slice(relativeTo.length + 1) : file;
}
