// `relctl plan` on a terminal: every step in order with its resolved inputs and exactly what it
// would do. Values known only at run time are shown as ⟨steps.id.outputs.name⟩.
import type { ChalkInstance } from "chalk";
import { formatArgv, inlineValue } from "./format.js";
import type { PlanDocument, PlannedStep } from "./plan-document.js";

export function renderPlanText(plan: PlanDocument, color: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(`${color.bold(`Plan: ${plan.playbook.name}`)} ${color.dim(`(${plan.playbook.file})`)}`);
  const vars = Object.entries(plan.vars);
  if (vars.length > 0)
    lines.push(
      color.dim(
        `vars: ${vars.map(([k, v]) => `${k}=${inlineValue(v)}${plan.varTypes?.[k] ? ` (${plan.varTypes[k]})` : ""}`).join(" ")}`,
      ),
    );
  let mutating = 0;
  let total = 0;
  for (const stage of plan.stages) {
    const role = stage.role === "on_failure" ? color.yellow(" (runs only if a stage above fails)") : "";
    lines.push("", `${color.bold(`stage ${stage.name}`)}${role}`);
    if (stage.steps.length === 0) lines.push(color.dim("  (no steps)"));
    stage.steps.forEach((step, index) => {
      total++;
      if (step.mutates) mutating++;
      lines.push(...renderStep(step, index + 1, stage.steps[index - 1]?.id, color));
    });
  }
  for (const warning of plan.warnings) lines.push("", `${color.yellow("warning")}: ${warning}`);
  for (const problem of plan.problems) lines.push("", `${color.red("problem")}: ${problem}`);
  lines.push(
    "",
    plan.valid
      ? color.green(`Plan is valid: ${total} steps, ${mutating} would change something. Nothing was changed.`)
      : color.red(`Plan has ${plan.problems.length} problem(s). Nothing was changed.`),
  );
  return `${lines.join("\n")}\n`;
}

function renderStep(
  step: PlannedStep,
  number: number,
  previous: string | undefined,
  color: ChalkInstance,
): string[] {
  const tags = [color.dim(step.uses), step.mutates ? color.yellow("mutates") : color.dim("read-only")];
  // A read-only step ran to show real values; its result line says what it found.
  if (step.runsInDryRun) {
    const failed = step.status === "failed" || step.status === "timed_out";
    tags.push(failed ? color.red("failed during plan") : color.cyan("read during plan"));
  }
  if (step.condition === false) tags.push(color.dim("skipped: condition false"));
  if (step.condition === "runtime") tags.push(color.dim("condition decided at run time"));
  const title = step.name === step.id ? step.id : `${step.id} ${color.dim("·")} ${step.name}`;
  const lines = [`  ${number}. ${title}  ${tags.join(" ")}`];
  const indent = "       ";
  // Running after the step above is the default; only other orders are worth a line.
  const sequential = step.dependsOn.length === 1 && step.dependsOn[0] === previous;
  if (step.dependsOn.length > 0 && !sequential) {
    lines.push(`${indent}${color.dim("after:")} ${step.dependsOn.join(", ")}`);
  } else if (step.dependsOn.length === 0 && previous !== undefined) {
    lines.push(`${indent}${color.dim("starts with the stage (needs: [])")}`);
  }
  if (step.plan) {
    if (step.plan.argv) lines.push(`${indent}$ ${formatArgv(step.plan.argv)}`);
    else lines.push(`${indent}${step.plan.summary}`);
    if (step.plan.request) lines.push(`${indent}${step.plan.request.method} ${step.plan.request.url}`);
    if (step.plan.query) lines.push(labelled(indent, color.dim("query:"), step.plan.query));
    for (const [key, value] of Object.entries(step.plan.details ?? {})) {
      if (value !== undefined) lines.push(labelled(indent, color.dim(`${key}:`), inlineValue(value)));
    }
  } else {
    lines.push(`${indent}${color.dim("inputs:")} ${inlineValue(step.input)}`);
  }
  if (step.runtimeValues.length > 0) {
    lines.push(`${indent}${color.dim("known at run time:")} ${step.runtimeValues.join(", ")}`);
  }
  if (step.outputs && Object.keys(step.outputs).length > 0) {
    // An action that explains its result (a gate: "would pass now: …") says it best in words.
    const reason = step.outputs.reason;
    const shown = typeof reason === "string" ? reason : inlineValue(step.outputs);
    lines.push(labelled(indent, color.dim(typeof reason === "string" ? "result:" : "outputs:"), clip(shown)));
  }
  return lines;
}

/** A label and a value; the lines of a multi-line value keep the indentation of the first. */
function labelled(indent: string, label: string, value: string): string {
  const body = value.replace(/\s+$/, "").split("\n");
  return [
    `${indent}${label} ${body[0]}`,
    ...body.slice(1).map((line) => `${indent}  ${line}`.trimEnd()),
  ].join("\n");
}

const MAX_OUTPUT_CHARS = 400;

function clip(text: string): string {
  return text.length > MAX_OUTPUT_CHARS
    ? `${text.slice(0, MAX_OUTPUT_CHARS)}… (see plan -o for all of it)`
    : text;
}
