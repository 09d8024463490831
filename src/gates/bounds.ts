// Judging one finite value: inclusive bounds and a comparison with a baseline (canary vs
// stable). Non-finite values never reach here; their policy decides first.
import { formatValue } from "./format.js";
import type { BaselineRule, MetricRule } from "./rules.js";

export interface Check {
  ok: boolean;
  /** "0.42% <= 1%", "3x baseline 0.3% > 2x". */
  text: string;
}

export type BoundsRule = Pick<MetricRule, "min" | "max" | "unit">;

/** Inclusive: a value equal to max (or min) passes, as in Flagger's thresholdRange. */
export function checkBounds(rule: BoundsRule, value: number): Check[] {
  const shown = formatValue(value, rule.unit);
  const bound = (limit: number) => formatValue(limit, rule.unit);
  const checks: Check[] = [];
  if (rule.min !== undefined && rule.max !== undefined) {
    if (value < rule.min) checks.push({ ok: false, text: `${shown} < ${bound(rule.min)}` });
    else if (value > rule.max) checks.push({ ok: false, text: `${shown} > ${bound(rule.max)}` });
    else checks.push({ ok: true, text: `${shown} within [${bound(rule.min)}, ${bound(rule.max)}]` });
    return checks;
  }
  if (rule.max !== undefined) {
    const ok = value <= rule.max;
    checks.push({ ok, text: `${shown} ${ok ? "<=" : ">"} ${bound(rule.max)}` });
  }
  if (rule.min !== undefined) {
    const ok = value >= rule.min;
    checks.push({ ok, text: `${shown} ${ok ? ">=" : "<"} ${bound(rule.min)}` });
  }
  return checks;
}

/** canary / max(baseline, floor), with 0/0 = 1 and x/0 = +Inf for x > 0. */
export function baselineRatio(value: number, baseline: number, floor: number): number {
  const against = Math.max(baseline, floor);
  if (against === 0) return value === 0 ? 1 : value > 0 ? Number.POSITIVE_INFINITY : 0;
  return value / against;
}

export function checkBaseline(
  rule: BaselineRule,
  unit: MetricRule["unit"],
  value: number,
  baseline: number,
): Check[] {
  const checks: Check[] = [];
  const base = formatValue(baseline, unit);
  if (rule.maxRatio !== undefined) {
    const ratio = baselineRatio(value, baseline, rule.floor);
    const ok = ratio <= rule.maxRatio;
    const shownRatio = Number.isFinite(ratio) ? `${formatValue(ratio, "number")}x` : "+Inf x";
    checks.push({ ok, text: `${shownRatio} baseline ${base} ${ok ? "<=" : ">"} ${rule.maxRatio}x` });
  }
  if (rule.maxDifference !== undefined) {
    const difference = value - baseline;
    const ok = difference <= rule.maxDifference;
    const sign = difference >= 0 ? "+" : "";
    checks.push({
      ok,
      text: `${sign}${formatValue(difference, unit)} over baseline ${base} ${ok ? "<=" : ">"} +${formatValue(rule.maxDifference, unit)}`,
    });
  }
  return checks;
}
