// Shared cases for the playbook validation tests: loadPlaybook on playbooks written to a temporary
// directory, asserting each diagnostic's code, file:line:column, YAML path, message, hint and step id.
// Line numbers in comments count from 1; HEADER is lines 1–2 (apiVersion, name).
import { expect } from "vitest";
import { sortDiagnostics, type Diagnostic } from "../../../src/playbook/diagnostics.js";
import { brief, HEADER, lines, type DiagnosticBrief } from "../../helpers/playbook.js";

/** What a diagnostic should be; its message and hint are fragments of the real ones. */
export type Expected = DiagnosticBrief;

/** Exactly these diagnostics (sorted by place), each matching its expectation. */
export function expectDiagnostics(actual: Diagnostic[], expected: Expected[]): void {
  expect(sortDiagnostics(actual).map(brief)).toMatchObject(
    expected.map(({ message, hint, ...rest }) => ({
      ...rest,
      message: expect.stringContaining(message),
      ...(hint === undefined ? {} : { hint: expect.stringContaining(hint) }),
    })),
  );
}

/** A playbook: HEADER (lines 1–2), then `body` from line 3. */
export const doc = (...body: string[]): string => lines(...HEADER, ...body);

/** An exec.run step that is valid on its own (3 lines; `id` value at column 13). */
export const step = (id: string, ...extra: string[]): string[] => [
  `      - id: ${id}`,
  "        uses: exec.run",
  "        with: { argv: [echo] }",
  ...extra,
];

/**
 * An exec.run step that echoes `arg` (3 lines). The argument's text starts at column 31 of the
 * `with:` line, so a reference at offset n of `arg` is at column 31 + n.
 */
export const echo = (id: string, arg: string, ...extra: string[]): string[] => [
  `      - id: ${id}`,
  "        uses: exec.run",
  `        with: { argv: [echo, '${arg}'] }`,
  ...extra,
];

/**
 * A playbook that declares vars service and ab (lines 3–5), secret token (6–7) and release.version
 * (8–9), then stage build (10–12) whose steps are `body` from line 13.
 */
export const scopedDoc = (...body: string[]): string =>
  doc(
    "vars:", // 3
    "  service: api", // 4
    "  ab: 1", // 5
    "secrets:", // 6
    "  token: env://TOKEN", // 7
    "release:", // 8
    "  version: '${{ vars.service }}'", // 9
    "stages:", // 10
    "  build:", // 11
    "    steps:", // 12
    ...body, // 13…
  );
