// Inputs that name a secret instead of holding its value: keys ending in `_secret`
// (`token_secret: github_token`) and `{ secret: name }` objects (an http header). The value never
// passes through `with:`, so relctl must still know which secrets a step reads: to check the
// names before anything runs, and to refuse a run whose required secrets are missing.
import type { YamlPath } from "./model.js";

export interface SecretInput {
  name: string;
  path: YamlPath;
}

export function secretInputs(value: unknown, path: YamlPath = []): SecretInput[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => secretInputs(item, [...path, index]));
  if (value === null || typeof value !== "object") return [];
  const found: SecretInput[] = [];
  for (const [key, item] of Object.entries(value)) {
    const names = key.endsWith("_secret") || key === "secret";
    if (names && typeof item === "string" && item !== "" && !item.includes("${{")) {
      found.push({ name: item, path: [...path, key] });
    } else {
      found.push(...secretInputs(item, [...path, key]));
    }
  }
  return found;
}
