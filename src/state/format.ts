// Plain-text views of run state for `relctl status [run]` and `relctl history`. Pure functions of
// the summaries, so the CLI only prints them (and tests compare text).
import { formatDuration } from "../util/duration.js";
import type { RunListEntry, RunOutcome, RunSummary, StepSummary } from "./run-summary.js";

const MARK: Record<string, string> = {
  succeeded: "✓",
  failed: "✗",
  timed_out: "✗",
  cancelled: "-",
  skipped: "-",
  planned: "·",
  running: "…",
  unfinished: "?",
};

const OUTCOME_NOTE: Partial<Record<RunOutcome, string>> = {
  running: "a live relctl process holds this run",
  crashed: "the run stopped without finishing (killed or crashed); `relctl resume <run>` continues it",
  interrupted: "interrupted; `relctl resume <run>` continues it",
  rollback_failed: "the rollback itself failed: a person must act",
};

export function formatStatus(summary: RunSummary): string {
  const lines: string[] = [];
  const title = [summary.name, summary.playbook ? `(${summary.playbook})` : undefined]
    .filter(Boolean)
    .join(" ");
  lines.push(`run ${summary.runId}${title ? `  ${title}` : ""}${summary.dryRun ? "  [dry-run]" : ""}`);
  const exit = summary.exitCode !== undefined ? ` (exit ${summary.exitCode})` : "";
  lines.push(`status: ${summary.outcome}${exit}`);
  const note = OUTCOME_NOTE[summary.outcome];
  if (note) lines.push(`  ${note.replace("<run>", summary.runId)}`);
  if (summary.message) lines.push(`  ${summary.message}`);
  for (const warning of summary.warnings) lines.push(`  warning: ${warning.replace(/\n/g, "\n    ")}`);
  if (summary.records === "missing") {
    lines.push(
      `  records: NOT written: the run ended, but relctl was stopped (or failed) before its train record, last known good and evidence bundle were all written; relctl resume ${summary.runId} writes them`,
    );
  }
  const timing = [
    summary.startedAt ? `started ${summary.startedAt}` : undefined,
    summary.endedAt ? `ended ${summary.endedAt}` : undefined,
    summary.durationMs !== undefined ? formatDuration(summary.durationMs) : undefined,
    summary.starts > 1 ? `started ${summary.starts} times (resumed)` : undefined,
  ].filter(Boolean);
  if (timing.length > 0) lines.push(timing.join(" · "));
  if (summary.stages.length > 0) lines.push(`stages requested: ${summary.stages.join(", ")}`);

  const width = Math.max(
    4,
    ...summary.stageSummaries.flatMap((stage) => stage.steps.map((step) => step.step.length)),
  );
  for (const stage of summary.stageSummaries) {
    const role = stage.role === "on_failure" ? " (on_failure)" : "";
    lines.push(`  ${stage.stage}${role}  ${stage.status}${duration(stage.durationMs)}`);
    for (const step of stage.steps) lines.push(`    ${stepLine(step, width)}`);
  }
  const last = summary.lastEvent;
  if (last) {
    const where = "step" in last ? ` ${last.step}` : "stage" in last ? ` ${last.stage}` : "";
    lines.push(`last event: #${last.seq} ${last.type}${where} at ${last.at}`);
  }
  return `${lines.join("\n")}\n`;
}

function stepLine(step: StepSummary, width: number): string {
  const mark = MARK[step.status] ?? " ";
  const attempts = step.attempts > 1 ? ` (${step.attempts} attempts)` : "";
  const uses = step.uses ? `  ${step.uses}` : "";
  const error = step.error ? `  — ${step.error.message}` : step.reason ? `  — ${step.reason}` : "";
  return `${mark} ${step.step.padEnd(width)}  ${step.status}${duration(step.durationMs)}${attempts}${uses}${error}`;
}

function duration(ms: number | undefined): string {
  return ms === undefined ? "" : ` ${formatDuration(ms)}`;
}

export function formatHistory(runs: readonly RunListEntry[]): string {
  if (runs.length === 0) return "no runs recorded in this state directory\n";
  const rows = runs.map((run) => [
    run.runId,
    run.name ?? "?",
    run.environment ?? "",
    run.stages.join(",") || "?",
    // "resumed": the run was started again after a crash or interrupt (status shows how often).
    `${run.outcome}${run.exitCode !== undefined ? ` (${run.exitCode})` : ""}${run.starts > 1 ? " resumed" : ""}${run.dryRun ? " dry-run" : ""}${run.torn ? " torn" : ""}`,
    run.startedAt ?? "",
    run.durationMs !== undefined ? formatDuration(run.durationMs) : "",
    run.problem ? `unreadable: ${run.problem}` : "",
  ]);
  const header = ["RUN", "PLAYBOOK", "ENV", "STAGES", "STATUS", "STARTED", "TOOK", ""];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")
    .concat("\n");
}
