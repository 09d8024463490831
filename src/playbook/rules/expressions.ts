// Every `${{ }}` in the playbook parses, and every reference it reads exists and is known when
// it is read: no unknown var, secret, release key, step or output; no step that runs later or
// in a stage this one does not need. Found before anything runs, with file:line:column.
import type { Action } from "../../executors/contract.js";
import { closestMatch } from "../../util/suggest.js";
import type { Diagnostic } from "../diagnostics.js";
import { ExpressionError, parseTemplate, referencesIn, type Reference } from "../expr/index.js";
import { conditionShift, parseCondition } from "../expr/template.js";
import type { Origin, Playbook, StepDef, YamlPath } from "../model.js";
import { noneBroken, type BrokenNames } from "../include.js";
import type { Locator } from "./locator.js";
import { defaultSecretInputs } from "../secret-defaults.js";
import { secretInputs } from "../secret-inputs.js";
import { conditionTypeProblem } from "./condition-type.js";
import { ReadOrder } from "./read-order.js";
import { findCycle } from "./structure.js";
import { plainDefault, varPathProblem, wholeNamespaceProblem } from "./value-paths.js";

/** What `${{ run.<field> }}` offers; failed_* are null until a stage fails (read them in on_failure stages). */
export const RUN_FIELDS = [
  "id",
  "stages",
  "failed_stage",
  "failed_step",
  "failure",
  "failure_kind",
  "rollback_target",
  "started_at",
  "failed_at",
  "timeline",
] as const;
export type RunField = (typeof RUN_FIELDS)[number];

interface Site {
  origin: Origin;
  sub: YamlPath;
  step?: StepDef;
}

export function checkExpressions(
  playbook: Playbook,
  actions: ReadonlyMap<string, Action>,
  where: Locator,
  broken: BrokenNames = noneBroken(),
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const order = new ReadOrder(playbook, broken.stages);
  const report = (site: Site, reference: { text: string; offset: number }, message: string, hint?: string) =>
    diagnostics.push({
      code: "bad-reference",
      message,
      location: where.text(site.origin, site.sub, reference.text, reference.offset),
      ...(hint ? { hint } : {}),
      ...(site.step ? { stepId: site.step.id } : {}),
    });

  /** Parses one string; returns its references, or reports the syntax error. */
  const referencesOf = (text: string, site: Site, condition = false): Reference[] => {
    // Offsets in a parsed condition are moved back to the places they have in `text`.
    const shift = condition ? conditionShift(text) : 0;
    try {
      const references = referencesIn(condition ? parseCondition(text) : parseTemplate(text)).map(
        (reference) => ({ ...reference, offset: reference.offset - shift }),
      );
      for (const reference of references.filter((candidate) => candidate.whole)) {
        const problem = wholeNamespaceProblem(reference);
        report(site, reference, problem.message, problem.hint);
      }
      return references.filter((reference) => !reference.whole);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      const offset = Math.max(0, error.offset - shift);
      diagnostics.push({
        code: "expression-syntax",
        message: `expression: ${error.message}`,
        location: where.text(site.origin, site.sub, text.slice(offset, offset + 8) || "${{", offset),
        hint: error.hint ?? "expressions look like ${{ vars.name }} or ${{ steps.<id>.outputs.<name> }}",
        ...(site.step ? { stepId: site.step.id } : {}),
      });
      return [];
    }
  };

  const checkName = (reference: Reference, site: Site, known: Iterable<string>, what: string): boolean => {
    const name = reference.path[0];
    if (name === undefined) return true;
    const names = [...known];
    if (names.includes(name)) {
      // vars.service.a where vars.service defaults to text: always null.
      const value = reference.root === "vars" ? plainDefault(playbook.vars.get(name)?.default) : undefined;
      const problem = varPathProblem(reference, value, "default");
      if (problem) report(site, reference, problem.message, problem.hint);
      return true;
    }
    if (brokenOf(broken, reference.root).has(name)) return false; // reported with its definition
    const suggestion = closestMatch(name, names);
    report(
      site,
      reference,
      `unknown ${what} "${name}" in ${reference.text}`,
      suggestion
        ? `did you mean ${reference.root}.${suggestion}?`
        : reference.root === "run"
          ? `run offers ${RUN_FIELDS.join(", ")}`
          : `declare it under ${reference.root}:`,
    );
    return false;
  };

  const releaseSteps = releaseStepReferences(
    playbook,
    referencesOf,
    checkName,
    report,
    diagnostics,
    where,
    broken,
  );

  const checkStepReference = (reference: Reference, site: Site, reader: StepDef): void => {
    const [id, part, output] = reference.path;
    if (id === undefined) return;
    const target = order.step(id);
    if (!target && broken.steps.has(id)) return;
    if (!target) {
      const suggestion = closestMatch(id, order.stepIds());
      report(
        site,
        reference,
        `unknown step "${id}" in ${reference.text}`,
        suggestion ? `did you mean steps.${suggestion}?` : undefined,
      );
      return;
    }
    const problem = order.whyNotBefore(target, reader);
    if (problem) {
      report(site, reference, `${reference.text}: ${problem.message}`, problem.hint);
      return;
    }
    if (part === undefined) return;
    if (part !== "outputs" && part !== "status") {
      report(
        site,
        reference,
        `${reference.text}: a step has outputs and status, not "${part}"`,
        `write steps.${id}.outputs.<name>`,
      );
      return;
    }
    const action = actions.get(id);
    if (part === "outputs" && output !== undefined && action) {
      const names = [...Object.keys(action.outputs), ...target.declaredOutputs];
      if (!names.includes(output)) {
        const suggestion = closestMatch(output, names);
        report(
          site,
          reference,
          `step ${id} (${target.uses}) has no output "${output}"`,
          suggestion
            ? `did you mean steps.${id}.outputs.${suggestion}?`
            : action.acceptsDeclaredOutputs
              ? `declare it on step ${id}: outputs: [${output}]`
              : `its outputs: ${names.join(", ") || "none"}`,
        );
      }
    }
  };

  for (const stage of playbook.stages) {
    for (const step of stage.steps) {
      for (const input of secretInputs(step.with, ["with"])) {
        if (playbook.secrets.has(input.name) || broken.secrets.has(input.name)) continue;
        const suggestion = closestMatch(input.name, [...playbook.secrets.keys()]);
        diagnostics.push({
          code: "bad-reference",
          message: `${String(input.path.at(-1))} names the secret "${input.name}", which the playbook does not declare`,
          location: where.at(step.origin, ...input.path),
          hint: suggestion
            ? `did you mean ${suggestion}?`
            : `declare it under secrets: (${input.name}: env://NAME)`,
          stepId: step.id,
        });
      }
      for (const input of defaultSecretInputs(actions.get(step.id), step.with)) {
        if (playbook.secrets.has(input.name) || broken.secrets.has(input.name)) continue;
        diagnostics.push({
          code: "bad-reference",
          message: `${step.uses} reads the secret "${input.name}" (the default of ${String(input.path[0])}), which the playbook does not declare`,
          location: where.at(step.origin, "uses"),
          hint: `declare it under secrets: (${input.name}: env://NAME), or set ${String(input.path[0])} to the secret that holds it`,
          stepId: step.id,
        });
      }
      const sites: [string, Site, boolean][] = [];
      forEachString(step.with, ["with"], (text, sub) =>
        sites.push([text, { origin: step.origin, sub, step }, false]),
      );
      if (step.if !== undefined) {
        sites.push([step.if, { origin: step.origin, sub: ["if"], step }, true]);
        checkConditionType(step, playbook, where, diagnostics);
      }
      if (step.name.includes("${{"))
        sites.push([step.name, { origin: step.origin, sub: ["name"], step }, false]);
      for (const [text, site, condition] of sites) {
        if (!condition && !text.includes("${{")) continue;
        for (const reference of referencesOf(text, site, condition)) {
          switch (reference.root) {
            case "vars":
              checkName(reference, site, playbook.vars.keys(), "var");
              break;
            case "secrets":
              checkName(reference, site, playbook.secrets.keys(), "secret");
              break;
            case "release": {
              if (!checkName(reference, site, playbook.release.keys(), "release value")) break;
              for (const stepId of releaseSteps.get(reference.path[0] ?? "") ?? []) {
                const target = order.step(stepId);
                const problem = target && order.whyNotBefore(target, step);
                if (problem)
                  report(
                    site,
                    reference,
                    `${reference.text} reads steps.${stepId}: ${problem.message}`,
                    problem.hint,
                  );
              }
              break;
            }
            case "steps":
              checkStepReference(reference, site, step);
              break;
            case "env":
              break;
            case "run":
              checkName(reference, site, RUN_FIELDS, "run field");
              break;
          }
        }
      }
    }
  }
  diagnostics.push(...checkVarDefaults(playbook, referencesOf, checkName, report, where));
  return diagnostics;
}

type ReferencesOf = (text: string, site: Site) => Reference[];
type CheckName = (reference: Reference, site: Site, known: Iterable<string>, what: string) => boolean;
type Report = (
  site: Site,
  reference: { text: string; offset: number },
  message: string,
  hint?: string,
) => void;

/**
 * release.version is the release's identity: approvals, locks, the train record and the last
 * known good release are bound to it before the first step runs, so it may not wait for a step.
 */
const IDENTITY_KEY = "version";
const IDENTITY_HINT =
  "derive it from vars (--var version=1.4.0); give a value a step computes another name under release: (release.candidate, say)";

/** release.<key> → every step id it reads, directly or through other release values. */
function releaseStepReferences(
  playbook: Playbook,
  referencesOf: ReferencesOf,
  checkName: CheckName,
  report: Report,
  diagnostics: Diagnostic[],
  where: Locator,
  broken: BrokenNames,
): Map<string, Set<string>> {
  const direct = new Map<string, { steps: Set<string>; release: Set<string> }>();
  for (const [key, { template, origin }] of playbook.release) {
    const reads = { steps: new Set<string>(), release: new Set<string>() };
    forEachString(template, [], (text, sub) => {
      if (!text.includes("${{")) return;
      const site = { origin, sub };
      for (const reference of referencesOf(text, site)) {
        const name = reference.path[0];
        if (reference.root === "vars") checkName(reference, site, playbook.vars.keys(), "var");
        if (reference.root === "secrets") checkName(reference, site, playbook.secrets.keys(), "secret");
        if (
          reference.root === "release" &&
          checkName(reference, site, playbook.release.keys(), "release value") &&
          name
        ) {
          reads.release.add(name);
        }
        if (key === IDENTITY_KEY && (reference.root === "steps" || reference.root === "secrets")) {
          diagnostics.push({
            code: "release-identity-from-step",
            message: `release.${IDENTITY_KEY} reads ${reference.text}, which is not known before the run starts`,
            location: where.text(origin, sub, reference.text, reference.offset),
            hint: IDENTITY_HINT,
          });
        }
        if (reference.root === "steps" && name) {
          const known = playbook.stages.some((stage) => stage.steps.some((step) => step.id === name));
          if (known) reads.steps.add(name);
          else if (!broken.steps.has(name))
            report(site, reference, `unknown step "${name}" in ${reference.text}`);
        }
      }
    });
    direct.set(key, reads);
  }
  const keys = [...direct.keys()];
  const cycle = findCycle(keys, (key) => [...(direct.get(key)?.release ?? [])]);
  if (cycle) {
    const origin = playbook.release.get(cycle[0]!)!.origin;
    diagnostics.push({
      code: "release-cycle",
      message: `release values read each other in a cycle: ${cycle.map((key) => `release.${key}`).join(" → ")}`,
      location: where.at(origin),
      hint: "let one of them read the vars or steps the other reads instead",
    });
  }
  // The steps each value reads, directly or through others; a cycle (reported above) must not
  // hide the rest, so this walks the reads instead of assuming they form a tree.
  const closure = new Map<string, Set<string>>();
  for (const key of keys) {
    const steps = new Set<string>();
    const seen = new Set([key]);
    const queue = [key];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      const reads = direct.get(next)!;
      for (const step of reads.steps) steps.add(step);
      for (const other of reads.release) {
        if (!seen.has(other)) queue.push(other);
        seen.add(other);
      }
    }
    closure.set(key, steps);
  }
  const identity = playbook.release.get(IDENTITY_KEY);
  const indirect = [...(closure.get(IDENTITY_KEY) ?? [])].filter(
    (step) => !direct.get(IDENTITY_KEY)?.steps.has(step),
  );
  if (identity && indirect.length > 0) {
    diagnostics.push({
      code: "release-identity-from-step",
      message: `release.${IDENTITY_KEY} reads step ${indirect.join(", ")} through other release values; it must be known before the run starts`,
      location: where.at(identity.origin),
      hint: IDENTITY_HINT,
    });
  }
  return closure;
}

/** Var defaults may read other vars and env, and must not read each other in a cycle. */
function checkVarDefaults(
  playbook: Playbook,
  referencesOf: ReferencesOf,
  checkName: CheckName,
  report: Report,
  where: Locator,
): Diagnostic[] {
  const reads = new Map<string, string[]>();
  for (const [name, def] of playbook.vars) {
    const names: string[] = [];
    forEachString(def.default, def.defaultSub, (text, sub) => {
      if (!text.includes("${{")) return;
      const site = { origin: def.origin, sub };
      for (const reference of referencesOf(text, site)) {
        if (reference.root === "vars") {
          if (checkName(reference, site, playbook.vars.keys(), "var") && reference.path[0])
            names.push(reference.path[0]);
        } else if (reference.root !== "env") {
          report(
            site,
            reference,
            `var defaults can read only vars and env, not ${reference.text}`,
            "use a release: value for values that depend on steps or secrets",
          );
        }
      }
    });
    reads.set(name, names);
  }
  const cycle = findCycle([...reads.keys()], (name) => reads.get(name) ?? []);
  if (!cycle) return [];
  const def = playbook.vars.get(cycle[0]!)!;
  return [
    {
      code: "var-cycle",
      message: `var defaults read each other in a cycle: ${cycle.join(" → ")}`,
      location: where.at(def.origin),
      hint: "give one of them a plain default",
    },
  ];
}

/** An `if:` known to yield something other than true or false (a string var, env, a literal). */
function checkConditionType(
  step: StepDef,
  playbook: Playbook,
  where: Locator,
  diagnostics: Diagnostic[],
): void {
  const text = step.if!;
  let problem;
  try {
    problem = conditionTypeProblem(parseCondition(text), playbook);
  } catch (error) {
    if (error instanceof ExpressionError) return; // the syntax error is reported with the references
    throw error;
  }
  if (!problem) return;
  const offset = Math.max(0, problem.offset - conditionShift(text));
  const varName = problem.what.startsWith("vars.") ? problem.what.slice("vars.".length) : undefined;
  diagnostics.push({
    code: "condition-type",
    message: `if: must be true or false, but ${problem.what} is ${problem.kind === "null" ? "null" : `a ${problem.kind}`}`,
    location: where.text(step.origin, ["if"], problem.what, offset),
    hint:
      varName !== undefined && problem.kind === "string"
        ? `compare it (\${{ vars.${varName} == 'yes' }}), or give vars.${varName} type: boolean so --var ${varName}=false is false`
        : "compare it (== 'yes', != ''), or read a boolean",
    stepId: step.id,
  });
}

/** Calls `visit` with every string inside a value and its path. */
export function forEachString(
  value: unknown,
  path: YamlPath,
  visit: (text: string, path: YamlPath) => void,
): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => forEachString(item, [...path, index], visit));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) forEachString(item, [...path, key], visit);
  }
}

function brokenOf(broken: BrokenNames, root: Reference["root"]): ReadonlySet<string> {
  if (root === "vars" || root === "secrets" || root === "release") return broken[root];
  return new Set();
}
