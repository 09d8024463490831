// Every step's `uses` names a known executor action, and its `with:` passes that action's own
// zod schema before anything runs. Values that hold `${{ }}` are only known at run time, so
// problems at (or under) such a value wait for the run, where the rendered input is checked again.
import type { Action, Executor } from "../../executors/contract.js";
import type { ExecutorRegistry } from "../../executors/registry.js";
import { closestMatch } from "../../util/suggest.js";
import type { Diagnostic } from "../diagnostics.js";
import type { Playbook, StepDef } from "../model.js";
import { issuesToDiagnostics } from "../schema-issues.js";
import { knownInputKeys, unknownInputKeys } from "./unknown-inputs.js";
import type { SourceFile } from "../source.js";
import type { Locator } from "./locator.js";

export interface ResolvedActions {
  /** step id → its action, for steps whose `uses` resolved. */
  actions: Map<string, Action>;
  diagnostics: Diagnostic[];
}

export async function checkExecutors(
  playbook: Playbook,
  registry: ExecutorRegistry,
  sources: ReadonlyMap<string, SourceFile>,
  where: Locator,
  brokenExecutors: ReadonlySet<string> = new Set(),
): Promise<ResolvedActions> {
  const diagnostics: Diagnostic[] = [];
  const actions = new Map<string, Action>();
  const executors = new Map<string, Executor | Error>();
  for (const name of new Set(playbook.stages.flatMap((stage) => stage.steps.map((step) => step.executor)))) {
    if (!registry.has(name)) continue;
    executors.set(name, await registry.load(name).catch((error: unknown) => asError(error)));
  }
  for (const [name, ref] of playbook.executors) {
    const loaded = executors.get(name);
    if (loaded instanceof Error) {
      diagnostics.push({
        code: "executor-broken",
        message: `executor ${name} (${ref.module}) cannot be loaded: ${loaded.message}`,
        location: where.at(ref.origin),
        hint: "the module's default export is { name, description, actions }",
      });
    }
  }
  for (const step of playbook.stages.flatMap((stage) => stage.steps)) {
    const executor = executors.get(step.executor);
    if (executor === undefined && brokenExecutors.has(step.executor)) continue;
    if (executor === undefined) {
      const suggestion = closestMatch(step.executor, registry.names());
      diagnostics.push({
        code: "unknown-executor",
        message: `unknown executor "${step.executor}" in uses: ${step.uses}`,
        location: where.at(step.origin, "uses"),
        hint: suggestion
          ? `did you mean ${suggestion}.${step.action}?`
          : `executors: ${registry.names().join(", ")}; declare your own under executors:`,
        stepId: step.id,
      });
      continue;
    }
    if (executor instanceof Error) continue;
    const action = Object.hasOwn(executor.actions, step.action) ? executor.actions[step.action] : undefined;
    if (!action) {
      const names = Object.keys(executor.actions);
      const suggestion = closestMatch(step.action, names);
      diagnostics.push({
        code: "unknown-action",
        message: `executor ${step.executor} has no action "${step.action}"`,
        location: where.at(step.origin, "uses"),
        hint: suggestion ? `did you mean ${step.executor}.${suggestion}?` : `actions: ${names.join(", ")}`,
        stepId: step.id,
      });
      continue;
    }
    actions.set(step.id, action);
    diagnostics.push(...checkInputs(step, action, sources, where));
  }
  return { actions, diagnostics };
}

function checkInputs(
  step: StepDef,
  action: Action,
  sources: ReadonlyMap<string, SourceFile>,
  where: Locator,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (step.declaredOutputs.length > 0 && !action.acceptsDeclaredOutputs) {
    diagnostics.push({
      code: "outputs-not-accepted",
      message: `${step.uses} does not take declared outputs; its outputs are ${Object.keys(action.outputs).join(", ") || "none"}`,
      location: where.at(step.origin, "outputs"),
      hint: "remove outputs:",
      stepId: step.id,
    });
  }
  for (const key of unknownInputKeys(action, step.with)) {
    const known = [...(knownInputKeys(action) ?? [])];
    const suggestion = closestMatch(key, known);
    diagnostics.push({
      code: "unknown-input",
      message: `${step.uses} has no input "${key}"`,
      location: where.key(step.origin, "with", key),
      hint: suggestion ? `did you mean ${suggestion}?` : `inputs: ${known.join(", ")}`,
      stepId: step.id,
    });
  }
  const parsed = action.input.safeParse(step.with);
  if (parsed.success) return diagnostics;
  const issues = parsed.error.issues.filter(
    (issue) => !waitsForRunTime(step.with, issue.path as (string | number)[], issue.code),
  );
  const source = sources.get(step.origin.file);
  if (issues.length === 0 || !source) return diagnostics;
  const withPath = [...step.origin.path, "with"];
  const found = issuesToDiagnostics(issues, source, step.with, withPath, step.id).map((diagnostic) => ({
    ...diagnostic,
    message: `${step.uses}: ${diagnostic.message}`,
  }));
  return [...diagnostics, ...found];
}

/** True when the value at the issue (or above it) is an expression, evaluated only at run time. */
function waitsForRunTime(input: unknown, path: (string | number)[], code: string): boolean {
  let current: unknown = input;
  for (const key of path) {
    if (isTemplate(current)) return true;
    if (current === null || typeof current !== "object") return false;
    current = (current as Record<string | number, unknown>)[key];
  }
  if (isTemplate(current)) return true;
  // A rule across several fields cannot be judged while one of them is still an expression.
  return code === "custom" && containsTemplate(current);
}

function isTemplate(value: unknown): boolean {
  return typeof value === "string" && value.includes("${{");
}

function containsTemplate(value: unknown): boolean {
  if (isTemplate(value)) return true;
  if (value !== null && typeof value === "object") return Object.values(value).some(containsTemplate);
  return false;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
