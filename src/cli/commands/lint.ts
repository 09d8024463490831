// `relctl lint`: validate the playbook (and vars) and print every problem at once. With --json
// the verdict is one JSON object on stdout: { valid, playbook, stages, steps, files, problems }.
// Warnings (a gate that cannot fail, an expression pasted into a shell script) and notes (a
// required var that needs a value at run time) never fail lint: the playbook runs as written.
import { gateWarnings } from "../../executors/prometheus/gate-lint.js";
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from "../../playbook/diagnostics.js";
import { isGitHubActions, workflowCommand } from "../../report/github-actions/commands.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { refuseInvalidKnownInputs } from "../pre-run-check.js";
import { preparePlaybook, printDiagnostics, type Prepared } from "../prepare.js";

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function lintCommand(options: GlobalOptions, io: Io): Promise<number> {
  const asJson = (diagnostics: Diagnostic[], out: Io) =>
    out.out(`${JSON.stringify({ valid: false, problems: sortDiagnostics(diagnostics) })}\n`);
  const report = options.json ? asJson : printDiagnostics;
  const prepared = await preparePlaybook(options, io, report, { lint: true });
  const { playbook, display } = prepared;
  // Inputs known from vars, env and literals are checked too: lint sees what a run would refuse.
  const stages = playbook.stages.map((stage) => stage.name);
  await refuseInvalidKnownInputs(prepared, stages, io, undefined, report);
  const steps = playbook.stages.reduce((total, stage) => total + stage.steps.length, 0);
  const notes = sortDiagnostics(prepared.notes);
  const warnings = sortDiagnostics([...prepared.warnings, ...gateDiagnostics(prepared)]);
  if (options.json) {
    const summary = {
      valid: true,
      playbook: display,
      stages: playbook.stages.length,
      steps,
      files: playbook.files.length,
    };
    io.out(`${JSON.stringify({ ...summary, problems: [], warnings, notes })}\n`);
    return 0;
  }
  printWarnings(warnings, io);
  for (const note of notes) io.err(`${io.color.dim("note")} ${formatDiagnostic(note)}\n`);
  const summary = [
    count(playbook.stages.length, "stage"),
    count(steps, "step"),
    count(playbook.files.length, "file"),
  ];
  io.out(
    `${io.color.green("✓")} ${display}: ${summary.join(", ")}; no problems${warnings.length > 0 ? `, ${count(warnings.length, "warning")}` : ""}\n`,
  );
  return 0;
}

/** Gates that are valid but almost certainly not what their author meant. */
function gateDiagnostics(prepared: Prepared): Diagnostic[] {
  return prepared.playbook.stages.flatMap((stage) =>
    stage.steps.flatMap((step) =>
      gateWarnings(step).map((warning) => ({
        code: "gate-cannot-fail",
        message: warning.message,
        hint: warning.hint,
        stepId: step.id,
        location: prepared.locate(step),
      })),
    ),
  );
}

/** Warnings go to stderr (and, under GitHub Actions, become warning annotations). */
function printWarnings(warnings: readonly Diagnostic[], io: Io): void {
  for (const warning of warnings) {
    io.err(`${io.color.yellow("warning")} ${formatDiagnostic(warning)}\n`);
    if (isGitHubActions(io.env)) {
      const { file, line, column } = warning.location;
      const text = warning.hint ? `${warning.message} (${warning.hint})` : warning.message;
      (io.workflow ?? io.err)(
        workflowCommand("warning", { file, line, col: column, title: "relctl lint" }, text),
      );
    }
  }
}
