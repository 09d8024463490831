// Merges the schema-checked files into one normalised Playbook. Every element keeps its origin
// (file + YAML path) so rules and the engine can still point at the line it came from.
import { dirname, resolve } from "node:path";
import { parseDuration } from "../util/duration.js";
import type { Diagnostic } from "./diagnostics.js";
import type { LoadedFile } from "./include.js";
import type { Origin, Playbook, RetryPolicy, StageDef, StepDef } from "./model.js";
import { expandCanary } from "./canary.js";
import { isVarDefinition, type StageFile, type StepFile } from "./schema.js";
import { locate } from "./source.js";
import { varTyping } from "./var-types.js";

const DEFAULT_RETRY: RetryPolicy = { attempts: 1, backoffMs: 1_000, factor: 2, maxBackoffMs: 60_000 };

export function assemble(files: LoadedFile[]): { playbook: Playbook; diagnostics: Diagnostic[] } {
  const root = files.at(-1)!;
  const diagnostics: Diagnostic[] = [];
  const playbook: Playbook = {
    apiVersion: "relctl/v1",
    name: root.data.name ?? "",
    description: root.data.description,
    file: root.source.file,
    files: [root.source.file, ...files.slice(0, -1).map((loaded) => loaded.source.file)],
    vars: new Map(),
    secrets: new Map(),
    release: new Map(),
    executors: new Map(),
    stages: [],
  };
  if (!root.data.name) {
    diagnostics.push({
      code: "missing-key",
      message: 'missing required key "name" in the playbook you run',
      location: locate(root.source, []),
      hint: "add name: <release name> at the top",
    });
  }

  const firstDefined = new Map<string, Origin>();
  const claim = (kind: string, name: string, origin: Origin, loaded: LoadedFile): boolean => {
    const key = `${kind}:${name}`;
    const earlier = firstDefined.get(key);
    if (earlier && earlier.file !== origin.file) {
      diagnostics.push({
        code: "duplicate-definition",
        message: `${kind}${name ? ` "${name}"` : ""} is already defined in ${displayOf(files, earlier.file)}`,
        location: locate(loaded.source, origin.path, { key: true }),
        hint: `rename one of them, or keep only one definition`,
      });
      return false;
    }
    firstDefined.set(key, origin);
    return true;
  };

  for (const loaded of files) {
    const { data, source } = loaded;
    const origin = (...path: (string | number)[]): Origin => ({ file: source.file, path });
    for (const [name, value] of Object.entries(data.vars ?? {})) {
      if (!claim("var", name, origin("vars", name), loaded)) continue;
      const definition = isVarDefinition(value) ? value : { default: value };
      const typing = varTyping(definition.type, definition.default);
      playbook.vars.set(name, {
        name,
        default: definition.default,
        description: definition.description,
        required: definition.required ?? false,
        type: typing.type,
        typeKnown: typing.known,
        typeDeclared: definition.type !== undefined,
        origin: origin("vars", name),
        defaultSub: isVarDefinition(value) ? ["default"] : [],
      });
    }
    for (const [name, value] of Object.entries(data.secrets ?? {})) {
      if (!claim("secret", name, origin("secrets", name), loaded)) continue;
      const definition = typeof value === "string" ? { from: value } : value;
      playbook.secrets.set(name, {
        name,
        from: definition.from,
        required: definition.required ?? true,
        origin: origin("secrets", name),
      });
    }
    for (const [key, template] of Object.entries(data.release ?? {})) {
      if (!claim("release value", key, origin("release", key), loaded)) continue;
      playbook.release.set(key, { template, origin: origin("release", key) });
    }
    for (const [name, module] of Object.entries(data.executors ?? {})) {
      if (!claim("executor", name, origin("executors", name), loaded)) continue;
      playbook.executors.set(name, {
        name,
        module: resolve(dirname(source.file), module),
        origin: origin("executors", name),
      });
    }
    if (
      data.freeze_calendar !== undefined &&
      claim("freeze_calendar", "", origin("freeze_calendar"), loaded)
    ) {
      playbook.freezeCalendar = {
        file: resolve(dirname(source.file), data.freeze_calendar),
        origin: origin("freeze_calendar"),
      };
    }
    for (const [name, stage] of Object.entries(data.stages ?? {})) {
      if (!claim("stage", name, origin("stages", name), loaded)) continue;
      const def: StageDef = {
        name,
        description: stage.description,
        needs: stage.needs ?? [],
        onFailure: stage.on_failure,
        environment: stage.environment,
        approvals: stage.approvals,
        ...(stage.concurrency !== undefined ? { concurrency: stage.concurrency } : {}),
        steps: [],
        origin: origin("stages", name),
      };
      def.steps = stageSteps(name, stage, origin, loaded.keptSteps);
      if (!stage.steps && !stage.canary) {
        diagnostics.push({
          code: "missing-key",
          message: 'missing required key "steps"',
          location: locate(source, ["stages", name]),
          hint: "add steps:",
        });
      }
      playbook.stages.push(def);
    }
  }
  return { playbook, diagnostics };
}

/** A stage's steps: the canary's weights expanded (if any), then its own steps. */
function stageSteps(
  name: string,
  stage: StageFile,
  origin: (...path: (string | number)[]) => Origin,
  kept: ReadonlyMap<string, number[]> = new Map(),
): StepDef[] {
  // Steps left out for schema problems shift the others: keep pointing at the original items.
  const stepIndex = (index: number) => kept.get(name)?.[index] ?? index;
  const templateIndex = (index: number) => kept.get(`${name}/canary`)?.[index] ?? index;
  const steps: StepDef[] = [];
  let previous: StepFile | undefined;
  let canaryEnd: string[] | undefined;
  if (stage.canary) {
    const expanded = expandCanary(stage.canary);
    for (const { step, template } of expanded.steps) {
      const at =
        template === undefined
          ? origin("stages", name, "canary", "hold")
          : origin("stages", name, "canary", "steps", templateIndex(template));
      steps.push(normaliseStep(step, steps.length, undefined, name, at));
    }
    canaryEnd = expanded.end;
  }
  (stage.steps ?? []).forEach((step, index) => {
    const after = index === 0 && canaryEnd && step.needs === undefined ? { ...step, needs: canaryEnd } : step;
    steps.push(
      normaliseStep(after, steps.length, previous, name, origin("stages", name, "steps", stepIndex(index))),
    );
    previous = step;
  });
  return steps;
}

function normaliseStep(
  step: StepFile,
  index: number,
  previous: StepFile | undefined,
  stage: string,
  origin: Origin,
): StepDef {
  const [executor = "", action = ""] = step.uses.split(".");
  return {
    id: step.id,
    name: step.name ?? step.id,
    uses: step.uses,
    executor,
    action,
    with: step.with ?? {},
    if: step.if === undefined || step.if === true ? undefined : String(step.if),
    dependsOn: step.needs ?? (previous ? [previous.id] : []),
    explicitNeeds: step.needs !== undefined,
    timeoutMs: step.timeout === undefined ? undefined : parseDuration(step.timeout),
    retry: retryPolicy(step.retry),
    continueOnError: step.continue_on_error ?? false,
    declaredOutputs: step.outputs ?? [],
    stage,
    index,
    origin,
  };
}

function retryPolicy(retry: StepFile["retry"]): RetryPolicy {
  if (retry === undefined) return DEFAULT_RETRY;
  if (typeof retry === "number") return { ...DEFAULT_RETRY, attempts: retry };
  return {
    attempts: retry.attempts,
    backoffMs: retry.backoff === undefined ? DEFAULT_RETRY.backoffMs : parseDuration(retry.backoff)!,
    factor: retry.factor ?? DEFAULT_RETRY.factor,
    maxBackoffMs:
      retry.max_backoff === undefined ? DEFAULT_RETRY.maxBackoffMs : parseDuration(retry.max_backoff)!,
  };
}

function displayOf(files: LoadedFile[], file: string): string {
  return files.find((loaded) => loaded.source.file === file)?.source.display ?? file;
}
