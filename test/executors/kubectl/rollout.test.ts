import { execa } from "execa";
import { describe, expect, it } from "vitest";
import kubectl from "../../../src/executors/kubectl.js";
import { fakeTool, refusal, type FakeTool } from "../tool-fakes.js";

const WHERE = { namespace: "production", kube_context: "prod" };
const V1 = "ghcr.io/acme/api:v1.2.2";
const V2 = "ghcr.io/acme/api:v1.2.3";

/** A cluster (the fake's state) with deployment/api at revision 1 running V1. */
async function cluster(): Promise<FakeTool> {
  const fake = fakeTool(kubectl, "RELCTL_FAKE_KUBECTL_STATE");
  await execa(
    "kubectl",
    ["create", "deployment", "api", `--image=${V1}`, "-n", "production", "--context", "prod"],
    {
      env: fake.env,
    },
  );
  return fake;
}

const ownCalls = (fake: FakeTool) => fake.calls().filter((argv) => argv[0] !== "create" && argv[0] !== "get");

describe("kubectl.set_image", () => {
  it("sets the image and reports the revision before and after", async () => {
    const fake = await cluster();
    const outputs = await fake.run("set_image", {
      resource: "deployment/api",
      images: { api: V2 },
      ...WHERE,
    });
    expect(outputs).toEqual({
      resource: "deployment/api",
      previous_revision: 1,
      revision: 2,
      images: { api: V2 },
      changed: true,
    });
    expect(ownCalls(fake)).toEqual([
      ["set", "image", "deployment/api", `api=${V2}`, "--namespace", "production", "--context", "prod"],
    ]);
  });

  it("changes nothing when the image is already set", async () => {
    const fake = await cluster();
    expect(
      await fake.run("set_image", { resource: "deploy/api", images: { api: V1 }, ...WHERE }),
    ).toMatchObject({
      revision: 1,
      changed: false,
    });
  });

  it("names a container the deployment does not have", async () => {
    const fake = await cluster();
    const failure = await fake.fail("set_image", {
      resource: "deployment/api",
      images: { web: V2 },
      ...WHERE,
    });
    expect(failure.message).toBe(
      'kubectl set image deployment/api failed: unable to find container named "web"',
    );
    expect(failure.hint).toMatch(/container names/);
  });

  it("says which deployment does not exist, where", async () => {
    const fake = await cluster();
    const failure = await fake.fail("set_image", {
      resource: "deployment/web",
      images: { web: V2 },
      ...WHERE,
    });
    expect(failure.message).toBe(
      'kubectl get deployment/web failed: Error from server (NotFound): deployments.apps "web" not found',
    );
    expect(failure.hint).toBe(
      "check that deployment/web in namespace production, context prod exists (name, namespace, context)",
    );
  });
});

describe("kubectl.rollout_status", () => {
  it("waits for the rollout and reports kubectl's last line", async () => {
    const fake = await cluster();
    expect(await fake.run("rollout_status", { resource: "deployment/api", ...WHERE, timeout: "2m" })).toEqual(
      {
        resource: "deployment/api",
        message: 'deployment "api" successfully rolled out',
        ready: true,
      },
    );
    expect(ownCalls(fake)).toEqual([
      [
        "rollout",
        "status",
        "deployment/api",
        "--namespace",
        "production",
        "--context",
        "prod",
        "--timeout",
        "2m",
      ],
    ]);
  });

  it("fails a rollout whose pods never get ready, with a hint to roll back", async () => {
    const fake = await cluster();
    await fake.run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/api:broken" },
      ...WHERE,
    });
    const failure = await fake.fail("rollout_status", { resource: "deployment/api", ...WHERE });
    expect(failure.message).toBe(
      'kubectl rollout status deployment/api failed: deployment "api" exceeded its progress deadline',
    );
    expect(failure.hint).toMatch(/roll back/);
    expect(failure.outputs).toMatchObject({ ready: false });
  });

  it("fails with kubectl's timeout when the rollout is still going when timeout has passed", async () => {
    const fake = await cluster();
    // Pods that never get ready, still within the Deployment's progress deadline: kubectl waits.
    await fake.run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/api:stuck" },
      ...WHERE,
    });
    const started = Date.now();
    const failure = await fake.fail("rollout_status", {
      resource: "deployment/api",
      ...WHERE,
      timeout: "1s",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
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
    expect(ownCalls(fake).at(-1)?.slice(-2)).toEqual(["--timeout", "1s"]);
  });

  it("has the fake wait for --timeout, as kubectl does, before it gives up", async () => {
    const fake = await cluster();
    await fake.run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/api:stuck" },
      ...WHERE,
    });
    const started = Date.now();
    const result = await execa(
      "kubectl",
      ["rollout", "status", "deployment/api", "-n", "production", "--context", "prod", "--timeout=300ms"],
      { env: fake.env, reject: false },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      'Waiting for deployment "api" rollout to finish: 0 of 1 updated replicas are available...',
    );
    expect(result.stderr).toBe("error: timed out waiting for the condition");
  });

  it("looks once without waiting in a dry-run preview", async () => {
    const fake = await cluster();
    await fake.run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/api:broken" },
      ...WHERE,
    });
    const action = kubectl.actions.rollout_status!;
    const preview = await action.preview!(
      await fake.context(),
      action.input.parse({ resource: "deployment/api", ...WHERE }),
    );
    expect(preview).toEqual({
      resource: "deployment/api",
      message: 'Waiting for deployment "api" rollout to finish: 0 of 1 updated replicas are available...',
      ready: false,
    });
    expect(ownCalls(fake).at(-1)).toContain("--watch=false");
  });
});

describe("kubectl.rollout_undo", () => {
  it("returns to the previous images under a new revision number, as Kubernetes does", async () => {
    const fake = await cluster();
    await fake.run("set_image", { resource: "deployment/api", images: { api: V2 }, ...WHERE });
    const ctx = await fake.context();
    const outputs = await fake.run("rollout_undo", { resource: "deployment/api", ...WHERE }, ctx);
    expect(outputs).toEqual({
      resource: "deployment/api",
      previous_revision: 2,
      revision: 3,
      images: { api: V1 },
    });
    expect(ctx.records).toEqual([
      { kind: "kubectl.rollout", data: { action: "undo", ...outputs, namespace: "production" } },
    ]);
  });

  it("returns to a given revision", async () => {
    const fake = await cluster();
    await fake.run("set_image", { resource: "deployment/api", images: { api: V2 }, ...WHERE });
    await fake.run("set_image", {
      resource: "deployment/api",
      images: { api: "ghcr.io/acme/api:v1.2.4" },
      ...WHERE,
    });
    const outputs = await fake.run("rollout_undo", { resource: "deployment/api", to_revision: 1, ...WHERE });
    expect(outputs).toMatchObject({ previous_revision: 3, revision: 4, images: { api: V1 } });
    expect(ownCalls(fake).at(-1)).toEqual([
      "rollout",
      "undo",
      "deployment/api",
      "--namespace",
      "production",
      "--context",
      "prod",
      "--to-revision=1",
    ]);
  });

  it("says there is nothing to undo on a fresh deployment", async () => {
    const fake = await cluster();
    const failure = await fake.fail("rollout_undo", { resource: "deployment/api", ...WHERE });
    expect(failure.message).toBe(
      'kubectl rollout undo deployment/api failed: no rollout history found for deployment "api"',
    );
    expect(failure.hint).toBe("there is no earlier revision to return to");
  });

  it("fails like kubectl on a flag it does not know", async () => {
    const fake = await cluster();
    const { execa: run } = await import("execa");
    const result = await run("kubectl", ["rollout", "undo", "deployment/api", "--to-revison=1"], {
      env: fake.env,
      reject: false,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      "error: unknown flag: --to-revison\nSee 'kubectl rollout undo --help' for usage.",
    );
  });
});

describe("kubectl inputs", () => {
  it.each([
    [{ resource: "-n=kube-system" }, 'resource must not start with "-"'],
    [
      { resource: "pod/api" },
      '"pod/api" is not a workload: write deployment/NAME, daemonset/NAME or statefulset/NAME',
    ],
    [
      { resource: "deployment/api", namespace: "Prod" },
      "a namespace is a DNS label: lowercase letters, digits and -, at most 63 characters",
    ],
  ])("refuses %j", (input, message) => {
    expect(refusal(kubectl, "rollout_status", input)).toContain(message);
  });

  it("refuses an image that would read as an option and a container name that is not one", () => {
    expect(refusal(kubectl, "set_image", { resource: "deployment/api", images: { api: "--all" } })).toContain(
      'image must not start with "-"',
    );
    expect(refusal(kubectl, "set_image", { resource: "deployment/api", images: { "a=b": "x" } })).toContain(
      "a container name (or * for every container)",
    );
  });
});
