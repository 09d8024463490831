// The Markdown job summary of a run, for $GITHUB_STEP_SUMMARY: a table of stages and steps with
// status and duration, the failed step's details, gate measurements and warnings.
import { formatLabels } from "../../gates/format.js";
import type { Labels } from "../../gates/prom-result.js";
import type { RunEvent, RunStatus, StepErrorInfo, StepStatus } from "../../run/events.js";
import { formatDuration } from "../../util/duration.js";
import { lastLines } from "../../util/text.js";
import { formatArgv } from "../format.js";

export interface StepRow {
  stage: string;
  step: string;
  name: string;
  status?: StepStatus;
  durationMs?: number;
  attempts?: number;
  error?: StepErrorInfo;
  reason?: string;
  continuedOnError?: boolean;
}

export interface StageRow {
  stage: string;
  role: "requested" | "on_failure";
  steps: StepRow[];
}

export interface RunSummary {
  start?: Extract<RunEvent, { type: "run.start" }>;
  end?: Extract<RunEvent, { type: "run.end" }>;
  stages: StageRow[];
  measurements: { stage: string; step: string; data: Record<string, unknown> }[];
  warnings: string[];
}

const STEP_ICON: Record<StepStatus, string> = {
  succeeded: "✅",
  failed: "❌",
  timed_out: "⏱️",
  cancelled: "🚫",
  skipped: "⏭️",
  planned: "📝",
};

const RUN_ICON: Record<RunStatus, string> = {
  succeeded: "✅",
  planned: "📝",
  failed: "❌",
  rolled_back: "⏪",
  rollback_failed: "🚨",
  interrupted: "⏹️",
  blocked: "⛔",
};

/** Text safe inside a table cell: no pipes, no raw HTML, no line breaks. */
export function cell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${longest ? " " : ""}${text}${longest ? " " : ""}${fence}`;
}

function fencedBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
}

/** The metric's name, and its role when it is not a success criterion (`p95_critical (abort)`). */
function metricCell(data: Record<string, unknown>): string {
  const name = cell(valueText(data.metric));
  const role = valueText(data.role);
  // min_traffic and freshness are named after their role already.
  return role && role !== "metric" && role !== valueText(data.metric) ? `${name} *(${cell(role)})*` : name;
}

/**
 * What the query answered: one value, or each series' labels and value on a line of its own
 * (a `gate.measurement` record carries `values: [{labels, value}]`), then the baseline's value.
 */
function measuredValues(data: Record<string, unknown>): string {
  const values = Array.isArray(data.values) ? (data.values as { labels?: unknown; value?: unknown }[]) : [];
  const parts = values.map((series) => {
    const labels =
      series.labels && typeof series.labels === "object" ? formatLabels(series.labels as Labels) : "";
    const value = valueText(series.value);
    return values.length > 1 && labels ? `${labels} ${value}` : value;
  });
  if (values.length === 0 && data.value !== undefined) parts.push(valueText(data.value));
  const baseline = data.baseline as { value?: unknown } | undefined;
  if (baseline?.value !== undefined) parts.push(`baseline ${valueText(baseline.value)}`);
  return parts.map(cell).join("<br>");
}

function failureDetails(row: StepRow): string[] {
  const error = row.error!;
  const lines = [
    `#### ${row.continuedOnError ? "⚠️ Failed (continued)" : "❌ Failed"}: ${code(`${row.stage}/${row.step}`)}${row.name !== row.step ? ` ${cell(row.name)}` : ""}`,
    "",
    ...error.message.split("\n").map((line) => `> ${cell(line)}`),
    "",
  ];
  if (error.command) lines.push(`- **Command**: ${code(formatArgv(error.command))}`);
  if (error.exitCode !== undefined) lines.push(`- **Exit code**: ${error.exitCode}`);
  if (error.hint) lines.push(`- **Hint**: ${cell(error.hint)}`);
  if (error.stderrTail) {
    lines.push(
      "",
      "<details><summary>stderr (last lines)</summary>",
      "",
      fencedBlock(lastLines(error.stderrTail, 20) ?? ""),
      "",
      "</details>",
    );
  }
  lines.push("");
  return lines;
}

export function summaryMarkdown(summary: RunSummary): string {
  const { start, end } = summary;
  const title = start?.name ?? "run";
  const lines: string[] = [];
  if (end) {
    lines.push(`### ${RUN_ICON[end.status]} relctl: ${cell(title)} ${end.status.replace("_", " ")}`);
  } else {
    lines.push(`### relctl: ${cell(title)}`);
  }
  const facts = [
    start ? code(start.playbook) : undefined,
    start?.stages.length ? `stages ${start.stages.map(cell).join(" → ")}` : undefined,
    start?.dryRun ? "dry-run" : undefined,
    start ? `run ${code(start.runId)}` : undefined,
    end ? `${formatDuration(end.durationMs)} (exit ${end.exitCode})` : undefined,
  ].filter(Boolean);
  lines.push("", facts.join(" · "));
  if (end?.message) lines.push("", `> ${cell(end.message)}`);

  const rows = summary.stages.flatMap((stage) =>
    stage.steps.map((row, index) => {
      const stageCell =
        index === 0 ? `${cell(stage.stage)}${stage.role === "on_failure" ? " *(on failure)*" : ""}` : "";
      const name = row.name !== row.step ? `${code(row.step)} ${cell(row.name)}` : code(row.step);
      const status = row.status ? `${STEP_ICON[row.status]} ${row.status.replace("_", " ")}` : "running";
      const note = row.continuedOnError
        ? " (continued on error)"
        : row.reason
          ? ` (${cell(row.reason)})`
          : "";
      const duration = row.durationMs !== undefined ? formatDuration(row.durationMs) : "";
      return `| ${stageCell} | ${name} | ${status}${note} | ${duration} | ${row.attempts ?? ""} |`;
    }),
  );
  if (rows.length) {
    lines.push(
      "",
      "| Stage | Step | Status | Duration | Attempts |",
      "| --- | --- | --- | --- | --- |",
      ...rows,
    );
  }

  const failed = summary.stages.flatMap((stage) =>
    stage.steps.filter((row) => row.error && (row.status === "failed" || row.status === "timed_out")),
  );
  if (failed.length) lines.push("", ...failed.flatMap(failureDetails));

  if (summary.measurements.length) {
    lines.push(
      "",
      "#### Gate measurements",
      "",
      "| Step | Metric | Verdict | Value | Query | Reason | At |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...summary.measurements.map(({ stage, step, data }) => {
        const query = valueText(data.query);
        return `| ${code(`${stage}/${step}`)} | ${metricCell(data)} | ${cell(valueText(data.verdict))} | ${measuredValues(data)} | ${query ? code(query.replace(/\r?\n/g, " ").replace(/\|/g, "\\|")) : ""} | ${cell(valueText(data.reason))} | ${cell(valueText(data.at))} |`;
      }),
    );
  }
  if (summary.warnings.length) {
    lines.push("", "#### Warnings", "", ...summary.warnings.map((warning) => `- ${cell(warning)}`));
  }
  return `${lines.join("\n")}\n\n`;
}
