// The world a release captain runs the shipped train in, built from real parts on loopback:
// a git repository with a bare remote (`origin`) holding a copy of playbooks/, a chart and a
// region overlay; Debian's docker-registry; a real Prometheus scraping a small service whose
// canary error ratio the test sets; loopback staging and production health endpoints; a
// loopback GitHub API. helm, cosign and kubectl are the faithful fakes of test/fakes/bin
// (their state in temp dirs); docker and npm are recording stand-ins. PATH holds those, node
// and git — nothing else — so the train cannot reach a real docker or kubectl by accident.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, existsSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { relctl, repoRoot, type CliResult } from "../../helpers/cli.js";
import { createRepo, type TestRepo } from "../../helpers/git-repo.js";
import { tempDir, type RunningServer } from "../../helpers/servers.js";
import { FAKES_BIN } from "../../executors/tool-fakes.js";
import { startRegistry } from "../../executors/oci/registry.js";
import { startFakeGitHub, TOKEN, type FakeGitHub } from "../../executors/github/fake-github.js";
import { startMetricsService, type MetricsService } from "./metrics-service.js";
import { startScrapingPrometheus, waitForSeries } from "./prometheus.js";

export const VERSION = "1.4.0";
export const PREVIOUS_VERSION = "1.3.0";
/** The image production runs before the train (release 1.3.0). */
export const PREVIOUS_DIGEST = `sha256:${"0".repeat(63)}1`;
export const SERVICE = "api";
export const COSIGN_PASSWORD = "correct horse battery staple";
export const PLAYBOOK = "playbooks/release-train.yaml";
/** The canary's selectors, as the shipped canary gate queries them. */
export const CANARY_TRAFFIC = `sum(rate(http_requests_total{service="${SERVICE}",track="canary"}[5m]))`;
export const STABLE_TRAFFIC = `sum(rate(http_requests_total{service="${SERVICE}",track="stable"}[5m]))`;

const STAND_INS = fileURLToPath(new URL("./stand-ins", import.meta.url));

export interface HealthServer {
  url: string;
  /** Paths requested so far. */
  paths: string[];
  close(): Promise<void>;
}

/** /health answers {"status":"ok","version": …} with the version the deployment runs now. */
async function healthServer(version: () => string): Promise<HealthServer> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? "");
    if (request.url !== "/health") {
      response.writeHead(404, { "content-type": "application/json" }).end("{}");
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ status: "ok", version: version() }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StandInCall {
  program: string;
  argv: string[];
  cwd: string;
}

export interface TrainWorld {
  repo: TestRepo;
  /** The project directory (the git work tree) relctl runs in. */
  dir: string;
  registry: RunningServer;
  /** 127.0.0.1:PORT/acme/api */
  image: string;
  metrics: MetricsService;
  prometheus: RunningServer;
  staging: HealthServer;
  production: HealthServer;
  github: FakeGitHub;
  /** The fakes' state directories. */
  state: { helm: string; cosign: string; kubectl: string };
  /** The --var flags every command gets. */
  vars: string[];
  env: Record<string, string>;
  /** relctl <command> -p playbooks/release-train.yaml -C <dir> <vars> …rest of args */
  relctl(
    args: string[],
    options?: { timeoutMs?: number; env?: Record<string, string | undefined> },
  ): Promise<CliResult>;
  /** docker and npm calls, oldest first. */
  standInCalls(): StandInCall[];
  /** argv of every call a fake received (helm, cosign or kubectl), oldest first. */
  fakeCalls(tool: "helm" | "cosign" | "kubectl"): string[][];
  /** The revisions the fake helm stores for a release. */
  helmRevisions(context: string, namespace: string, release: string): HelmRevision[];
  /** cosign's signatures, keyed registry/repository@digest. */
  signatures(): Record<string, unknown[]>;
  /** The digest a tag names in the registry, or undefined. */
  tagDigest(tag: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface HelmRevision {
  version: number;
  info: { status: string; description: string };
  config?: Record<string, unknown>;
  chart?: unknown;
}

type Servers = "registry" | "metrics" | "prometheus" | "staging" | "production" | "github";

export interface WorldOptions {
  /** Error ratio of the canary track (0.005 = 0.5%, below the 1% the gate allows). */
  canaryErrorRatio?: number;
}

const CHART = {
  "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 1.4.0\nappVersion: 1.4.0\n",
  "charts/api/values.yaml":
    "image:\n  repository: registry.example.com/acme/api\n  digest: ''\ncanary:\n  weight: 0\n",
  "charts/api/templates/deployment.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    '  name: "{{ .Release.Name }}"',
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    "        - name: api",
    '          image: "{{ .Values.image.repository }}@{{ .Values.image.digest }}"',
    "",
  ].join("\n"),
  "overlays/us-east/values.yaml": "region: us-east\nreplicaCount: 3\n",
  "CHANGELOG.md": [
    "# Changelog",
    "",
    "## [Unreleased]",
    "",
    `## [${VERSION}] - 2026-11-20`,
    "",
    "### Added",
    "",
    "- Canary gates on the error rate",
    "",
    "## [1.3.0] - 2026-10-01",
    "",
    "- First train",
    "",
  ].join("\n"),
  ".gitignore": ".relctl/\nbuild-metadata.json\n",
};

/** A bin directory with the stand-ins and links to node and git, nothing else. */
function binDirs(log: string): { standIns: string; tools: string } {
  const standIns = tempDir("train-bin");
  for (const name of ["docker", "npm"]) {
    const file = join(standIns, name);
    writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${join(STAND_INS, `${name}.mjs`)}" "$@"\n`, {
      mode: 0o755,
    });
  }
  writeFileSync(log, "");
  const tools = tempDir("train-tools");
  symlinkSync(process.execPath, join(tools, "node"));
  for (const tool of ["git", "tar", "gzip"]) {
    symlinkSync(
      execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(),
      join(tools, tool),
    );
  }
  return { standIns, tools };
}

/**
 * PATH for the train: the docker and npm stand-ins (recording to `log`), the fakes of helm,
 * cosign and kubectl, and node and git; with `fakes: false` only node and git.
 */
export function trainPath(options: { fakes: boolean; log?: string }): string {
  const bins = binDirs(options.log ?? join(tempDir("train-log"), "calls.jsonl"));
  return options.fakes ? [bins.standIns, FAKES_BIN, bins.tools].join(delimiter) : bins.tools;
}

export async function startTrainWorld(options: WorldOptions = {}): Promise<TrainWorld> {
  const canaryErrorRatio = options.canaryErrorRatio ?? 0.005;
  const repo = createRepo();
  const dir = repo.dir;
  const state = {
    helm: tempDir("train-helm"),
    cosign: tempDir("train-cosign"),
    kubectl: tempDir("train-kubectl"),
  };
  const helmRevisions = (context: string, namespace: string, release: string): HelmRevision[] => {
    const file = join(state.helm, context, namespace, `${release}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as HelmRevision[]) : [];
  };
  // A deployment serves the version of the image Helm deployed last: the candidate once its
  // digest (from buildx's metadata file) is deployed, the previous release before.
  const servedVersion = (context: string, namespace: string, release: string) => () => {
    const deployed = helmRevisions(context, namespace, release).findLast(
      (revision) => revision.info.status === "deployed",
    );
    const digest = (deployed?.config?.image as { digest?: string } | undefined)?.digest;
    const metadata = join(dir, "build-metadata.json");
    const built = existsSync(metadata)
      ? (JSON.parse(readFileSync(metadata, "utf8")) as Record<string, string>)["containerimage.digest"]
      : undefined;
    return digest !== undefined && digest === built ? VERSION : PREVIOUS_VERSION;
  };

  const metrics = await startMetricsService({
    [`${SERVICE}/canary`]: canaryErrorRatio,
    [`${SERVICE}/stable`]: 0.004,
  });
  // Prometheus first scrapes a few seconds after it starts: start it before everything else.
  const [prometheus, registry, staging, production, github] = await Promise.all([
    startScrapingPrometheus(metrics.target),
    startRegistry(),
    healthServer(servedVersion("staging", "staging", `${SERVICE}-staging`)),
    healthServer(servedVersion("production", "production", SERVICE)),
    startFakeGitHub(),
  ]);
  // The freeze stage's error-budget gate reads a gauge: wait for Prometheus' first scrape of it.
  await waitForSeries(prometheus.url, [`slo:error_budget_remaining{service="${SERVICE}"}`]);
  const close = async () => {
    await Promise.all([
      registry.stop(),
      prometheus.stop(),
      metrics.close(),
      staging.close(),
      production.close(),
      github.close(),
    ]);
  };
  try {
    return { ...project(), registry, metrics, prometheus, staging, production, github, close };
  } catch (error) {
    await close();
    throw error;
  }

  // The project and the state of the tools, once the servers it points at are up.
  function project(): Omit<TrainWorld, Servers | "close"> {
    cpSync(join(repoRoot, "playbooks"), join(dir, "playbooks"), { recursive: true });
    for (const [path, content] of Object.entries(CHART)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    repo.commit("chore: release train playbooks and chart");
    repo.git("push", "--quiet", "origin", "main");
    repo.commit("feat: canary gates on the error rate");

    const log = join(tempDir("train-log"), "calls.jsonl");
    const fakeEnv = {
      RELCTL_FAKE_HELM_STATE: state.helm,
      RELCTL_FAKE_COSIGN_STATE: state.cosign,
      RELCTL_FAKE_KUBECTL_STATE: state.kubectl,
    };
    const path = trainPath({ fakes: true, log });
    const run = (argv: string[], extra: Record<string, string> = {}) =>
      execFileSync(argv[0]!, argv.slice(1), {
        cwd: dir,
        env: { PATH: path, ...fakeEnv, ...extra },
        stdio: ["ignore", "pipe", "pipe"],
      });

    // A key pair made by (the fake) cosign; the private key reaches relctl as CI passes it, in an
    // environment variable, and is not left in the work tree.
    run(["cosign", "generate-key-pair"], { COSIGN_PASSWORD });
    const privateKey = readFileSync(join(dir, "cosign.key"), "utf8");
    rmSync(join(dir, "cosign.key"));

    // Production already runs the previous release: Helm revision 1, and its Deployment.
    run([
      "helm",
      "upgrade",
      "--install",
      SERVICE,
      "./charts/api",
      "--namespace",
      "production",
      "--kube-context",
      "production",
      "--values",
      "overlays/us-east/values.yaml",
      "--set-string",
      `image.digest=${PREVIOUS_DIGEST}`,
    ]);
    run([
      "kubectl",
      "create",
      "deployment",
      SERVICE,
      `--image=registry.example.com/acme/api@${PREVIOUS_DIGEST}`,
      "--namespace",
      "production",
      "--context",
      "production",
    ]);

    // …and relctl recorded it as production's last known good when the previous train promoted it.
    mkdirSync(join(dir, ".relctl", "releases"), { recursive: true });
    writeFileSync(
      join(dir, ".relctl", "releases", "production.jsonl"),
      `${JSON.stringify({
        kind: "promote",
        environment: "production",
        version: PREVIOUS_VERSION,
        gitSha: repo.sha("HEAD~1"),
        tag: `v${PREVIOUS_VERSION}`,
        imageDigests: { [SERVICE]: PREVIOUS_DIGEST },
        helmRevisions: { [SERVICE]: 1 },
        at: "2026-10-01T10:00:00.000Z",
        runId: "20261001T100000Z-0001",
      })}\n`,
    );

    const image = `${registry.url.replace(/^http:\/\//, "")}/acme/${SERVICE}`;
    const vars = [
      `version=${VERSION}`,
      `service=${SERVICE}`,
      `registry=${image.replace(/\/[^/]+$/, "")}`,
      `staging_url=${staging.url}`,
      `production_url=${production.url}`,
      "gate_interval=1s",
      "gate_hold=3s",
      "gate_initial_delay=0s",
      "canary_hold=1s",
      "github_repository=acme/api",
    ].flatMap((assignment) => ["--var", assignment]);

    const env: Record<string, string> = {
      ...repo.env,
      PATH: path,
      ...fakeEnv,
      RELCTL_STAND_IN_LOG: log,
      BUILD_NUMBER: "42",
      COSIGN_PRIVATE_KEY: privateKey,
      COSIGN_PASSWORD,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: github.url,
      RELCTL_PROMETHEUS_URL: prometheus.url,
    };

    const readLines = <T>(file: string): T[] =>
      existsSync(file)
        ? readFileSync(file, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as T)
        : [];

    return {
      repo,
      dir,
      image,
      state,
      vars,
      env,
      relctl: (args, runOptions = {}) =>
        // The command first, then the project's flags, then the test's own (a later --var wins).
        relctl([args[0]!, "-p", PLAYBOOK, "-C", dir, ...vars, ...args.slice(1)], {
          cwd: dir,
          env: { ...env, ...runOptions.env },
          timeoutMs: runOptions.timeoutMs ?? 60_000,
        }),
      standInCalls: () => readLines<StandInCall>(log),
      fakeCalls: (tool) =>
        readLines<{ argv: string[] }>(join(state[tool], "calls.jsonl")).map((call) => call.argv),
      helmRevisions,
      signatures: () => {
        const file = join(state.cosign, "signatures.json");
        return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown[]>) : {};
      },
      tagDigest: async (tag) => {
        const response = await fetch(`${registry.url}/v2/acme/${SERVICE}/manifests/${tag}`, {
          method: "HEAD",
          headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
        });
        return response.ok ? (response.headers.get("docker-content-digest") ?? undefined) : undefined;
      },
    };
  }
}

/** Waits until Prometheus has scraped enough of the canary and stable tracks to compute rates. */
export async function canaryMetricsScraped(world: TrainWorld): Promise<void> {
  await waitForSeries(world.prometheus.url, [CANARY_TRAFFIC, STABLE_TRAFFIC]);
}
