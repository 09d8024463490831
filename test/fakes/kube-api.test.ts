// The loopback Kubernetes API against the real kubectl: what the helm and kubectl tests rely on
// (discovery, the patch kinds, server-side apply, label selectors, the API's refusals) answers
// as a cluster's API server does.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import kubectl from "../../src/executors/kubectl.js";
import { realCluster, type RealCluster } from "../executors/real-cluster.js";
import { realBinaries } from "../helpers/real-binaries.js";

vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => void realBinaries(), 600_000);

describe("the loopback Kubernetes API, driven by the real kubectl", () => {
  let cluster: RealCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  const kube = async (...args: string[]) => {
    const result = await cluster!.tool(["kubectl", "--context", "prod", ...args]);
    expect(result.stderr, args.join(" ")).toBe("");
    expect(result.exitCode).toBe(0);
    return result.stdout;
  };
  const data = async () =>
    JSON.parse(await kube("get", "configmap", "settings", "-o", "jsonpath={.data}")) as unknown;

  it("lists its resource types through discovery", async () => {
    cluster = await realCluster(kubectl, "v4");
    const names = (await kube("api-resources", "-o", "name")).split("\n");
    expect(names).toEqual(
      expect.arrayContaining(["secrets", "configmaps", "services", "deployments.apps", "replicasets.apps"]),
    );
  });

  it("applies the strategic merge, merge and JSON patch kinds as documented", async () => {
    cluster = await realCluster(kubectl, "v3");
    await kube("create", "configmap", "settings", "--from-literal=a=1", "--from-literal=b=2");
    await kube("patch", "configmap", "settings", "--type=merge", "-p", '{"data":{"b":null,"c":"3"}}');
    expect(await data()).toEqual({ a: "1", c: "3" });
    await kube(
      "patch",
      "configmap",
      "settings",
      "--type=json",
      "-p",
      '[{"op":"replace","path":"/data/a","value":"9"}]',
    );
    expect(await data()).toEqual({ a: "9", c: "3" });
    await kube("patch", "configmap", "settings", "-p", '{"data":{"d":"4"}}');
    expect(await data()).toEqual({ a: "9", c: "3", d: "4" });
  });

  it("merges a Deployment's containers by name in a strategic merge patch, as kubectl apply relies on", async () => {
    cluster = await realCluster(kubectl, "v3");
    const file = join(cluster.cwd, "deployment.json");
    const manifest = (image: string) =>
      JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api" },
        spec: {
          selector: { matchLabels: { app: "api" } },
          template: {
            metadata: { labels: { app: "api" } },
            spec: {
              containers: [
                { name: "api", image },
                { name: "proxy", image: "proxy:1" },
              ],
            },
          },
        },
      });
    writeFileSync(file, manifest("api:1"));
    expect(await kube("apply", "-f", file)).toBe("deployment.apps/api created");
    writeFileSync(file, manifest("api:2"));
    expect(await kube("apply", "-f", file)).toBe("deployment.apps/api configured");
    expect(
      await kube("get", "deployment", "api", "-o", "jsonpath={.spec.template.spec.containers[*].image}"),
    ).toBe("api:2 proxy:1");
  });

  it("creates and updates with server-side apply", async () => {
    cluster = await realCluster(kubectl, "v4");
    const file = join(cluster.cwd, "settings.json");
    const settings = (values: Record<string, string>) =>
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: values });
    writeFileSync(file, settings({ a: "1", b: "2" }));
    expect(await kube("apply", "--server-side", "-f", file)).toBe("configmap/settings serverside-applied");
    writeFileSync(file, settings({ a: "1" }));
    await kube("apply", "--server-side", "-f", file);
    // A field the manager applied before and no longer applies is removed.
    expect(await data()).toEqual({ a: "1" });
  });

  it("selects by label, and refuses what a cluster refuses with its reason", async () => {
    cluster = await realCluster(kubectl, "v3");
    await kube("create", "configmap", "one");
    await kube("create", "configmap", "two");
    await kube("label", "configmap", "two", "tier=web");
    expect(await kube("get", "configmaps", "-l", "tier=web", "-o", "name")).toBe("configmap/two");
    expect(await kube("get", "configmaps", "-l", "tier notin (web)", "-o", "name")).toBe("configmap/one");
    const duplicate = await cluster.tool(["kubectl", "--context", "prod", "create", "configmap", "one"]);
    expect(duplicate.stderr).toBe('error: failed to create configmap: configmaps "one" already exists');
    const elsewhere = await cluster.tool([
      "kubectl",
      "--context",
      "prod",
      "-n",
      "nowhere",
      "create",
      "configmap",
      "x",
    ]);
    expect(elsewhere.stderr).toMatch(/namespaces "nowhere" not found/);
  });
});
