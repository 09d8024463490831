// What every command of the fake helm shares: the version it pretends to be (v3 or v4), output
// and errors as helm prints them, cobra-style flag parsing with helm's global flags, and the
// lazily loaded chart and values code (most calls are `helm version` and `helm history`, and a
// fake should start as fast as it can).
import process from "node:process";
import { parseArgs, UsageError } from "./flags.mjs";

export let stringify, ChartError, loadChart, render, merge, userValues, valueAt, ValuesError;
export async function loadCharts() {
  ({ stringify } = await import("yaml"));
  ({ ChartError, loadChart, render } = await import("./helm-chart.mjs"));
  ({ merge, userValues, valueAt, ValuesError } = await import("./helm-values.mjs"));
}

const VERSIONS = { 3: "v3.16.4+g7877b45", 4: "v4.0.4+g8650e1d" };
const requested = process.env.RELCTL_FAKE_HELM_VERSION ?? "3";
export const VERSION = VERSIONS[requested] ?? requested;
export const MAJOR = Number(/^v?(\d+)/.exec(VERSION)?.[1] ?? 3);
export const V4 = MAJOR >= 4;
export const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export class HelmError extends Error {}

export const out = (text) => process.stdout.write(text);
export const fail = (message, code = 1) => {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(code);
};

export const GLOBAL = {
  "kube-context": { type: "string" },
  namespace: { type: "string", short: "n" },
  kubeconfig: { type: "string" },
  debug: { type: "bool" },
  "burst-limit": { type: "int" },
  qps: { type: "string" },
  "kube-apiserver": { type: "string" },
  "kube-token": { type: "string" },
  "kube-as-user": { type: "string" },
  "kube-insecure-skip-tls-verify": { type: "bool" },
  "registry-config": { type: "string" },
  "repository-cache": { type: "string" },
  "repository-config": { type: "string" },
  help: { type: "bool", short: "h" },
};

export const WAIT_V4 = {
  type: "optional",
  optDefault: "watcher",
  validate: (value) =>
    ["true", "false", "watcher", "hookOnly", "legacy"].includes(value)
      ? undefined
      : `invalid wait input "${value}". Valid inputs are true, false, watcher, hookOnly, and legacy`,
};
export const wait = V4 ? WAIT_V4 : { type: "bool" };
export const VALUES_FLAGS = {
  values: { type: "stringArray", short: "f" },
  set: { type: "stringArray" },
  "set-string": { type: "stringArray" },
  "set-file": { type: "stringArray" },
  "set-json": { type: "stringArray" },
};
export function parse(args, spec) {
  try {
    const parsed = parseArgs(args, { ...GLOBAL, ...spec });
    for (const warning of parsed.warnings) process.stderr.write(`${warning}\n`);
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
}

export function requireArgs(command, usage, positionals, min, max = min) {
  if (positionals.length >= min && positionals.length <= max) return;
  const needs =
    min === max
      ? `requires ${min} argument${min === 1 ? "" : "s"}`
      : positionals.length < min
        ? `requires at least ${min} argument${min === 1 ? "" : "s"}`
        : `accepts at most ${max} arg(s), received ${positionals.length}`;
  fail(`"helm ${command}" ${needs}\n\nUsage:  helm ${usage} [flags]`);
}
