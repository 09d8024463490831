// `relctl doctor`: which outside programs a playbook needs, whether they are on PATH, which
// versions they are, and how to install what is missing. Pure apart from the ProcessRunner it is
// given (to ask each tool its version) and a PATH look-up.
import { accessSync, constants, statSync } from "node:fs";
import { basename, delimiter, isAbsolute, join } from "node:path";
import { parseHelmVersion, SUPPORTED_HELM_MAJORS } from "../executors/helm/version-text.js";
import type { ProcessRunner } from "../run/process.js";
import { definedOnly } from "../util/objects.js";

export interface ToolSpec {
  name: string;
  /** What the tool is for, in a few words. */
  purpose: string;
  /** argv (after the program) that prints its version. */
  versionArgs: string[];
  /** The version in the command's output. */
  parseVersion(output: string): string | undefined;
  /** Oldest supported major.minor, when relctl depends on newer behaviour. */
  minimum?: { major: number; minor: number };
  /** Majors relctl does not drive (helm v2, v5…). */
  supportedMajors?: number[];
  install: string;
}

const semverIn = (pattern: RegExp) => (output: string) => pattern.exec(output)?.[1];

export const KNOWN_TOOLS: Record<string, ToolSpec> = {
  helm: {
    name: "helm",
    purpose: "Helm releases (helm executor)",
    versionArgs: ["version", "--short"],
    // The helm executor's own reading, so doctor and a run agree on which helm this is.
    parseVersion: (output) => parseHelmVersion(output)?.semver,
    supportedMajors: [...SUPPORTED_HELM_MAJORS],
    install:
      "https://helm.sh/docs/intro/install/ (brew install helm; apt/snap packages; or the release binaries)",
  },
  cosign: {
    name: "cosign",
    purpose: "image and file signatures (cosign executor)",
    versionArgs: ["version", "--json"],
    parseVersion: semverIn(/"?(?:gitVersion|GitVersion)"?\s*[:=]?\s*"?v?(\d+\.\d+\.\d+)/),
    minimum: { major: 2, minor: 0 },
    install:
      "https://docs.sigstore.dev/cosign/system_config/installation/ (brew install cosign; go install github.com/sigstore/cosign/v2/cmd/cosign@latest; release binaries)",
  },
  kubectl: {
    name: "kubectl",
    purpose: "break-glass rollouts (kubectl executor)",
    versionArgs: ["version", "--client"],
    parseVersion: semverIn(/Client Version:\s*v?(\d+\.\d+\.\d+)/),
    install:
      "https://kubernetes.io/docs/tasks/tools/ (brew install kubectl; apt-get install kubectl from pkgs.k8s.io)",
  },
  git: {
    name: "git",
    purpose: "tags, versions, changelog (git executor)",
    versionArgs: ["--version"],
    parseVersion: semverIn(/git version (\d+\.\d+\.\d+)/),
    minimum: { major: 2, minor: 30 },
    install: "https://git-scm.com/downloads (apt-get install git; brew install git)",
  },
  docker: {
    name: "docker",
    purpose: "building and pushing images",
    versionArgs: ["version", "--format", "{{.Client.Version}}"],
    parseVersion: semverIn(/(\d+\.\d+\.\d+)/),
    install: "https://docs.docker.com/engine/install/ (docker buildx ships with Docker Engine and Desktop)",
  },
  crane: {
    name: "crane",
    purpose: "registry operations (the oci executor does these without it)",
    versionArgs: ["version"],
    parseVersion: semverIn(/v?(\d+\.\d+\.\d+)/),
    install: "https://github.com/google/go-containerregistry/tree/main/cmd/crane (brew install crane)",
  },
  curl: {
    name: "curl",
    purpose: "HTTP calls (the http executor does these without it)",
    versionArgs: ["--version"],
    parseVersion: semverIn(/curl (\d+\.\d+\.\d+)/),
    install: "apt-get install curl; brew install curl",
  },
  gh: {
    name: "gh",
    purpose: "GitHub CLI",
    versionArgs: ["--version"],
    parseVersion: semverIn(/gh version (\d+\.\d+\.\d+)/),
    install: "https://cli.github.com/ (brew install gh; apt packages from cli.github.com)",
  },
  promtool: {
    name: "promtool",
    purpose: "Prometheus rule tests",
    versionArgs: ["--version"],
    parseVersion: semverIn(/version (\d+\.\d+\.\d+)/),
    install: "ships with Prometheus: https://prometheus.io/download/ (apt-get install prometheus)",
  },
  tar: {
    name: "tar",
    purpose: "packing evidence bundles (evidence.bundle with archive:)",
    versionArgs: ["--version"],
    parseVersion: semverIn(/(\d+\.\d+(?:\.\d+)?)/),
    install: "apt-get install tar; it comes with every Linux and macOS",
  },
  node: {
    name: "node",
    purpose: "scripts run by exec steps",
    versionArgs: ["--version"],
    parseVersion: semverIn(/v(\d+\.\d+\.\d+)/),
    install: "https://nodejs.org/en/download",
  },
};

/** Executors that drive a program; the others (oci, http, wait, …) need none. */
const EXECUTOR_TOOLS: Record<string, string> = {
  helm: "helm",
  cosign: "cosign",
  kubectl: "kubectl",
  git: "git",
  evidence: "tar",
};

/** A step's `uses`, and for exec.run the program (argv[0]) it runs. */
export type ToolUse = string | { uses: string; program?: string | undefined };

/** The programs a list of steps needs, each with the `uses` that need it, in first-seen order. */
export function toolsForUses(uses: readonly ToolUse[]): Map<string, string[]> {
  const needed = new Map<string, string[]>();
  for (const use of uses) {
    const { uses: name, program } = typeof use === "string" ? { uses: use, program: undefined } : use;
    const executor = name.split(".")[0] ?? name;
    const tool =
      EXECUTOR_TOOLS[executor] ?? (executor === "exec" && program ? programName(program) : undefined);
    if (!tool) continue;
    const users = needed.get(tool) ?? [];
    if (!users.includes(name)) users.push(name);
    needed.set(tool, users);
  }
  return needed;
}

/** `docker`, `/usr/bin/git` → git; an expression (`${{ … }}`) is not a program name. */
function programName(program: string): string | undefined {
  if (program.includes("${{")) return undefined;
  const name = basename(program);
  return name === "" ? undefined : name;
}

/** The steps of a loaded playbook as ToolUses (exec steps with their program). */
export function toolUsesOfSteps(
  steps: readonly { uses: string; with?: Record<string, unknown> | undefined }[],
): ToolUse[] {
  return steps.map((step) => {
    const argv = step.with?.argv;
    const program = Array.isArray(argv) && typeof argv[0] === "string" ? argv[0] : undefined;
    return program === undefined ? step.uses : { uses: step.uses, program };
  });
}

export type ToolState = "ok" | "missing" | "unsupported" | "broken";

export interface ToolReport {
  name: string;
  state: ToolState;
  /** Whether the playbook needs it, and which steps' uses. */
  neededBy: string[];
  path?: string;
  version?: string;
  /** What is wrong, in words (for missing, unsupported, broken). */
  problem?: string;
  install: string;
  purpose: string;
}

export interface DoctorOptions {
  runner: ProcessRunner;
  env: Readonly<Record<string, string | undefined>>;
  /** Abort for the version commands. */
  signal?: AbortSignal;
}

/** The absolute path of a program on PATH, or undefined. */
export function findOnPath(
  program: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const candidates = isAbsolute(program)
    ? [program]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

const VERSION_TIMEOUT_MS = 10_000;

export async function checkTool(
  name: string,
  neededBy: string[],
  options: DoctorOptions,
): Promise<ToolReport> {
  const spec: ToolSpec = KNOWN_TOOLS[name] ?? {
    name,
    purpose: "run by an exec step",
    versionArgs: ["--version"],
    parseVersion: semverIn(/v?(\d+\.\d+\.\d+)/),
    install: `install ${name} or put it on PATH`,
  };
  const base = { name, neededBy, install: spec.install, purpose: spec.purpose };
  const path = findOnPath(name, options.env);
  if (!path) return { ...base, state: "missing", problem: `${name} is not on PATH` };
  const signal = AbortSignal.any([
    ...(options.signal ? [options.signal] : []),
    AbortSignal.timeout(VERSION_TIMEOUT_MS),
  ]);
  let output: string;
  try {
    const result = await options.runner.run([path, ...spec.versionArgs], {
      env: definedOnly(options.env) as Record<string, string>,
      signal,
    });
    output = `${result.stdout}\n${result.stderr}`;
    if (result.exitCode !== 0) {
      const last = output.trim().split("\n").pop() ?? "";
      return {
        ...base,
        path,
        state: "broken",
        problem: `\`${name} ${spec.versionArgs.join(" ")}\` exited with ${result.exitCode}: ${last}`,
      };
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return {
      ...base,
      path,
      state: "broken",
      problem: `\`${name} ${spec.versionArgs.join(" ")}\` did not answer: ${(error as Error).message}`,
    };
  }
  const version = spec.parseVersion(output);
  if (!version) return { ...base, path, state: "ok", problem: "could not read its version" };
  const [major, minor] = version.split(".").map(Number) as [number, number];
  if (spec.supportedMajors && !spec.supportedMajors.includes(major)) {
    return {
      ...base,
      path,
      version,
      state: "unsupported",
      problem: `${name} ${version} is not supported (relctl drives v${spec.supportedMajors.join(" and v")})`,
    };
  }
  if (
    spec.minimum &&
    (major < spec.minimum.major || (major === spec.minimum.major && minor < spec.minimum.minor))
  ) {
    return {
      ...base,
      path,
      version,
      state: "unsupported",
      problem: `${name} ${version} is older than ${spec.minimum.major}.${spec.minimum.minor}`,
    };
  }
  return { ...base, path, version, state: "ok" };
}

export interface DoctorReport {
  tools: ToolReport[];
  /** True when every tool the playbook needs is usable. */
  ok: boolean;
}

/**
 * Checks the tools the given uses need, plus every well-known tool (reported, but only needed
 * ones decide `ok`). Needed tools come first, in the order the playbook uses them.
 */
export async function runDoctor(uses: readonly ToolUse[], options: DoctorOptions): Promise<DoctorReport> {
  const needed = toolsForUses(uses);
  const names = [...needed.keys(), ...Object.keys(KNOWN_TOOLS).filter((name) => !needed.has(name))];
  const tools = await Promise.all(names.map((name) => checkTool(name, needed.get(name) ?? [], options)));
  const ok = tools.every((tool) => tool.neededBy.length === 0 || tool.state === "ok");
  return { tools, ok };
}
