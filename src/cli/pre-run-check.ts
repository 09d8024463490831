// Before the first step of a run: inputs that are already known (they read only vars, env and
// literals) must pass their action's schema. Every problem is printed with file:line:column and
// the run is refused with exit 2, before anything is confirmed, locked or run.
import { playbookInvalid } from "../errors.js";
import { displayPath } from "../playbook/load.js";
import { Locator } from "../playbook/rules/locator.js";
import { locateProblems, preRunProblems } from "../playbook/rules/known-inputs.js";
import { readSource, type SourceFile } from "../playbook/source.js";
import type { Io } from "./io.js";
import { printDiagnostics, type DiagnosticsReporter, type Prepared } from "./prepare.js";

export async function refuseInvalidKnownInputs(
  prepared: Prepared,
  stages: readonly string[],
  io: Io,
  /** A resumed run's completed steps: they do not run again. */
  completed?: { has(id: string): boolean },
  report: DiagnosticsReporter = printDiagnostics,
): Promise<void> {
  const { playbook, vars, registry, cwd, display } = prepared;
  const problems = await preRunProblems({
    playbook,
    stages,
    vars,
    env: io.env,
    registry,
    ...(completed ? { skip: completed } : {}),
  });
  if (problems.length === 0) return;
  // The files are read again only to place the problems: a run with none never pays for it.
  const sources = new Map<string, SourceFile>();
  for (const file of playbook.files) {
    const read = await readSource(file, displayPath(file, cwd));
    if ("source" in read) sources.set(file, read.source);
  }
  const diagnostics = locateProblems(problems, new Locator(sources));
  report(diagnostics, io, cwd);
  throw playbookInvalid(diagnostics.length, display);
}
