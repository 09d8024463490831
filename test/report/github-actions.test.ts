import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { githubActionsReporter } from "../../src/report/github-actions.js";
import { outputEntry, workflowCommand } from "../../src/report/github-actions/commands.js";
import type { RunEvent } from "../../src/run/events.js";
import { tempDir } from "../helpers/servers.js";
import { failedCanaryRun, stream, succeededRun } from "./run-events.js";

interface Annotation {
  command: string;
  properties: Record<string, string>;
  message: string;
}

const unescape = (text: string) =>
  text
    .replace(/%0D/g, "\r")
    .replace(/%0A/g, "\n")
    .replace(/%3A/g, ":")
    .replace(/%2C/g, ",")
    .replace(/%25/g, "%");

/** Reads workflow commands back the way the runner does: one per line, `::cmd k=v,k=v::data`. */
function parseCommands(text: string): Annotation[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("::"))
    .map((line) => {
      const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
      if (!match) throw new Error(`not a workflow command: ${line}`);
      const properties: Record<string, string> = {};
      for (const pair of (match[2] ?? "").split(",").filter(Boolean)) {
        const [key, ...value] = pair.split("=");
        properties[key!] = unescape(value.join("="));
      }
      return { command: match[1]!, properties, message: unescape(match[3]!) };
    });
}

/** Reads $GITHUB_OUTPUT back the way the runner does: `name=value` lines and `name<<DELIM` blocks. */
function parseOutputFile(text: string): Record<string, string> {
  const lines = text.split("\n");
  const outputs: Record<string, string> = {};
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === "") continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, index + 1);
      if (end < 0) throw new Error(`no closing delimiter for ${heredoc[1]}`);
      outputs[heredoc[1]!] = lines.slice(index + 1, end).join("\n");
      index = end;
    } else {
      const [name, ...value] = line.split("=");
      outputs[name!] = value.join("=");
    }
  }
  return outputs;
}

function runUnderActions(events: RunEvent[], extra: { maxOutputBytes?: number } = {}) {
  const dir = tempDir("gha");
  const files = { summary: join(dir, "summary.md"), output: join(dir, "output.txt") };
  writeFileSync(files.summary, "");
  writeFileSync(files.output, "");
  let written = "";
  const sink = githubActionsReporter({
    env: {
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: "/home/runner/work/api/api",
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_OUTPUT: files.output,
    },
    cwd: "/home/runner/work/api/api/deploy",
    write: (text) => (written += text),
    ...extra,
  });
  if (!sink) throw new Error("the reporter should be active under GitHub Actions");
  for (const event of events) sink.emit(event);
  return {
    annotations: parseCommands(written),
    written,
    summary: readFileSync(files.summary, "utf8"),
    outputs: parseOutputFile(readFileSync(files.output, "utf8")),
    rawOutput: readFileSync(files.output, "utf8"),
  };
}

describe("the GitHub Actions reporter", () => {
  it("stays out of the way when not running under GitHub Actions", () => {
    expect(githubActionsReporter({ env: { CI: "true" }, write: () => undefined })).toBeUndefined();
  });

  it("turns a failed step into an ::error annotation on its line of the playbook", () => {
    const { annotations } = runUnderActions(failedCanaryRun());
    expect(annotations.filter((annotation) => annotation.command === "error")).toEqual([
      {
        command: "error",
        properties: {
          file: "deploy/playbooks/canary.yaml",
          line: "20",
          col: "9",
          title: "canary/error-rate (Error rate below 1%) failed",
        },
        message: [
          "gate error-rate failed: failed (1) > failureLimit (0)",
          "command: promtool query instant http://prom:9090 up",
          "exit code: 3",
          "stderr (last lines):",
          "  line one",
          "  line | two",
          "hint: look at the canary's dashboard",
        ].join("\n"),
      },
    ]);
  });

  it("turns warnings into ::warning annotations, on the step's line when it has one", () => {
    const events = [
      ...failedCanaryRun().slice(0, 5),
      ...stream([{ type: "run.warning", message: "stage canary needs stage, which this run did not check" }]),
    ];
    const { annotations } = runUnderActions(events.concat(failedCanaryRun().slice(8, 9)));
    expect(annotations).toEqual([
      {
        command: "warning",
        properties: { title: "relctl" },
        message: "stage canary needs stage, which this run did not check",
      },
      {
        command: "warning",
        properties: {
          file: "deploy/playbooks/canary.yaml",
          line: "20",
          col: "9",
          title: "canary/error-rate",
        },
        message: "the query returned 2 series; using the first",
      },
    ]);
  });

  it("escapes % and line breaks in messages, and also : and , in properties, so nothing starts a new command", () => {
    expect(
      workflowCommand(
        "error",
        { title: "a: b, c", file: "x.yaml", line: 3 },
        "100% sure\r\n::error::injected",
      ),
    ).toBe("::error file=x.yaml,line=3,title=a%3A b%2C c::100%25 sure%0D%0A::error::injected\n");
  });

  it("appends a Markdown summary with every step, the failed step's details and the gate measurements", () => {
    const { summary } = runUnderActions(failedCanaryRun());
    expect(summary).toContain("### ⏪ relctl: canary rolled back\n");
    expect(summary).toContain(
      "`playbooks/canary.yaml` · stages canary · run `20261122T101500Z-3fa2` · 5m11s (exit 3)",
    );
    expect(summary).toContain(
      [
        "| Stage | Step | Status | Duration | Attempts |",
        "| --- | --- | --- | --- | --- |",
        "| canary | `shift-10` Shift 10% | ✅ succeeded | 2.5s | 1 |",
        "|  | `error-rate` Error rate below 1% | ❌ failed | 5m00s | 1 |",
        "| rollback *(on failure)* | `undo` | ✅ succeeded | 8.0s | 1 |",
        "|  | `announce` | ⏭️ skipped (if: was false) | 0ms | 0 |",
      ].join("\n"),
    );
    expect(summary).toContain(
      [
        "#### ❌ Failed: `canary/error-rate` Error rate below 1%",
        "",
        "> gate error-rate failed: failed (1) &gt; failureLimit (0)",
        "",
        "- **Command**: `promtool query instant http://prom:9090 up`",
        "- **Exit code**: 3",
        "- **Hint**: look at the canary's dashboard",
        "",
        "<details><summary>stderr (last lines)</summary>",
        "",
        "```text\nline one\nline | two\n```",
      ].join("\n"),
    );
    expect(summary).toContain(
      [
        "#### Gate measurements",
        "",
        "| Step | Metric | Verdict | Value | Query | Reason | At |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        '| `canary/error-rate` | error_rate | passed | 0.004 | `sum(rate(http_requests_total{code=~"5.."}[5m]))` | 0.004 &lt;= 0.01 | 2026-11-22T10:16:00Z |',
        '| `canary/error-rate` | error_rate_critical *(abort)* | failed | {pod="a"} 0.034<br>{pod="b"} NaN | `sum by (pod) (rate(http_requests_total{code=~"5.."}[5m]))` | 0.034 &gt; 0.01 | 2026-11-22T10:17:00Z |',
      ].join("\n"),
    );
    expect(summary).toContain(
      "#### Warnings\n\n- canary/error-rate: the query returned 2 series; using the first",
    );
  });

  it("writes succeeded steps' outputs to GITHUB_OUTPUT as <step>_<output>, several lines included", () => {
    const { outputs, rawOutput } = runUnderActions(withShiftNotes(failedCanaryRun(), "weight=10\nready"));
    // stdout and stderr are logs, not outputs a workflow reads: they stay out of the 1 MiB.
    expect(outputs).toEqual({
      "shift-10_exit_code": "0",
      "shift-10_notes": "weight=10\nready",
      undo_exit_code: "0",
    });
    const delimiters = [...rawOutput.matchAll(/<<(.+)\n/g)].map((match) => match[1]);
    expect(new Set(delimiters).size).toBe(3);
    expect(delimiters[0]).toMatch(/^ghadelimiter_[0-9a-f-]{36}$/);
  });

  it("writes outputs that are not text as JSON", () => {
    const { outputs } = runUnderActions(succeededRun());
    expect(outputs).toEqual({
      "github-release_id": "7",
      "github-release_url": "https://github.example/acme/api/releases/tag/v1.2.0",
    });
  });

  it("leaves out an output too large for GITHUB_OUTPUT, with a warning naming it", () => {
    const { outputs, annotations } = runUnderActions(withShiftNotes(failedCanaryRun(), "weight=10\nready"), {
      maxOutputBytes: 10,
    });
    expect(outputs["shift-10_notes"]).toBeUndefined();
    expect(outputs["shift-10_exit_code"]).toBe("0");
    expect(annotations).toContainEqual({
      command: "warning",
      properties: { title: "relctl output left out" },
      message: "shift-10_notes is 15 bytes, more than the 10 relctl writes to GITHUB_OUTPUT",
    });
  });

  it("picks a delimiter that does not occur in the value", () => {
    const delimiters = ["EOF", "EOF", "END"];
    expect(outputEntry("notes", "a\nEOF\nb", () => delimiters.shift()!)).toBe("notes<<END\na\nEOF\nb\nEND\n");
  });

  it("annotates a run refused before any step ran with its message", () => {
    const { annotations, summary } = runUnderActions(
      stream([
        {
          type: "run.start",
          playbook: "relctl.yaml",
          name: "api",
          stages: ["promote"],
          dryRun: false,
          vars: {},
        },
        {
          type: "run.end",
          status: "failed",
          exitCode: 4,
          durationMs: 12,
          message: "blocked: the freeze window ends Monday 09:00 UTC",
        },
      ]),
    );
    expect(annotations).toEqual([
      {
        command: "error",
        properties: { title: "relctl: failed" },
        message: "blocked: the freeze window ends Monday 09:00 UTC",
      },
    ]);
    expect(summary).toContain("> blocked: the freeze window ends Monday 09:00 UTC");
  });

  it("says a person must act when the rollback itself failed", () => {
    const events = failedCanaryRun();
    const end = events.at(-1)!;
    events[events.length - 1] = {
      ...end,
      type: "run.end",
      status: "rollback_failed",
      exitCode: 5,
      durationMs: 1,
    };
    const { annotations } = runUnderActions(events);
    expect(annotations.at(-1)).toEqual({
      command: "error",
      properties: { title: "relctl: rollback failed" },
      message: "the rollback of canary failed: a person must act",
    });
  });
});

/** The canary run with an extra (multi-line) output on shift-10's end. */
function withShiftNotes(events: RunEvent[], notes: string): RunEvent[] {
  return events.map((event) =>
    event.type === "step.end" && event.step === "shift-10"
      ? { ...event, outputs: { ...event.outputs, notes } }
      : event,
  );
}
