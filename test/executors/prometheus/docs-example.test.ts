// The playbook example in docs/executors/prometheus.md must stay valid: every prometheus step's
// `with:` parses against its action's schema once the example's vars are filled in.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { action } from "./run-action.js";

const doc = readFileSync(new URL("../../../docs/executors/prometheus.md", import.meta.url), "utf8");
const example = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .find((block) => block.includes("stages:"))!;

interface Step {
  id: string;
  uses: string;
  with: unknown;
}

/** Replaces `${{ vars.x }}` the way the engine would, keeping a lone expression's type. */
function render(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{\{\s*vars\.(\w+)\s*\}\}$/.exec(value);
    if (whole) return vars[whole[1]!];
    return value.replace(/\$\{\{\s*vars\.(\w+)\s*\}\}/g, (_m, name: string) => String(vars[name]));
  }
  if (Array.isArray(value)) return value.map((item) => render(item, vars));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item, vars)]));
  }
  return value;
}

describe("the reference's playbook example", () => {
  const playbook = parse(example) as {
    vars: Record<string, unknown>;
    stages: Record<string, { steps: Step[] }>;
  };
  const steps = Object.values(playbook.stages).flatMap((stage) => stage.steps);
  const gates = steps.filter((step) => step.uses.startsWith("prometheus."));

  it("has the runbook's gates", () => {
    expect(gates.map((step) => step.id)).toEqual(["slo-budget", "gate-10"]);
  });

  it.each(gates.map((step) => [step.id, step] as const))(
    "gives %s inputs its action accepts",
    (_id, step) => {
      const result = action(step.uses.split(".")[1]!).input.safeParse(render(step.with, playbook.vars));
      expect(result.error?.issues ?? []).toEqual([]);
    },
  );
});
