// kubectl.set_image, rollout_status and rollout_undo on the real kubectl binaries (1.31 and
// 1.33), against the loopback Kubernetes API: the workload is created with `kubectl apply`, and
// its ReplicaSets and rollout status come from the API's Deployment controller.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import kubectl from "../../../src/executors/kubectl.js";
import { HELM_LINES, realBinaries } from "../../helpers/real-binaries.js";
import { realCluster, type RealCluster } from "../real-cluster.js";

// Real binaries on a machine shared with other work: room for slow processes, and for fetching
// the binaries once on a fresh machine, before any test starts its clock.
vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => void realBinaries(), 600_000);

const WHERE = { namespace: "production", kube_context: "prod" };
const V1 = "ghcr.io/acme/api:v1.2.2";
const V2 = "ghcr.io/acme/api:v1.2.3";
const KUBECTL = { v3: "v1.31", v4: "v1.33" } as const;

function manifest(image: string, progressDeadlineSeconds = 600): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: "production" },
    spec: {
      replicas: 2,
      progressDeadlineSeconds,
      selector: { matchLabels: { app: "api" } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          containers: [
            { name: "api", image },
            { name: "sidecar", image: "ghcr.io/acme/proxy:1" },
          ],
        },
      },
    },
  });
}

describe.each(HELM_LINES)("kubectl of the helm %s layer (real binary)", (line) => {
  let cluster: RealCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  /** deployment/api at revision 1 running V1, applied with kubectl apply. */
  async function withDeployment(image = V1, progressDeadlineSeconds?: number): Promise<RealCluster> {
    cluster = await realCluster(kubectl, line);
    const file = join(cluster.cwd, "deployment.json");
    writeFileSync(file, manifest(image, progressDeadlineSeconds));
    const applied = await cluster.tool(["kubectl", "apply", "-f", file, "--context", "prod"]);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toBe("deployment.apps/api created");
    return cluster;
  }

  it(`is kubectl ${KUBECTL[line]}`, async () => {
    cluster = await realCluster(kubectl, line);
    const version = await cluster.tool(["kubectl", "version", "--client"]);
    expect(version.stdout).toContain(`Client Version: ${KUBECTL[line]}.`);
  });

  it("waits for a rollout to finish and reports kubectl's last line", async () => {
    const { run } = await withDeployment();
    const outputs = await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    expect(outputs).toEqual({
      resource: "deployment/api",
      ready: true,
      message: 'deployment "api" successfully rolled out',
    });
  });

  it("sets an image and reports the revision before and after", async () => {
    const { run } = await withDeployment();
    await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    const outputs = await run("set_image", { resource: "deployment/api", images: { api: V2 }, ...WHERE });
    expect(outputs).toMatchObject({
      resource: "deployment/api",
      previous_revision: 1,
      images: { api: V2, sidecar: "ghcr.io/acme/proxy:1" },
      changed: true,
    });
    expect(outputs.revision).toBe(2);
    expect(
      await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" }),
    ).toMatchObject({
      ready: true,
    });
  });

  it("changes nothing when the image is already set", async () => {
    const { run } = await withDeployment();
    await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    expect(await run("set_image", { resource: "deploy/api", images: { api: V1 }, ...WHERE })).toMatchObject({
      previous_revision: 1,
      revision: 1,
      changed: false,
    });
  });

  it("undoes a rollout: the previous template comes back as a new revision", async () => {
    const { run, api } = await withDeployment();
    await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    await run("set_image", { resource: "deployment/api", images: { api: V2 }, ...WHERE });
    await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    const outputs = await run("rollout_undo", { resource: "deployment/api", ...WHERE });
    expect(outputs).toMatchObject({ resource: "deployment/api", previous_revision: 2 });
    await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    const deployment = api.get("apps/v1", "deployments", "production", "api")!;
    expect(deployment.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(
      (deployment.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[0]?.image,
    ).toBe(V1);
  });

  it("fails a rollout whose pods never get ready once its progress deadline has passed", async () => {
    const { run, fail } = await withDeployment(V1, 1);
    await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    await run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/unpullable:1" },
      ...WHERE,
    });
    const failure = await fail("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "60s" });
    expect(failure.message).toBe(
      'kubectl rollout status deployment/api failed: deployment "api" exceeded its progress deadline',
    );
    expect(failure.hint).toMatch(/new pods are not becoming ready/);
    expect(failure.outputs).toMatchObject({ ready: false });
  });

  it("names a container the deployment does not have", async () => {
    const { fail } = await withDeployment();
    const failure = await fail("set_image", { resource: "deployment/api", images: { web: V2 }, ...WHERE });
    expect(failure.message).toBe(
      'kubectl set image deployment/api failed: unable to find container named "web"',
    );
    expect(failure.hint).toMatch(/container names/);
  });

  it("fails with kubectl's timeout when the rollout is still going when timeout has passed", async () => {
    const { run, fail } = await withDeployment();
    await run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "30s" });
    // Pods that never get ready, well within the Deployment's progress deadline: kubectl waits.
    await run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/unpullable:1" },
      ...WHERE,
    });
    const failure = await fail("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "1s" });
    expect(failure.message).toBe(
      "kubectl rollout status deployment/api failed: timed out waiting for the condition",
    );
    expect(failure.hint).toBe("the rollout did not finish within timeout: check the pods, or raise timeout");
    expect(failure.exitCode).toBe(1);
    expect(failure.outputs).toEqual({
      resource: "deployment/api",
      ready: false,
      message: "timed out waiting for the condition",
    });
  });

  it("looks once without waiting in a dry-run preview", async () => {
    const { run, context } = await withDeployment();
    await run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/unpullable:1" },
      ...WHERE,
    });
    const action = kubectl.actions.rollout_status!;
    const preview = await action.preview!(
      await context(),
      action.input.parse({ resource: "deployment/api", ...WHERE }),
    );
    expect(preview).toMatchObject({ resource: "deployment/api", ready: false });
    expect(preview.message).toMatch(/^Waiting for deployment "api" rollout to finish: /);
  });

  it("undoes to a given revision, which comes back under a new number", async () => {
    const { run, context } = await withDeployment();
    await run("set_image", { resource: "deployment/api", images: { api: V2 }, ...WHERE });
    await run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/api:v1.2.4" },
      ...WHERE,
    });
    const ctx = await context();
    const outputs = await run("rollout_undo", { resource: "deployment/api", to_revision: 1, ...WHERE }, ctx);
    expect(outputs).toEqual({
      resource: "deployment/api",
      previous_revision: 3,
      revision: 4,
      images: { api: V1, sidecar: "ghcr.io/acme/proxy:1" },
    });
    expect(ctx.records).toEqual([
      { kind: "kubectl.rollout", data: { action: "undo", ...outputs, namespace: "production" } },
    ]);
  });

  it("says there is nothing to undo on a fresh deployment", async () => {
    const { fail } = await withDeployment();
    const failure = await fail("rollout_undo", { resource: "deployment/api", ...WHERE });
    expect(failure.message).toMatch(
      /^kubectl rollout undo deployment\/api failed: no rollout history found for deployment "api"/,
    );
    expect(failure.hint).toBe("there is no earlier revision to return to");
  });

  it("names a workload that does not exist", async () => {
    cluster = await realCluster(kubectl, line);
    const failure = await cluster.fail("set_image", {
      resource: "deployment/web",
      images: { api: V2 },
      ...WHERE,
    });
    expect(failure.message).toBe(
      'kubectl get deployment/web failed: Error from server (NotFound): deployments.apps "web" not found',
    );
    expect(failure.hint).toBe(
      "check that deployment/web in namespace production, context prod exists (name, namespace, context)",
    );
  });

  it("says the API server refused the connection, and what to check", async () => {
    cluster = await realCluster(kubectl, line);
    const failure = await cluster.fail("rollout_status", {
      resource: "deployment/api",
      namespace: "production",
      kube_context: "down",
    });
    expect(failure.message).toMatch(
      /^kubectl rollout status deployment\/api failed: The connection to the server 127\.0\.0\.1:\d+ was refused/,
    );
    expect(failure.hint).toMatch(/API server .* does not answer/);
    expect(failure.hint).toMatch(/kube_context/);
  });

  it("says the kube-context is not in the kubeconfig, not that the workload is missing", async () => {
    cluster = await realCluster(kubectl, line);
    const failure = await cluster.fail("set_image", {
      resource: "deployment/api",
      images: { api: V2 },
      namespace: "production",
      kube_context: "staging",
    });
    expect(failure.message).toMatch(
      /^kubectl get deployment\/api failed: (context "staging" does not exist|Error in configuration: context was not found for specified context: staging)$/,
    );
    expect(failure.hint).toMatch(/kube_context "staging" is not a context of the kubeconfig/);
  });
});
