// Chart-level actions: lint, template (both read-only, so plans can show what would deploy),
// package and dependency_update (they write files).
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { defineAction, StepFailure } from "../contract.js";
import { commandFailure, runPath, runTool } from "../shared/command.js";
import { namespaceField, optionValue } from "../shared/fields.js";
import { chartField, helmFailure, releaseField, valuesArgs, valuesFields } from "./common.js";
import { sha256OfFile } from "../../util/hash.js";

export interface LintMessage {
  severity: "INFO" | "WARNING" | "ERROR";
  path: string;
  message: string;
}

/**
 * `[WARNING] templates/deployment.yaml: object name does not conform…` lines of helm lint. helm
 * v4 writes a template error over several indented lines (the place, then what it was executing,
 * then the cause): they are one finding, joined with spaces, so the cause is not lost.
 */
export function parseLint(text: string): { messages: LintMessage[]; linted: number; failed: number } {
  const messages: LintMessage[] = [];
  let open: LintMessage | undefined;
  for (const line of text.split("\n")) {
    const match = /^\[(INFO|WARNING|ERROR)\]\s+([^:]*):\s*(.*)$/.exec(line.trim());
    if (match) {
      open = { severity: match[1] as LintMessage["severity"], path: match[2]!, message: match[3]!.trim() };
      messages.push(open);
    } else if (open && /^\s+\S/.test(line)) {
      open.message = `${open.message} ${line.trim()}`.trim();
    } else {
      open = undefined;
    }
  }
  const summary = /(\d+) chart\(s\) linted, (\d+) chart\(s\) failed/.exec(text);
  return { messages, linted: Number(summary?.[1] ?? 0), failed: Number(summary?.[2] ?? 0) };
}

const lintInput = z.object({
  chart: chartField,
  ...valuesFields,
  strict: z.boolean().default(false).describe("fail on warnings too (--strict)"),
  with_subcharts: z.boolean().default(false).describe("lint dependent charts too"),
  kube_version: optionValue("kube_version").optional().describe("Kubernetes version for capabilities"),
});

function lintArgv(input: z.output<typeof lintInput>): string[] {
  return [
    "helm",
    "lint",
    input.chart,
    ...valuesArgs(input),
    ...(input.strict ? ["--strict"] : []),
    ...(input.with_subcharts ? ["--with-subcharts"] : []),
    ...(input.kube_version ? ["--kube-version", input.kube_version] : []),
  ];
}

export const lint = defineAction({
  description: "helm lint a chart with the values it will be deployed with",
  input: lintInput,
  outputs: {
    messages: "every finding: {severity: INFO|WARNING|ERROR, path, message}",
    errors: "how many ERROR findings",
    warnings: "how many WARNING findings",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({ summary: `helm lint ${input.chart}`, argv: lintArgv(input) }),
  run: async (ctx, input) => {
    const result = await runTool(ctx, lintArgv(input));
    const parsed = parseLint(`${result.stdout}\n${result.stderr}`);
    const count = (severity: LintMessage["severity"]) =>
      parsed.messages.filter((message) => message.severity === severity).length;
    const outputs = { messages: parsed.messages, errors: count("ERROR"), warnings: count("WARNING") };
    for (const message of parsed.messages) {
      if (message.severity !== "INFO")
        ctx.log.warn(`[${message.severity}] ${message.path}: ${message.message}`);
    }
    if (result.exitCode !== 0) {
      const first = parsed.messages.find((message) => message.severity !== "INFO");
      const detail = first ? `: [${first.severity}] ${first.path}: ${first.message}` : "";
      throw commandFailure(
        `helm lint ${input.chart} failed with ${outputs.errors} error${outputs.errors === 1 ? "" : "s"}${input.strict ? ` and ${outputs.warnings} warning${outputs.warnings === 1 ? "" : "s"} (strict)` : ""}${detail}`,
        result,
        { hint: "fix the chart (the findings are in the step's outputs and log)", outputs },
      );
    }
    return outputs;
  },
});

const templateInput = z.object({
  release: releaseField,
  chart: chartField,
  namespace: namespaceField,
  version: optionValue("version").optional().describe("chart version (--version)"),
  ...valuesFields,
  kube_version: optionValue("kube_version").optional().describe("Kubernetes version for capabilities"),
  api_versions: z
    .array(optionValue("api version"))
    .default([])
    .describe("extra API versions (--api-versions)"),
  show_only: z.array(optionValue("template path")).default([]).describe("render only these templates"),
  include_crds: z.boolean().default(false).describe("include CRDs in the output"),
});

function templateArgv(input: z.output<typeof templateInput>): string[] {
  return [
    "helm",
    "template",
    input.release,
    input.chart,
    ...(input.namespace ? ["--namespace", input.namespace] : []),
    ...(input.version ? ["--version", input.version] : []),
    ...valuesArgs(input),
    ...(input.kube_version ? ["--kube-version", input.kube_version] : []),
    ...input.api_versions.flatMap((version) => ["--api-versions", version]),
    ...input.show_only.flatMap((path) => ["--show-only", path]),
    ...(input.include_crds ? ["--include-crds"] : []),
  ];
}

/** Kind/name of every rendered object, and the container images they run. */
export function summariseManifest(manifest: string): { resources: string[]; images: string[] } {
  const resources: string[] = [];
  const images = new Set<string>();
  for (const document of parseAllDocuments(manifest)) {
    const value: unknown = document.toJS();
    if (!isRecord(value)) continue;
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    if (typeof value.kind === "string") resources.push(`${value.kind}/${String(metadata.name ?? "")}`);
    collectImages(value, images);
  }
  return { resources, images: [...images] };
}

function collectImages(value: unknown, images: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectImages(item, images);
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if ((key === "containers" || key === "initContainers") && Array.isArray(item)) {
      for (const container of item) {
        if (isRecord(container) && typeof container.image === "string") images.add(container.image);
      }
    }
    collectImages(item, images);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const template = defineAction({
  description: "Render a chart locally (helm template): the manifests, resources and images it would deploy",
  input: templateInput,
  outputs: {
    manifest: "the rendered YAML",
    resources: "Kind/name of every rendered object",
    images: "container images the manifests run",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({ summary: `render ${input.chart} as ${input.release}`, argv: templateArgv(input) }),
  run: async (ctx, input) => {
    const result = await runTool(ctx, templateArgv(input));
    if (result.exitCode !== 0)
      throw helmFailure(`helm template ${input.chart}`, result, input.release, input);
    let summary: { resources: string[]; images: string[] };
    try {
      summary = summariseManifest(result.stdout);
    } catch (error) {
      throw new StepFailure(`helm template ${input.chart} printed YAML relctl cannot read`, {
        command: result.command,
        cause: error,
      });
    }
    return { manifest: result.stdout, ...summary };
  },
});

const packageInput = z.object({
  chart: chartField,
  destination: optionValue("destination").default(".").describe("directory the .tgz is written to"),
  version: optionValue("version").optional().describe("set the chart version (--version)"),
  app_version: optionValue("app_version").optional().describe("set the chart's appVersion (--app-version)"),
  dependency_update: z.boolean().default(false).describe("update dependencies first (--dependency-update)"),
});

function packageArgv(input: z.output<typeof packageInput>): string[] {
  return [
    "helm",
    "package",
    input.chart,
    "--destination",
    input.destination,
    ...(input.version ? ["--version", input.version] : []),
    ...(input.app_version ? ["--app-version", input.app_version] : []),
    ...(input.dependency_update ? ["--dependency-update"] : []),
  ];
}

export const packageChart = defineAction({
  description: "helm package a chart into a .tgz and report its path and sha256",
  input: packageInput,
  outputs: { path: "absolute path of the .tgz", sha256: "sha256 of the .tgz (hex)" },
  mutates: true,
  plan: (input) => ({
    summary: `package ${input.chart} into ${input.destination}`,
    argv: packageArgv(input),
  }),
  run: async (ctx, input) => {
    const result = await runTool(ctx, packageArgv(input));
    if (result.exitCode !== 0) throw helmFailure(`helm package ${input.chart}`, result, "", {});
    const match = /saved it to:\s*(.+\.tgz)\s*$/m.exec(result.stdout);
    if (!match) {
      throw new StepFailure(`helm package ${input.chart} did not say where it saved the chart`, {
        command: result.command,
        stderrTail: result.stdout.trim(),
      });
    }
    const path = runPath(ctx, match[1]!);
    const sha256 = await sha256OfFile(path);
    ctx.record("helm.package", { chart: input.chart, path, sha256 });
    return { path, sha256 };
  },
});

const dependencyInput = z.object({
  chart: chartField,
  skip_refresh: z.boolean().default(false).describe("do not refresh the repository indexes first"),
});

function dependencyArgv(input: z.output<typeof dependencyInput>): string[] {
  return ["helm", "dependency", "update", input.chart, ...(input.skip_refresh ? ["--skip-refresh"] : [])];
}

export const dependencyUpdate = defineAction({
  description: "helm dependency update: fetch the chart's dependencies into charts/ and write Chart.lock",
  input: dependencyInput,
  outputs: { output: "what helm printed" },
  mutates: true,
  plan: (input) => ({
    summary: `update the dependencies of ${input.chart}`,
    argv: dependencyArgv(input),
  }),
  run: async (ctx, input) => {
    const result = await runTool(ctx, dependencyArgv(input));
    if (result.exitCode !== 0) throw helmFailure(`helm dependency update ${input.chart}`, result, "", {});
    return { output: result.stdout.trim() };
  },
});
