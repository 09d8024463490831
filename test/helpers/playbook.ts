// Helpers for unit tests of the playbook loader: playbooks written to a temporary directory,
// loaded in-process, and their diagnostics reduced to what a test asserts on.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";
import type { Diagnostic } from "../../src/playbook/diagnostics.js";
import { loadPlaybook, type LoadResult } from "../../src/playbook/load.js";
import type { Scope, StepState } from "../../src/playbook/expr/index.js";

/**
 * A temporary directory holding `files` (paths relative to it); returns the directory. Call it
 * inside a test: the directory is removed when the test ends.
 */
export function writePlaybook(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "relctl-playbook-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

/** Joins lines with newlines, so a test can count lines and columns as it reads. */
export function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}

/** Writes the files and loads `root` (default relctl.yaml) with the directory as cwd. */
export async function load(
  files: Record<string, string | Buffer>,
  root = "relctl.yaml",
): Promise<LoadResult & { dir: string }> {
  const dir = writePlaybook(files);
  const result = await loadPlaybook(join(dir, root), { cwd: dir });
  return { ...result, dir };
}

/** The diagnostics of loading one playbook text as relctl.yaml. */
export async function diagnose(text: string, more: Record<string, string> = {}): Promise<Diagnostic[]> {
  return (await load({ "relctl.yaml": text, ...more })).diagnostics;
}

/** A diagnostic in brief: its place as file:line:column, and path, hint and step when present. */
export interface DiagnosticBrief {
  code: string;
  /** file:line:column */
  at: string;
  path?: string;
  message: string;
  hint?: string;
  stepId?: string;
}

/** A diagnostic as `file:line:column code: message` (with path, step and hint when present). */
export function brief(d: Diagnostic): DiagnosticBrief {
  return {
    code: d.code,
    at: `${d.location.file}:${d.location.line}:${d.location.column}`,
    ...(d.location.path !== undefined ? { path: d.location.path } : {}),
    message: d.message,
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
    ...(d.stepId !== undefined ? { stepId: d.stepId } : {}),
  };
}

/** The header every valid playbook starts with. */
export const HEADER = ["apiVersion: relctl/v1", "name: test"] as const;

/** An expression scope with nothing in it, and `now` fixed at 2026-03-04T05:06:07Z. */
export function scope(overrides: Partial<Scope> = {}): Scope {
  return {
    vars: {},
    steps: {},
    env: {},
    release: {},
    secrets: {},
    run: {},
    now: () => new Date(Date.UTC(2026, 2, 4, 5, 6, 7)),
    ...overrides,
  };
}

/** A step state for an expression scope. */
export function step(status: StepState["status"], outputs: Record<string, unknown> = {}): StepState {
  return { status, outputs };
}
