// Planning a step whose inputs wait on values known only at run time. The action's schema may
// refuse "registry/app@⟨steps.image.outputs.digest⟩" (it wants a digest there), so the inputs
// are rendered once more with a stand-in of the right shape for every such value, parsed and
// planned, and the stand-ins in the plan are turned back into ⟨steps.image.outputs.digest⟩.
import { actionMutates, type Action, type ActionPlan } from "../executors/contract.js";
import { collectUnresolved, renderDeep, type Scope, type StepState } from "../playbook/expr/index.js";
import type { StepDef } from "../playbook/model.js";
import { releaseValues } from "./release-values.js";
import type { RunContext } from "./run-context.js";
import { sha256Hex } from "../util/hash.js";

export function planWithStandIns(
  step: StepDef,
  action: Action,
  run: RunContext,
): { plan: ActionPlan; mutates: boolean } | undefined {
  const standIns = new Map<string, string>();
  const steps: Record<string, StepState> = { ...run.scope.steps };
  // A stand-in for exactly the outputs the inputs wait on (steps of stages outside the run
  // included, whose actions were never loaded).
  const waitedOn = collectUnresolved(renderDeep(step.with, run.scope)).flatMap((value) => value.refs);
  for (const ref of waitedOn) {
    const [root, id, part, name] = ref.split(".");
    if (root !== "steps" || id === undefined || part !== "outputs" || name === undefined) continue;
    const stand = standIn(id, name);
    standIns.set(stand, `⟨steps.${id}.outputs.${name}⟩`);
    const outputs = steps[id]?.status === "succeeded" ? { ...steps[id].outputs } : {};
    steps[id] = { status: "succeeded", outputs: { ...outputs, [name]: stand } };
  }
  const scope: Scope = { ...run.scope, steps, release: {} };
  scope.release = releaseValues(run.playbook, scope);
  try {
    const rendered = renderDeep(step.with, scope);
    if (collectUnresolved(rendered).length > 0) return undefined;
    const parsed = action.input.safeParse(rendered);
    if (!parsed.success) return undefined;
    const plan = restore(action.plan(parsed.data), standIns) as ActionPlan;
    return { plan, mutates: actionMutates(action, parsed.data) };
  } catch {
    return undefined;
  }
}

/** A value of the shape the output usually has: digests look like digests, the rest like words. */
function standIn(id: string, name: string): string {
  const hash = sha256Hex(`${id}\0${name}`);
  return /digest/i.test(name) ? `sha256:${hash}` : `relctl-runtime-${hash.slice(0, 12)}`;
}

function restore(value: unknown, standIns: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") {
    let text = value;
    for (const [stand, display] of standIns) if (text.includes(stand)) text = text.split(stand).join(display);
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => restore(item, standIns));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, restore(item, standIns)]));
  }
  return value;
}
