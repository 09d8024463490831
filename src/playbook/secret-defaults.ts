// Secrets a step reads without naming them: an input that names a secret (`token_secret`) and
// has a default (github_token) reads that secret when the step leaves the input out. The
// pre-run check and lint must know them as well as the ones a step names.
import type { Action } from "../executors/contract.js";
import type { SecretInput } from "./secret-inputs.js";

export function defaultSecretInputs(action: Action | undefined, inputs: unknown): SecretInput[] {
  const shape = (action?.input as { shape?: Record<string, unknown> } | undefined)?.shape;
  if (!shape) return [];
  const given = inputs !== null && typeof inputs === "object" ? (inputs as Record<string, unknown>) : {};
  const found: SecretInput[] = [];
  for (const [key, field] of Object.entries(shape)) {
    if (!key.endsWith("_secret") || given[key] !== undefined) continue;
    // The field's own default, whatever zod wraps it in: what the step gets when it leaves it out.
    const parsed = (
      field as { safeParse?: (value: unknown) => { success: boolean; data?: unknown } }
    ).safeParse?.(undefined);
    if (parsed?.success && typeof parsed.data === "string" && parsed.data !== "") {
      found.push({ name: parsed.data, path: [key] });
    }
  }
  return found;
}
