// What run, plan and lint share: find the playbook, load and validate it all at once, resolve
// vars. Any problem is printed with file:line:column and stops the command with exit 2.
import { playbookInvalid } from "../errors.js";
import { annotationFile, isGitHubActions, workflowCommand } from "../report/github-actions/commands.js";
import type { ExecutorRegistry } from "../executors/registry.js";
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from "../playbook/diagnostics.js";
import { displayPath, findPlaybookFile, loadPlaybook, stepLocator } from "../playbook/load.js";
import type { Playbook, StepDef } from "../playbook/model.js";
import { resolveVars, varsProblemsIn } from "../playbook/vars.js";
import { Redactor } from "../run/redact.js";
import { registerSecrets } from "../run/secrets.js";
import { cwdOf, type GlobalOptions } from "./global-options.js";
import type { Io } from "./io.js";

export interface Prepared {
  playbook: Playbook;
  vars: Record<string, unknown>;
  cwd: string;
  registry: ExecutorRegistry;
  /** The playbook path as shown to people. */
  display: string;
  /** Where a step is written, for events and CI annotations. */
  locate(step: StepDef): { file: string; line: number; column: number };
  /** With `secrets: true`: every secret of the playbook, registered before anything is recorded. */
  redactor?: Redactor;
  /** Lint: what a run will need that the playbook does not say (required vars without a value). */
  notes: Diagnostic[];
  /** Lint: not problems, but worth a look (an expression pasted into a shell script). */
  warnings: Diagnostic[];
}

export interface PrepareOptions {
  /** Lint checks the playbook, not a run: a required var without a value is only a note. */
  lint?: boolean;
  /**
   * A command that runs (or plans) stages: the secrets are read first, so a secret given again
   * as a --var value is already hidden in every message, lock and record that follows.
   */
  secrets?: boolean;
}

/** `cwd` is the directory the diagnostics' paths are relative to (the run's directory). */
export function printDiagnostics(diagnostics: Diagnostic[], io: Io, cwd = process.cwd()): void {
  const actions = isGitHubActions(io.env);
  for (const diagnostic of sortDiagnostics(diagnostics)) {
    io.err(`${io.color.red("✗")} ${formatDiagnostic(diagnostic)}\n`);
    // Under GitHub Actions each problem is also an annotation on its playbook line, placed by
    // the file's path in the checkout (relctl may run in a subfolder of it).
    if (actions) {
      const { line, column } = diagnostic.location;
      const file = annotationFile(diagnostic.location.file, cwd, io.env);
      const message = diagnostic.hint ? `${diagnostic.message} (${diagnostic.hint})` : diagnostic.message;
      (io.workflow ?? io.err)(
        workflowCommand("error", { file, line, col: column, title: "relctl lint" }, message),
      );
    }
  }
}

/** How problems are shown: as text on stderr, unless a command reports them its own way. */
export type DiagnosticsReporter = (diagnostics: Diagnostic[], io: Io, cwd?: string) => void;

export async function preparePlaybook(
  options: GlobalOptions,
  io: Io,
  report: DiagnosticsReporter = printDiagnostics,
  prepare: PrepareOptions = {},
): Promise<Prepared> {
  const cwd = cwdOf(options);
  const file = findPlaybookFile(options.playbook, cwd);
  const display = displayPath(file, cwd);
  const loaded = await loadPlaybook(file, { cwd });
  if (!loaded.playbook || loaded.diagnostics.length > 0) {
    report(loaded.diagnostics, io, cwd);
    throw playbookInvalid(loaded.diagnostics.length, display);
  }
  let redactor: Redactor | undefined;
  if (prepare.secrets) {
    redactor = new Redactor();
    await registerSecrets(loaded.playbook, { env: io.env, cwd, redactor });
  }
  const vars = await resolveVars(loaded.playbook, {
    varsFile: options.varsFiles,
    overrides: options.var,
    env: io.env,
    sources: loaded.sources,
    cwd,
    mode: prepare.lint ? "lint" : "run",
    ...(redactor ? { redact: (text: string) => redactor.redact(text) } : {}),
  });
  if (vars.diagnostics.length > 0) {
    report(vars.diagnostics, io, cwd);
    throw playbookInvalid(
      vars.diagnostics.length,
      varsProblemsIn(vars.diagnostics, display, options.varsFiles),
    );
  }
  return {
    playbook: loaded.playbook,
    vars: vars.values,
    cwd,
    registry: loaded.registry,
    display,
    locate: stepLocator(loaded.sources),
    ...(redactor ? { redactor } : {}),
    notes: vars.notes,
    warnings: loaded.warnings,
  };
}
