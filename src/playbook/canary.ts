// A canary stage steps through traffic weights (10 → 50 → 100). `canary:` is written once and
// expanded here into plain steps, so the engine needs no special case: at each weight the
// template steps run in order (shift traffic, then gates), a wait of `hold` runs beside them
// (the minimum time at that weight), and the next weight starts only when both are over. A
// failed gate at any weight fails the stage, which hands over to on_failure.
import type { StepFile } from "./schema.js";

export interface CanaryFile {
  weights: number[];
  hold?: string | number;
  steps: StepFile[];
}

export interface ExpandedStep {
  step: StepFile;
  /** Index of the template step it came from, or undefined for a generated hold. */
  template?: number;
}

/** Expressions in canary steps read these; they are replaced by literals for each weight. */
export const CANARY_FIELDS = ["weight", "index", "previous_weight"] as const;

/** The steps of every weight, and the ids a step after the canary waits for. */
export function expandCanary(canary: CanaryFile): { steps: ExpandedStep[]; end: string[] } {
  const expanded: ExpandedStep[] = [];
  const templateIds = canary.steps.map((step) => step.id);
  const stepPattern = templateStepPattern(templateIds);
  let previousEnd: string[] = [];
  canary.weights.forEach((weight, index) => {
    const values = {
      weight,
      index: index + 1,
      previous_weight: index === 0 ? 0 : canary.weights[index - 1]!,
    };
    const rename = (id: string) => (templateIds.includes(id) ? `${id}-${weight}` : id);
    const first = rename(templateIds[0]!);
    canary.steps.forEach((template, position) => {
      const needs = template.needs
        ? template.needs.map(rename)
        : position === 0
          ? previousEnd
          : [rename(templateIds[position - 1]!)];
      const step: StepFile = {
        ...(substitute(template, values, stepPattern, weight) as StepFile),
        id: rename(template.id),
        name: `${substitute(template.name ?? template.id, values, stepPattern, weight) as string} at ${weight}%`,
        needs,
      };
      expanded.push({ step, template: position });
    });
    const ends = [rename(templateIds.at(-1)!)];
    if (canary.hold !== undefined) {
      const hold = `hold-${weight}`;
      expanded.push({
        step: {
          id: hold,
          name: `Hold ${weight}% for at least ${String(canary.hold)}`,
          uses: "wait.sleep",
          with: { duration: canary.hold },
          needs: [first],
        },
      });
      ends.push(hold);
    }
    previousEnd = ends;
  });
  return { steps: expanded, end: previousEnd };
}

/** Matches `steps.<id>.` for the template's step ids; built once per canary, not per string. */
function templateStepPattern(templateIds: string[]): RegExp | undefined {
  const ids = [...templateIds].sort((a, b) => b.length - a.length).map(escape);
  return ids.length > 0 ? new RegExp(`\\bsteps\\.(${ids.join("|")})(?=\\.)`, "g") : undefined;
}

const CANARY_FIELD = new RegExp(`\\bcanary\\.(${CANARY_FIELDS.join("|")})\\b`, "g");

/**
 * Replaces canary.<field> and references to the template's own steps inside every `${{ }}` of a
 * value, so each weight reads its own steps (steps.shift → steps.shift-50).
 */
function substitute(
  value: unknown,
  values: Record<(typeof CANARY_FIELDS)[number], number>,
  stepPattern: RegExp | undefined,
  weight: number,
): unknown {
  if (typeof value === "string") {
    if (!value.includes("${{")) return value;
    return value.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => {
      let result = expression.replace(CANARY_FIELD, (_, field: string) =>
        String(values[field as keyof typeof values]),
      );
      if (stepPattern) result = result.replace(stepPattern, (_, id: string) => `steps.${id}-${weight}`);
      return result;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values, stepPattern, weight));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, values, stepPattern, weight)]),
    );
  }
  return value;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}
