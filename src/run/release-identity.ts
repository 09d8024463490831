// What a run releases, known before it starts: the version (release.version, else vars.version)
// and the tag, when they depend on vars alone. Approvals, locks, the train record and the
// evidence bundle are all bound to it.
import { evaluateTemplate, Unresolved, type Scope } from "../playbook/expr/index.js";
import type { Playbook } from "../playbook/model.js";

export interface ReleaseIdentity {
  version: string;
  tag?: string;
}

export function releaseIdentity(
  playbook: Playbook,
  vars: Record<string, unknown>,
  env: Record<string, string | undefined>,
): ReleaseIdentity {
  const scope: Scope = { vars, steps: {}, env, release: {}, secrets: {}, run: {}, now: () => new Date() };
  scope.release = Object.fromEntries(
    [...playbook.release].map(([key, { template }]) => [key, () => safely(template, scope)]),
  );
  const version =
    text(safely(playbook.release.get("version")?.template, scope)) ?? text(vars.version) ?? "unversioned";
  const tag = text(safely(playbook.release.get("tag")?.template, scope));
  return { version, ...(tag ? { tag } : {}) };
}

function safely(template: unknown, scope: Scope): unknown {
  if (typeof template !== "string") return template;
  try {
    return evaluateTemplate(template, scope);
  } catch {
    return undefined; // it reads steps or secrets: not known before the run
  }
}

function text(value: unknown): string | undefined {
  if (value instanceof Unresolved || value === null || value === undefined || value === "") return undefined;
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
