// `relctl lint`: validate the playbook (and vars) and print every problem at once. With --json
// the verdict is one JSON object on stdout: { valid, playbook, stages, steps, files, problems }.
import { sortDiagnostics, type Diagnostic } from "../../playbook/diagnostics.js";
import { gateWarnings, type GateWarning } from "../../executors/prometheus/gate-lint.js";
import { isGitHubActions, workflowCommand } from "../../report/github-actions/commands.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { refuseInvalidKnownInputs } from "../pre-run-check.js";
import { preparePlaybook, printDiagnostics } from "../prepare.js";

type LintWarning = GateWarning & { stepId: string; location: { file: string; line: number; column: number } };

/** Warnings go to stderr (and, under GitHub Actions, become warning annotations); lint still passes. */
function printWarnings(warnings: LintWarning[], io: Io): void {
  for (const { message, hint, stepId, location } of warnings) {
    const { file, line, column } = location;
    io.err(
      `${io.color.yellow("!")} ${file}:${line}:${column} [step ${stepId}]: warning: ${message}\n    hint: ${hint}\n`,
    );
    if (isGitHubActions(io.env)) {
      io.err(
        workflowCommand("warning", { file, line, col: column, title: "relctl lint" }, `${message} (${hint})`),
      );
    }
  }
}

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function lintCommand(options: GlobalOptions, io: Io): Promise<number> {
  const asJson = (diagnostics: Diagnostic[], out: Io) =>
    out.out(`${JSON.stringify({ valid: false, problems: sortDiagnostics(diagnostics) })}\n`);
  const report = options.json ? asJson : printDiagnostics;
  const prepared = await preparePlaybook(options, io, report);
  const { playbook, display } = prepared;
  // Inputs known from vars, env and literals are checked too: lint sees what a run would refuse.
  const stages = playbook.stages.map((stage) => stage.name);
  await refuseInvalidKnownInputs(prepared, stages, io, undefined, report);
  const steps = playbook.stages.reduce((total, stage) => total + stage.steps.length, 0);
  const warnings = playbook.stages.flatMap((stage) =>
    stage.steps.flatMap((step) =>
      gateWarnings(step).map((warning) => ({ ...warning, stepId: step.id, location: prepared.locate(step) })),
    ),
  );
  if (options.json) {
    const summary = {
      valid: true,
      playbook: display,
      stages: playbook.stages.length,
      steps,
      files: playbook.files.length,
    };
    io.out(`${JSON.stringify({ ...summary, problems: [], warnings })}\n`);
    return 0;
  }
  printWarnings(warnings, io);
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
