// A project with a chart and a region overlay, and the fake helm on PATH with its own state.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import helm from "../../../src/executors/helm.js";
import { tempDir } from "../../helpers/servers.js";
import { fakeTool, type FakeTool } from "../tool-fakes.js";

export const CHART_YAML = "apiVersion: v2\nname: api\nversion: 1.2.0\nappVersion: 1.2.0\n";

/**
 * One run per helm major for the whole file, as in production where one run asks helm its
 * version once (each test still has its own releases).
 */
const runs = {
  "3": { id: "helm-v3", stateDir: tempDir("helm-run") },
  "4": { id: "helm-v4", stateDir: tempDir("helm-run") },
};

export function helmProject(version: "3" | "4" = "3"): FakeTool & { chart: string; overlay: string } {
  const fake = fakeTool(
    helm,
    "RELCTL_FAKE_HELM_STATE",
    { RELCTL_FAKE_HELM_VERSION: version },
    { run: runs[version] },
  );
  const chart = join(fake.cwd, "charts", "api");
  mkdirSync(join(chart, "templates"), { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), CHART_YAML);
  writeFileSync(
    join(chart, "values.yaml"),
    "image:\n  repository: registry.example.com/acme/api\n  tag: 1.2.0\n",
  );
  writeFileSync(
    join(chart, "templates", "deployment.yaml"),
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      '  name: "{{ .Release.Name }}"',
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "        - name: api",
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      "---",
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      '  name: "{{ .Release.Name }}"',
      "",
    ].join("\n"),
  );
  const overlay = join("overlays", "us-east", "values.yaml");
  mkdirSync(join(fake.cwd, "overlays", "us-east"), { recursive: true });
  writeFileSync(join(fake.cwd, overlay), "region: us-east\nreplicaCount: 3\n");
  return { ...fake, chart: "./charts/api", overlay };
}

/** The stored revisions of a release, as the fake keeps them. */
export function storedRevisions(
  fake: FakeTool,
  release: string,
  namespace = "production",
  context = "prod",
): { version: number; info: { status: string; description: string } }[] {
  const file = join(fake.state, context, namespace, `${release}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as never) : [];
}

/** Inputs every test deploys with. */
export const PROD = { release: "api", namespace: "production", kube_context: "prod" };

/**
 * Deploys `api` straight through the fake helm (one process, no executor), for tests whose
 * subject is what comes after. Resolves with helm's exit code.
 */
export async function deploy(fake: FakeTool, args: string[] = [], release = "api"): Promise<number> {
  const { execa } = await import("execa");
  const result = await execa(
    "helm",
    [
      "upgrade",
      "--install",
      release,
      "./charts/api",
      "--namespace",
      "production",
      "--kube-context",
      "prod",
      ...args,
    ],
    { cwd: fake.cwd, env: fake.env, reject: false },
  );
  return result.exitCode ?? -1;
}
