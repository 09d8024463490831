// release.<key> values for an expression scope.
import { evaluateTemplate, renderDeep, Unresolved, type Scope } from "../playbook/expr/index.js";
import type { Playbook } from "../playbook/model.js";

/** release.<key>: evaluated on first read and kept once it no longer waits on run-time values. */
export function releaseValues(playbook: Playbook, scope: Scope): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, { template }] of playbook.release) {
    let known: { value: unknown } | undefined;
    values[key] = () => {
      if (known) return known.value;
      const value =
        typeof template === "string" ? evaluateTemplate(template, scope) : renderDeep(template, scope);
      if (!(value instanceof Unresolved)) known = { value };
      return value;
    };
  }
  return values;
}
