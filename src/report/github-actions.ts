// The GitHub Actions reporter, active when GITHUB_ACTIONS=true: a failed step becomes an
// `::error` annotation on its line of the playbook, warnings become `::warning`, every succeeded
// step's outputs go to $GITHUB_OUTPUT as <step>_<output>, and the run's Markdown summary is
// appended to $GITHUB_STEP_SUMMARY. It reads only the (already redacted) event stream and adds
// nothing of its own but structure. Docs: docs/github-actions.md.
import { appendFileSync } from "node:fs";
import type { EventSink } from "../run/events.js";
import { errorLines } from "./format.js";
import {
  annotationFile,
  isGitHubActions,
  outputEntry,
  outputName,
  outputValue,
  workflowCommand,
  type AnnotationProperties,
} from "./github-actions/commands.js";
import { summaryMarkdown, type RunSummary, type StageRow, type StepRow } from "./github-actions/summary.js";
import { handlerSink, type EventHandlers } from "./handlers.js";

/** GitHub's limit for all outputs of a job together. */
const JOB_OUTPUT_BYTES = 1024 * 1024;
/** exec's stdout and stderr are for logs, not for workflow outputs. */
const COMMAND_STREAMS = new Set(["stdout", "stderr"]);

/** Values above this are left out of $GITHUB_OUTPUT (a step's outputs share GitHub's 1 MiB). */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

export interface GitHubActionsOptions {
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Where workflow commands go. The runner reads them from stdout and stderr alike; stderr keeps
   * stdout to `--json` alone.
   */
  write(text: string): void;
  /** Appends text to a file ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT); default fs.appendFileSync. */
  appendFile?(path: string, text: string): void;
  /** The run's directory: step locations are relative to it, annotations to $GITHUB_WORKSPACE. */
  cwd?: string;
  maxOutputBytes?: number;
  /** Makes the $GITHUB_OUTPUT delimiters (random by default). */
  delimiter?: () => string;
}

/** The sink, or undefined when not running under GitHub Actions. */
export function githubActionsReporter(options: GitHubActionsOptions): EventSink | undefined {
  if (!isGitHubActions(options.env)) return undefined;
  const { env, write } = options;
  const append = options.appendFile ?? ((path: string, text: string) => appendFileSync(path, text, "utf8"));
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const summary: RunSummary = { stages: [], measurements: [], warnings: [] };
  const locations = new Map<string, AnnotationProperties>();
  let errorsAnnotated = 0;

  const annotationPath = (file: string): string =>
    annotationFile(file, options.cwd ?? env.GITHUB_WORKSPACE ?? ".", env);

  const stageRow = (stage: string): StageRow => {
    let row = summary.stages.find((candidate) => candidate.stage === stage);
    if (!row) {
      row = { stage, role: "requested", steps: [] };
      summary.stages.push(row);
    }
    return row;
  };
  const stepRow = (stage: string, step: string, name: string): StepRow => {
    const rows = stageRow(stage).steps;
    let row = rows.find((candidate) => candidate.step === step);
    if (!row) {
      row = { stage, step, name };
      rows.push(row);
    }
    return row;
  };

  // GitHub keeps at most 1 MiB of outputs per job; a command's whole stdout and stderr would
  // crowd out the values a workflow reads (digests, versions, revisions), so they stay out.
  let writtenBytes = 0;
  const writeOutputs = (step: string, outputs: Record<string, unknown>) => {
    const file = env.GITHUB_OUTPUT;
    if (!file) return;
    let text = "";
    for (const [key, value] of Object.entries(outputs)) {
      if (COMMAND_STREAMS.has(key)) continue;
      const name = outputName(step, key);
      const rendered = outputValue(value);
      const bytes = Buffer.byteLength(rendered);
      if (writtenBytes + bytes > JOB_OUTPUT_BYTES) {
        write(
          workflowCommand(
            "warning",
            { title: "relctl output left out" },
            `${name} would take the job's outputs over GitHub's ${JOB_OUTPUT_BYTES} bytes`,
          ),
        );
        continue;
      }
      if (bytes > maxOutputBytes) {
        write(
          workflowCommand(
            "warning",
            { title: "relctl output left out" },
            `${name} is ${bytes} bytes, more than the ${maxOutputBytes} relctl writes to GITHUB_OUTPUT`,
          ),
        );
        continue;
      }
      text += outputEntry(name, rendered, options.delimiter);
      writtenBytes += bytes;
    }
    if (text) append(file, text);
  };

  const handlers: EventHandlers = {
    "run.start": (event) => void (summary.start = event),
    "run.warning": (event) => {
      summary.warnings.push(event.stage ? `${event.stage}: ${event.message}` : event.message);
      write(workflowCommand("warning", { title: "relctl" }, event.message));
    },
    "stage.start": (event) => void (stageRow(event.stage).role = event.role),
    "step.plan": (event) => void stepRow(event.stage, event.step, event.name),
    "step.start": (event) => {
      stepRow(event.stage, event.step, event.name);
      locations.set(`${event.stage}/${event.step}`, {
        file: annotationPath(event.location.file),
        line: event.location.line,
        col: event.location.column,
      });
    },
    "step.log": (event) => {
      if (event.level !== "warn") return;
      summary.warnings.push(`${event.stage}/${event.step}: ${event.message}`);
      const where = locations.get(`${event.stage}/${event.step}`) ?? {};
      write(workflowCommand("warning", { ...where, title: `${event.stage}/${event.step}` }, event.message));
    },
    "step.record": (event) => {
      if (event.kind === "gate.measurement") {
        summary.measurements.push({ stage: event.stage, step: event.step, data: event.data });
      }
    },
    "step.end": (event) => {
      const row = stepRow(event.stage, event.step, event.name);
      Object.assign(row, {
        status: event.status,
        durationMs: event.durationMs,
        attempts: event.attempts,
        ...(event.error ? { error: event.error } : {}),
        ...(event.reason ? { reason: event.reason } : {}),
        ...(event.continuedOnError ? { continuedOnError: true } : {}),
      });
      if ((event.status === "failed" || event.status === "timed_out") && event.error) {
        const level = event.continuedOnError ? "warning" : "error";
        if (level === "error") errorsAnnotated++;
        const where = locations.get(`${event.stage}/${event.step}`) ?? {};
        const verb = event.status === "timed_out" ? "timed out" : "failed";
        const title = `${event.stage}/${event.step}${event.name !== event.step ? ` (${event.name})` : ""} ${verb}`;
        write(workflowCommand(level, { ...where, title }, errorLines(event.error).join("\n")));
      }
      if (event.status === "succeeded" && event.outputs) writeOutputs(event.step, event.outputs);
    },
    "run.end": (event) => {
      summary.end = event;
      if (event.status === "rollback_failed") {
        write(
          workflowCommand(
            "error",
            { title: "relctl: rollback failed" },
            `the rollback of ${summary.start?.name ?? "the run"} failed: a person must act${event.message ? `. ${event.message}` : ""}`,
          ),
        );
      } else if (event.exitCode !== 0 && errorsAnnotated === 0) {
        write(
          workflowCommand(
            "error",
            { title: `relctl: ${event.status.replace("_", " ")}` },
            event.message ??
              `${summary.start?.name ?? "the run"} ended ${event.status} (exit ${event.exitCode})`,
          ),
        );
      }
      if (env.GITHUB_STEP_SUMMARY) append(env.GITHUB_STEP_SUMMARY, summaryMarkdown(summary));
    },
  };

  return handlerSink(handlers);
}
