// Pieces the kubectl actions share: the workload reference, the connection flags, reading a
// Deployment's revision and images (`kubectl get -o json`), and mapping kubectl's errors.
import { z } from "zod";
import type { ProcessResult } from "../../run/process.js";
import type { ActionContext, StepFailure } from "../contract.js";
import { commandFailure, runTool } from "../shared/command.js";
import {
  describeKubeConnection,
  kubeConnectionArgs,
  kubeConnectionFields,
  type KubeConnection,
} from "../shared/fields.js";

const KINDS: Record<string, string> = {
  deployment: "deployment",
  deployments: "deployment",
  deploy: "deployment",
  daemonset: "daemonset",
  daemonsets: "daemonset",
  ds: "daemonset",
  statefulset: "statefulset",
  statefulsets: "statefulset",
  sts: "statefulset",
};

/** "deployment/api" (also deploy/, daemonset/, ds/, statefulset/, sts/), normalised. */
export const workloadField = z
  .string()
  .min(1, "resource must not be empty")
  .refine((value) => !value.startsWith("-"), 'resource must not start with "-"')
  .transform((value, ctx) => {
    const match = /^([a-z]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value);
    const kind = match ? KINDS[match[1]!] : undefined;
    if (!match || !kind) {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is not a workload: write deployment/NAME, daemonset/NAME or statefulset/NAME`,
      });
      return z.NEVER;
    }
    return `${kind}/${match[2]}`;
  })
  .describe("the workload: deployment/NAME, daemonset/NAME or statefulset/NAME");

export const connectionFields = kubeConnectionFields;

export type Connection = KubeConnection;

export function connectionArgs(input: Connection): string[] {
  return kubeConnectionArgs(input, "--context");
}

export function where(resource: string, input: Connection): string {
  return `${resource} in ${describeKubeConnection(input)}`;
}

export interface WorkloadState {
  /** deployment.kubernetes.io/revision (0 for kinds that do not carry it). */
  revision: number;
  /** container name → image. */
  images: Record<string, string>;
}

const workloadJson = z.object({
  metadata: z.object({ annotations: z.record(z.string(), z.string()).nullish() }).loose(),
  spec: z
    .object({
      template: z
        .object({
          spec: z
            .object({ containers: z.array(z.object({ name: z.string(), image: z.string() }).loose()) })
            .loose(),
        })
        .loose(),
    })
    .loose(),
});

export async function readWorkload(
  ctx: ActionContext,
  resource: string,
  input: Connection,
): Promise<WorkloadState> {
  const result = await runTool(ctx, [
    "kubectl",
    "get",
    resource,
    ...connectionArgs(input),
    "--output",
    "json",
  ]);
  if (result.exitCode !== 0) throw kubectlFailure(`kubectl get ${resource}`, result, resource, input);
  let parsed;
  try {
    parsed = workloadJson.parse(JSON.parse(result.stdout));
  } catch (error) {
    throw commandFailure(`kubectl get ${resource} printed JSON relctl cannot read`, result, {
      hint: String(error instanceof Error ? error.message : error).split("\n")[0],
    });
  }
  const revision = Number(parsed.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
  const images: Record<string, string> = {};
  for (const container of parsed.spec.template.spec.containers) images[container.name] = container.image;
  return { revision: Number.isFinite(revision) ? revision : 0, images };
}

/**
 * The line of kubectl's stderr that says what went wrong: "error: …", "Error from server
 * (Reason): …", "Error in configuration: …", or the connection lines client-go prints. The klog
 * lines before them ("E1208 … memcache.go … Unhandled Error") are noise around the same cause.
 */
const ERROR_LINE =
  /^(error: |Error from server|Error in configuration|The connection to the server|Unable to connect to the server)/;

export function kubectlError(result: Pick<ProcessResult, "stderr" | "stdout">): string {
  const text = (result.stderr.trim() === "" ? result.stdout : result.stderr).trim();
  const lines = text.split("\n").filter((candidate) => !/^[EWIF]\d{4} /.test(candidate));
  const line = lines.find((candidate) => ERROR_LINE.test(candidate));
  return (line ?? lines.pop() ?? "").replace(/^error: /, "").trim();
}

/** A context the kubeconfig does not have; kubectl words it two ways depending on the command. */
const MISSING_CONTEXT = /context was not found for specified context: (\S+)|context "([^"]*)" does not exist/;

function missingContextHint(message: string, input: Connection): string {
  const match = MISSING_CONTEXT.exec(message);
  const name = match?.[1] ?? match?.[2] ?? input.kube_context ?? "";
  const file = input.kubeconfig ? ` ${input.kubeconfig}` : " (KUBECONFIG or ~/.kube/config)";
  return `kube_context "${name}" is not a context of the kubeconfig${file}: check kube_context against \`kubectl config get-contexts\``;
}

function unreachableHint(message: string): string {
  const server = /The connection to the server (\S+) was refused/.exec(message)?.[1];
  if (server === "localhost:8080") {
    // client-go's fallback when it found no kubeconfig at all.
    return "kubectl found no kubeconfig and tried localhost:8080: set kubeconfig on the step or KUBECONFIG for the run";
  }
  return `the API server${server ? ` at ${server}` : ""} does not answer from here: check that kube_context and kubeconfig name the right cluster, and that it is reachable (VPN, bastion, firewall)`;
}

const HINTS: [RegExp, (resource: string, input: Connection, message: string) => string][] = [
  // Before "not found": a missing context is not a missing workload.
  [MISSING_CONTEXT, (_resource, input, message) => missingContextHint(message, input)],
  [
    /The connection to the server .* was refused|Unable to connect to the server|connection refused|no such host|i\/o timeout/,
    (_resource, _input, message) => unreachableHint(message),
  ],
  [
    /NotFound|not found/,
    (resource, input) => `check that ${where(resource, input)} exists (name, namespace, context)`,
  ],
  [
    /exceeded its progress deadline/,
    () => "the new pods are not becoming ready: check them (kubectl describe pods, logs), then roll back",
  ],
  [/timed out waiting/, () => "the rollout did not finish within timeout: check the pods, or raise timeout"],
  [/no rollout history found/, () => "there is no earlier revision to return to"],
  [
    /unable to find specified revision/,
    () => "that revision is not in the rollout history (kubectl rollout history)",
  ],
  [/unable to find container named/, () => "check the container names in the workload's pod template"],
  [
    /unknown (shorthand )?flag/,
    () => "this kubectl does not know a flag relctl passed: check its version (relctl doctor)",
  ],
];

export function kubectlFailure(
  what: string,
  result: ProcessResult,
  resource: string,
  input: Connection,
  outputs?: Record<string, unknown>,
): StepFailure {
  const message = kubectlError(result);
  const hint = HINTS.find(([pattern]) => pattern.test(message))?.[1](resource, input, message);
  return commandFailure(`${what} failed: ${message}`, result, { hint, outputs });
}
