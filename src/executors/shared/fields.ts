// Input fields the tool executors share. A value that lands where a program expects a
// positional argument (a release name, a chart, an image) must never read as an option, so
// anything starting with "-" is refused before a command is built.
import { z } from "zod";
import { parseDuration, waitProblem } from "../../util/duration.js";

const hasControlCharacter = (value: string): boolean =>
  [...value].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);

/** A positional argument: non-empty, not option-like, no control characters. */
export const positional = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((value) => !value.startsWith("-"), `${what} must not start with "-"`)
    .refine((value) => !hasControlCharacter(value), `${what} must not contain control characters`);

/** The value of an option (passed as the argument after the flag, so "-" is harmless but odd). */
export const optionValue = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((value) => !hasControlCharacter(value), `${what} must not contain control characters`);

/** A Kubernetes namespace: a DNS label. */
export const namespaceField = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "a namespace is a DNS label: lowercase letters, digits and -, at most 63 characters",
  )
  .optional()
  .describe("Kubernetes namespace (default: the kubeconfig context's namespace)");

export const kubeContextField = optionValue("kube_context")
  .optional()
  .describe("kubeconfig context to use (default: the current context)");

export const kubeconfigField = optionValue("kubeconfig")
  .optional()
  .describe("path of the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)");

/** Where a Helm release or a workload lives: namespace, kube-context and kubeconfig. */
export const kubeConnectionFields = {
  namespace: namespaceField,
  kube_context: kubeContextField,
  kubeconfig: kubeconfigField,
};

export interface KubeConnection {
  namespace?: string | undefined;
  kube_context?: string | undefined;
  kubeconfig?: string | undefined;
}

/**
 * The connection as command-line options: helm spells the context option --kube-context,
 * kubectl --context.
 */
export function kubeConnectionArgs(
  input: KubeConnection,
  contextOption: "--kube-context" | "--context",
): string[] {
  return [
    ...(input.namespace ? ["--namespace", input.namespace] : []),
    ...(input.kube_context ? [contextOption, input.kube_context] : []),
    ...(input.kubeconfig ? ["--kubeconfig", input.kubeconfig] : []),
  ];
}

/** "namespace production, context prod-eu" (or "the default namespace") for summaries. */
export function describeKubeConnection(input: KubeConnection): string {
  const parts = [input.namespace ? `namespace ${input.namespace}` : "the default namespace"];
  if (input.kube_context) parts.push(`context ${input.kube_context}`);
  return parts.join(", ");
}

/** A secret's name in the playbook's `secrets:` (its value never appears in inputs or plans). */
export const secretName = (usedFor: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "a secret name as declared under secrets:")
    .describe(`name of the playbook secret that holds ${usedFor}`);

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/**
 * A duration handed to a Go program (helm --timeout, kubectl --timeout): Go's syntax ("5m",
 * "1h30m", "90s"); a bare number means seconds. Days are not Go syntax and are refused.
 */
export const goDurationField = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return `${value}s`;
  const text = value.trim();
  if (/^\d+$/.test(text)) return `${text}s`;
  if (!GO_DURATION.test(text)) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a duration like 90s, 5m or 1h30m` });
    return z.NEVER;
  }
  return text;
});

/**
 * A relctl duration ("500ms", "30s", "5m", a number of seconds) that relctl waits on, as
 * milliseconds: at most MAX_WAIT, and longer than 0 where `positive` (a request's timeout).
 */
export const durationMs = (what: string, options: { positive?: boolean } = {}) =>
  z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `${what} "${value}" is not a duration like 500ms, 30s or 5m` });
      return z.NEVER;
    }
    return refuseWait(ctx, ms, value, options) ? z.NEVER : ms;
  });

/**
 * Adds the issue (with its hint) of a wait relctl will not make: longer than MAX_WAIT, or 0 where
 * `positive`. `written` is the value as the playbook wrote it. True when it added one.
 */
export function refuseWait(
  ctx: z.RefinementCtx,
  ms: number,
  written: string | number,
  options: { positive?: boolean } = {},
): boolean {
  const problem = waitProblem(ms, { ...options, written });
  if (problem) ctx.addIssue({ code: "custom", message: problem.message, params: { hint: problem.hint } });
  return problem !== undefined;
}

/**
 * A map whose keys must pass a check. (zod reports a bad record key only as "Invalid key in
 * record"; this names the key and says what is wrong with it.)
 */
export function keyedRecord<Value extends z.ZodType>(
  value: Value,
  keyProblem: (key: string) => string | undefined,
) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const problem = keyProblem(key);
      if (problem) ctx.addIssue({ code: "custom", message: problem, path: [key] });
    }
  });
}

/** A key check from a pattern and the message for keys that do not match it. */
export const keyMatching =
  (pattern: RegExp, message: string) =>
  (key: string): string | undefined =>
    pattern.test(key) ? undefined : message;
