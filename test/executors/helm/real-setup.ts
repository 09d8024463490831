// A chart the loopback API accepts as a cluster would (a Deployment with selector and labels, a
// Service with a port), written into a real cluster's working directory.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import helm from "../../../src/executors/helm.js";
import type { HelmLine } from "../../helpers/real-binaries.js";
import { tempDir } from "../../helpers/servers.js";
import { realCluster, type RealCluster } from "../real-cluster.js";

/** One run per helm line for a whole file, as in production where one run asks helm its version once. */
const runs = {
  v3: { id: "real-helm-v3", stateDir: tempDir("helm-run") },
  v4: { id: "real-helm-v4", stateDir: tempDir("helm-run") },
};

export const PROD = { release: "api", namespace: "production", kube_context: "prod" };

export const DEFAULT_IMAGE = "registry.example.com/acme/api:1.2.0";

export function writeChart(dir: string, templates: Record<string, string> = {}): string {
  const chart = join(dir, "charts", "api");
  mkdirSync(join(chart, "templates"), { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), "apiVersion: v2\nname: api\nversion: 1.2.0\nappVersion: 1.2.0\n");
  writeFileSync(
    join(chart, "values.yaml"),
    "image:\n  repository: registry.example.com/acme/api\n  tag: 1.2.0\nreplicaCount: 1\n",
  );
  const files = {
    "deployment.yaml": [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      '  name: "{{ .Release.Name }}"',
      "spec:",
      "  replicas: {{ .Values.replicaCount }}",
      "  selector:",
      "    matchLabels:",
      '      app: "{{ .Release.Name }}"',
      "  template:",
      "    metadata:",
      "      labels:",
      '        app: "{{ .Release.Name }}"',
      "    spec:",
      "      containers:",
      "        - name: api",
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      "",
    ].join("\n"),
    "service.yaml": [
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      '  name: "{{ .Release.Name }}"',
      "spec:",
      "  selector:",
      '    app: "{{ .Release.Name }}"',
      "  ports:",
      "    - port: 80",
      "      targetPort: 8080",
      "",
    ].join("\n"),
    ...templates,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(chart, "templates", name), text);
  return "./charts/api";
}

export async function helmCluster(line: HelmLine): Promise<RealCluster & { chart: string }> {
  const cluster = await realCluster(helm, line, { run: runs[line] });
  return { ...cluster, chart: writeChart(cluster.cwd) };
}

/** The image the API's Deployment `name` runs now. */
export function deployedImage(cluster: RealCluster, name = "api"): string | undefined {
  const deployment = cluster.api.get("apps/v1", "deployments", "production", name) as
    { spec: { template: { spec: { containers: { image: string }[] } } } } | undefined;
  return deployment?.spec.template.spec.containers[0]?.image;
}
