// The check before a run starts. Once vars are resolved, every value that depends only on vars,
// env and literals is known: each step's inputs are rendered for the stages that will run (and
// their on_failure stages), with steps' outputs, secrets and run.* standing as not yet known,
// and what is known is checked against the action's own schema. A bad --vars-file value, or a
// canary hold of "5 parsecs", then stops the run with exit 2 before the first step, instead of
// failing at run time after a production traffic shift.
import type { SourceLocation } from "../../errors.js";
import type { Action } from "../../executors/contract.js";
import type { ExecutorRegistry } from "../../executors/registry.js";
import { releaseValues } from "../../run/release-values.js";
import type { Diagnostic } from "../diagnostics.js";
import {
  collectUnresolved,
  evaluateCondition,
  evaluateTemplate,
  ExpressionError,
  hasExpression,
  parseTemplate,
  referencesIn,
  Unresolved,
  type Reference,
  type Scope,
  type Template,
} from "../expr/index.js";
import { conditionShift, parseCondition } from "../expr/template.js";
import { findStage, type Playbook, type StageDef, type StepDef, type YamlPath } from "../model.js";
import { RUN_FIELDS } from "./expressions.js";
import { describeInputIssues, valueAt } from "./input-issues.js";
import type { Locator } from "./locator.js";
import { varPathProblem } from "./value-paths.js";

export interface PreRunCheck {
  playbook: Playbook;
  /** The stages the run asks for; their on_failure stages are checked too. */
  stages: readonly string[];
  /** The resolved vars (defaults, --vars-file, --var). */
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  registry: ExecutorRegistry;
  /** Steps that will not run (completed in an earlier attempt of a resumed run). */
  skip?: { has(id: string): boolean };
}

/** A problem found before the run, placed in a file once there are problems to show. */
export interface PreRunProblem extends Omit<Diagnostic, "location"> {
  place(where: Locator): SourceLocation;
}

export async function checkKnownInputs(check: PreRunCheck, where: Locator): Promise<Diagnostic[]> {
  return locateProblems(await preRunProblems(check), where);
}

export function locateProblems(problems: readonly PreRunProblem[], where: Locator): Diagnostic[] {
  return problems.map(({ place, ...problem }) => ({ ...problem, location: place(where) }));
}

export async function preRunProblems(check: PreRunCheck): Promise<PreRunProblem[]> {
  const scope = preRunScope(check);
  const actions = actionLoader(check.registry);
  const problems: PreRunProblem[] = [];
  const seen = new Set<string>();
  for (const stage of stagesThatRun(check.playbook, check.stages)) {
    for (const step of stage.steps) {
      if (check.skip?.has(step.id)) continue;
      const action = await actions(step);
      if (!action) continue; // reported by lint
      for (const problem of checkStep(step, action, scope)) {
        // A canary repeats its template steps at every weight: one report per place is enough.
        const key = `${problem.code}\0${problem.message}\0${step.origin.file}\0${step.origin.path.join(".")}`;
        if (seen.has(key)) continue;
        seen.add(key);
        problems.push(problem);
      }
    }
  }
  return problems;
}

/** The requested stages and the on_failure stage of each, as the engine runs them. */
function stagesThatRun(playbook: Playbook, names: readonly string[]): StageDef[] {
  const requested = names.flatMap((name) => findStage(playbook, name) ?? []);
  const handlers = requested.flatMap((stage) =>
    stage.onFailure === undefined ? [] : (findStage(playbook, stage.onFailure) ?? []),
  );
  return [...new Set([...requested, ...handlers])];
}

/** What a step can read before the run: vars, env and release values made of them. */
function preRunScope(check: PreRunCheck): Scope {
  const later = (ref: string) => new Unresolved([ref], `⟨${ref}⟩`);
  const secrets = Object.fromEntries(
    [...check.playbook.secrets.keys()].map((name) => [name, later(`secrets.${name}`)]),
  );
  const scope: Scope = {
    vars: check.vars,
    env: check.env,
    steps: {},
    // A secret is read when the run starts; its value is never needed to judge an input.
    secrets: secrets as unknown as Record<string, string>,
    release: {},
    run: Object.fromEntries(RUN_FIELDS.map((field) => [field, later(`run.${field}`)])),
    now: () => new Date(),
  };
  scope.release = releaseValues(check.playbook, scope);
  return scope;
}

function actionLoader(registry: ExecutorRegistry): (step: StepDef) => Promise<Action | undefined> {
  return async (step) => {
    if (!registry.has(step.executor)) return undefined;
    const executor = await registry.load(step.executor).catch(() => undefined);
    return executor && Object.hasOwn(executor.actions, step.action)
      ? executor.actions[step.action]
      : undefined;
  };
}

function checkStep(step: StepDef, action: Action, scope: Scope): PreRunProblem[] {
  const problems: PreRunProblem[] = [];
  const at = (sub: YamlPath, text: string, offset: number) => (where: Locator) =>
    where.text(step.origin, sub, text, offset);
  const expressionFailed = (sub: YamlPath, text: string, error: ExpressionError, shift = 0) => {
    const offset = Math.max(0, error.offset - shift);
    problems.push({
      code: "expression-value",
      message: `expression: ${error.message}`,
      place: at(sub, text.slice(offset, offset + 8) || "${{", offset),
      hint: error.hint ?? "the values it reads are known before the run: check the vars it reads",
      stepId: step.id,
    });
  };

  if (step.if !== undefined) {
    const shift = conditionShift(step.if);
    problems.push(
      ...varPaths(
        step,
        ["if"],
        referencesOf(() => parseCondition(step.if!)),
        scope,
        shift,
      ),
    );
    try {
      // A step whose condition is already false does not run.
      if (evaluateCondition(step.if, scope) === false) return problems;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      expressionFailed(["if"], step.if, error, shift);
    }
  }

  let failed = false;
  const render = (value: unknown, sub: YamlPath): unknown => {
    if (typeof value === "string") {
      if (!hasExpression(value)) return value;
      problems.push(
        ...varPaths(
          step,
          sub,
          referencesOf(() => parseTemplate(value)),
          scope,
        ),
      );
      try {
        return evaluateTemplate(value, scope);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        expressionFailed(sub, value, error);
        failed = true;
        return undefined;
      }
    }
    if (Array.isArray(value)) return value.map((item, index) => render(item, [...sub, index]));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, render(item, [...sub, key])]),
      );
    }
    return value;
  };
  const rendered = render(step.with, ["with"]);
  if (failed) return problems;
  return [...problems, ...checkRendered(step, action, rendered)];
}

/** A template's references; a syntax error is lint's to report (it runs first). */
function referencesOf(parse: () => Template): Reference[] {
  try {
    return referencesIn(parse());
  } catch (error) {
    if (error instanceof ExpressionError) return [];
    throw error;
  }
}

/** `vars.service.a` where the resolved vars.service cannot have `a`. */
function varPaths(
  step: StepDef,
  sub: YamlPath,
  references: readonly Reference[],
  scope: Scope,
  shift = 0,
): PreRunProblem[] {
  return references.flatMap((reference) => {
    const name = reference.path[0];
    if (reference.root !== "vars" || name === undefined || !Object.hasOwn(scope.vars, name)) return [];
    const problem = varPathProblem(reference, scope.vars[name], "value");
    if (!problem) return [];
    const offset = reference.offset - shift;
    return [
      {
        code: "bad-reference",
        message: problem.message,
        hint: problem.hint,
        stepId: step.id,
        place: (where: Locator) => where.text(step.origin, sub, reference.text, offset),
      },
    ];
  });
}

function checkRendered(step: StepDef, action: Action, rendered: unknown): PreRunProblem[] {
  let parsed: ReturnType<Action["input"]["safeParse"]>;
  try {
    parsed = action.input.safeParse(rendered);
  } catch {
    return []; // a schema that throws on a value it did not expect is judged at run time
  }
  if (parsed.success) return [];
  const partial = collectUnresolved(rendered).length > 0;
  // With values still unknown, only problems that do not depend on them are certain: not at or
  // under an unknown value, not a rule across fields, not a union the unknown value may choose.
  const certain = parsed.error.issues.filter((issue) => {
    if (!partial) return true;
    if (issue.code === "custom") return false;
    if (throughUnknown(rendered, issue.path)) return false;
    return !(issue.code === "invalid_union" && collectUnresolved(valueAt(rendered, issue.path)).length > 0);
  });
  return describeInputIssues(certain, rendered, step.with).map((issue) => ({
    code: "invalid-input",
    message: `${step.uses}: ${issue.message}`,
    hint: inputHint(step, issue.from),
    stepId: step.id,
    place: (where: Locator) => inputPlace(step, issue.path, where),
  }));
}

/** True when the value at `path`, or one above it, is not known yet. */
function throughUnknown(data: unknown, path: readonly PropertyKey[]): boolean {
  let current = data;
  for (const key of path) {
    if (current instanceof Unresolved) return true;
    if (current === null || typeof current !== "object") return false;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current instanceof Unresolved;
}

function inputHint(step: StepDef, from: readonly string[]): string {
  const vars = from.filter((ref) => ref.startsWith("vars."));
  const env = from.filter((ref) => ref.startsWith("env.")).map((ref) => ref.slice("env.".length));
  if (vars.length > 0)
    return `give ${vars.join(", ")} a value ${step.uses} takes (--var, --vars-file or the var's default)`;
  if (env.length > 0) return `set ${env.join(", ")} in the environment to a value ${step.uses} takes`;
  return `relctl schema and the executor's docs say what ${step.uses} takes`;
}

/** The field as written under the step's `with:` (the deepest part that is written there). */
function inputPlace(step: StepDef, path: readonly (string | number)[], where: Locator): SourceLocation {
  // A canary's hold step is generated from `hold:`; its input is not written as `with:`.
  if (step.origin.path.at(-1) === "hold") return where.at(step.origin);
  const written: (string | number)[] = [];
  let raw: unknown = step.with;
  for (const key of path) {
    if (raw === null || typeof raw !== "object" || !Object.hasOwn(raw, key)) break;
    written.push(key);
    raw = (raw as Record<string | number, unknown>)[key];
  }
  return written.length > 0 ? where.at(step.origin, "with", ...written) : where.key(step.origin, "with");
}
