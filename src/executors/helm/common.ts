// Pieces every helm action shares: the release/chart/connection fields, the values arguments,
// and turning helm's "Error: …" lines into StepFailures with a hint that says what to do.
import { z } from "zod";
import type { ProcessResult } from "../../run/process.js";
import { lastLines } from "../../util/text.js";
import type { ActionContext, StepFailure } from "../contract.js";
import { commandFailure } from "../shared/command.js";
import {
  describeKubeConnection,
  keyedRecord,
  keyMatching,
  kubeConnectionArgs,
  kubeConnectionFields,
  optionValue,
  positional,
  type KubeConnection,
} from "../shared/fields.js";

/** Helm's own rule for release names (DNS-1123 subdomain, at most 53 characters). */
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const releaseField = positional("release")
  .refine((value) => value.length <= 53, "a release name has at most 53 characters")
  .refine(
    (value) => value.startsWith("-") || RELEASE_NAME.test(value),
    "a release name is lowercase letters, digits, - and . (a DNS name)",
  )
  .describe("the Helm release name")
  .meta({ examples: ["api"] });

export const chartField = positional("chart")
  .describe("chart directory, packaged .tgz, repo/chart or oci:// reference")
  .meta({ examples: ["./charts/api", "oci://registry.example.com/charts/api"] });

/** Where a release lives: namespace, kube-context and kubeconfig. */
export const connectionFields = kubeConnectionFields;

export type Connection = KubeConnection;

export function connectionArgs(input: Connection): string[] {
  return kubeConnectionArgs(input, "--kube-context");
}

/** "namespace production, context prod-eu" for summaries. */
export const where = describeKubeConnection;

/** A --set key: dotted path as helm reads it; "=" and "," would split it, so they are refused. */
const setKey = keyMatching(/^[^\s=,-][^\s=,]*$/, 'a --set key is a dotted path without spaces, "=" or ","');

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const valuesFields = {
  values: z
    .array(optionValue("values file"))
    .default([])
    .describe("values files (--values), in order; later files win; relative to the run's directory"),
  set: keyedRecord(z.union([scalar, z.array(scalar)]), setKey)
    .default({})
    .describe("values set on the command line (--set key=value); helm types true/false/null/integers"),
  set_string: keyedRecord(z.union([z.string(), z.number(), z.boolean()]), setKey)
    .default({})
    .describe("values that stay strings (--set-string key=value): image tags, versions"),
};

export interface ValuesInput {
  values: string[];
  set: Record<string, z.infer<typeof scalar> | z.infer<typeof scalar>[]>;
  set_string: Record<string, string | number | boolean>;
}

/**
 * Helm's --set parser splits on "," and reads "\" as an escape, and a value starting with "{"
 * as a list; every such character in a value is escaped so the value arrives exactly as given.
 */
export function escapeSetValue(value: string): string {
  return value.replace(/[\\,{}]/g, (character) => `\\${character}`);
}

function setValue(value: z.infer<typeof scalar> | z.infer<typeof scalar>[]): string {
  if (Array.isArray(value)) return `{${value.map((item) => escapeSetValue(String(item))).join(",")}}`;
  return escapeSetValue(String(value));
}

export function valuesArgs(input: ValuesInput): string[] {
  return [
    ...input.values.flatMap((file) => ["--values", file]),
    ...Object.entries(input.set).flatMap(([key, value]) => ["--set", `${key}=${setValue(value)}`]),
    ...Object.entries(input.set_string).flatMap(([key, value]) => [
      "--set-string",
      `${key}=${escapeSetValue(String(value))}`,
    ]),
  ];
}

/** The message after helm's "Error: " (the rest of stderr from there: helm wraps long causes). */
export function helmError(result: Pick<ProcessResult, "stderr" | "stdout">): string {
  const text = result.stderr.trim() === "" ? result.stdout : result.stderr;
  const lines = text.split("\n");
  const start = lines.findLastIndex((line) => line.startsWith("Error: "));
  if (start === -1) return (lastLines(text, 3) ?? "").replace(/\n/g, " ").trim();
  return lines
    .slice(start)
    .join(" ")
    .replace(/^Error: /, "")
    .replace(/\s+/g, " ")
    .trim();
}

const HINTS: [RegExp, (release: string, input: Connection) => string][] = [
  [
    /another operation \(install\/upgrade\/rollback\) is in progress/,
    (release, input) =>
      `a previous helm operation on ${release} did not finish (still running, or interrupted); ` +
      `\`helm history ${release}${connectionArgs(input)
        .map((arg) => ` ${arg}`)
        .join("")}\` shows the pending revision: ` +
      "wait for it, or roll back to the last deployed revision (helm.rollback) before retrying",
  ],
  [
    /has no deployed releases/,
    () =>
      "the release has no revision to upgrade from: install it (install: true), or uninstall what a failed install left behind",
  ],
  [
    /has been (rolled back|uninstalled) due to (atomic|rollback-on-failure) being set/,
    () =>
      "helm undid the failed change itself; the cause is at the end of the message (check the pods if it is a timeout)",
  ],
  [
    /cluster unreachable/i,
    () => "check kube_context and kubeconfig, and that the cluster's API server answers from here",
  ],
  [
    /release: not found/,
    (release, input) =>
      `there is no release ${release} in ${where(input)}: check release, namespace and kube_context`,
  ],
  [/release has no \d+ version/, () => "that revision is not in the release's history (see helm.history)"],
  [
    /context deadline exceeded|timed out waiting for the condition|not ready/,
    () =>
      "the release's resources did not become ready within the timeout: check the pods (kubectl describe, logs) or raise timeout",
  ],
  [
    /path ".*" not found|repo .* not found|failed to (download|fetch)|not a valid chart/,
    () => "check the chart path or reference (helm repo add / helm registry login for remote charts)",
  ],
  [
    /unknown (shorthand )?flag/,
    () =>
      "this helm does not know a flag relctl passed: check its version with relctl doctor (v3 and v4 are supported)",
  ],
];

export function helmHint(message: string, release: string, input: Connection): string | undefined {
  for (const [pattern, hint] of HINTS) if (pattern.test(message)) return hint(release, input);
  return undefined;
}

/** "helm upgrade api failed: UPGRADE FAILED: …" with the command, exit code, stderr and a hint. */
export function helmFailure(
  what: string,
  result: ProcessResult,
  release: string,
  input: Connection,
  outputs?: Record<string, unknown>,
): StepFailure {
  const message = helmError(result);
  return commandFailure(`${what} failed: ${message}`, result, {
    hint: helmHint(message, release, input),
    outputs,
  });
}

/** The `helm.release` record of a change: what the action reports, and where the release lives. */
export function recordRelease(
  ctx: ActionContext,
  action: "upgrade" | "rollback",
  facts: Record<string, unknown>,
  input: Connection,
): void {
  ctx.record("helm.release", {
    action,
    ...facts,
    namespace: input.namespace ?? "",
    kube_context: input.kube_context ?? "",
  });
}
