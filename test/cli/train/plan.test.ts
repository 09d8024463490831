// `relctl plan` of the whole shipped train in a real project: every step's argv (or request)
// with the project's vars, the canary gates measured read-only against the real Prometheus,
// and nothing that mutates started — the stand-ins and fakes record every program started,
// and git, the registry, Helm, GitHub and the state directory are checked to be untouched.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/servers.js";
import { canaryMetricsScraped, SERVICE, startTrainWorld, VERSION, type TrainWorld } from "./world.js";

interface PlanDocument {
  valid: boolean;
  stages: {
    name: string;
    role: string;
    steps: {
      id: string;
      uses: string;
      mutates: boolean;
      plan: {
        argv?: string[];
        request?: { method: string; url: string };
        details?: Record<string, unknown>;
      } | null;
      status?: string;
    }[];
  }[];
}

const DIGEST = "⟨steps.digest.outputs.digest⟩";

let world: TrainWorld;
let result: { exitCode: number; stdout: string; stderr: string };
let plan: PlanDocument;
let before: { helm: number; cosign: number; kubectl: number };

beforeAll(async () => {
  world = await startTrainWorld();
  await canaryMetricsScraped(world);
  before = {
    helm: world.fakeCalls("helm").length,
    cosign: world.fakeCalls("cosign").length,
    kubectl: world.fakeCalls("kubectl").length,
  };
  const file = join(tempDir("train-plan"), "plan.json");
  result = await world.relctl(["plan", "-o", file]);
  plan = JSON.parse(readFileSync(file, "utf8")) as PlanDocument;
});
afterAll(async () => {
  await world?.close();
});

const step = (id: string) => plan.stages.flatMap((stage) => stage.steps).find((item) => item.id === id)!;

describe("relctl plan of the whole shipped train", () => {
  it("plans every stage, rollback last as the on_failure stage, and says nothing was changed", () => {
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(plan.valid).toBe(true);
    expect(plan.stages.map((stage) => `${stage.name}:${stage.role}`)).toEqual([
      "freeze:requested",
      "build:requested",
      "sign:requested",
      "stage:requested",
      "validate:requested",
      "canary:requested",
      "promote:requested",
      "rollback:on_failure",
    ]);
    expect(result.stdout).toMatch(
      /Plan is valid: 34 steps, 24 would change something\. Nothing was changed\./,
    );
  });

  it("shows the exact argv of every command the train would run, with the build's digest as a run-time value", () => {
    const image = world.image;
    expect(step("test").plan?.argv).toEqual(["npm", "test"]);
    expect(step("image").plan?.argv).toEqual([
      "docker",
      "buildx",
      "build",
      "--tag",
      expect.stringMatching(new RegExp(`^${image.replace(/\./g, "\\.")}:rc-\\d{8}-42$`)),
      "--push",
      "--metadata-file",
      "build-metadata.json",
      ".",
    ]);
    // The RC number comes from the tags (freeze's read-only next_version ran during the plan).
    expect(step("tag-rc").plan?.argv).toEqual(
      ["git", "tag", "--annotate", "--cleanup=whitespace", "--file", "<message>"].concat([
        "--",
        `v${VERSION}-rc.1`,
        "HEAD",
      ]),
    );
    expect(step("tag-rc").plan?.details?.then).toBe(
      `git push -- origin refs/tags/v${VERSION}-rc.1:refs/tags/v${VERSION}-rc.1`,
    );
    expect(step("sign-image").plan?.argv).toEqual([
      "cosign",
      "sign",
      "--yes",
      "--key",
      "env://RELCTL_COSIGN_KEY",
      "--annotations",
      `release=v${VERSION}-rc.1`,
      "--allow-http-registry",
      `${image}@${DIGEST}`,
    ]);
    expect(step("deploy-staging").plan?.argv).toEqual(
      ["helm", "upgrade", "--install", `${SERVICE}-staging`, "./charts/api", "--namespace", "staging"]
        .concat(["--kube-context", "staging", "--values", "overlays/us-east/values.yaml"])
        .concat(["--set-string", `image.repository=${image}`, "--set-string", `image.digest=${DIGEST}`])
        .concat(["--wait", "--timeout", "5m", "--atomic"]),
    );
    expect(step("smoke").plan?.argv).toEqual([
      "npm",
      "run",
      "test:smoke",
      "--",
      "--base-url",
      world.staging.url,
    ]);
    for (const weight of [10, 50]) {
      expect(step(`shift-${weight}`).plan?.argv).toEqual(
        expect.arrayContaining(["upgrade", `${SERVICE}-canary`, "--set", `canary.weight=${weight}`]),
      );
    }
    expect(step("tag-ga").plan?.argv).toEqual(
      ["git", "tag", "--annotate", "--cleanup=whitespace", "--file", "<message>"].concat([
        "--",
        `v${VERSION}`,
        `v${VERSION}-rc.1^{commit}`,
      ]),
    );
    expect(step("tag-ga").plan?.details).toMatchObject({
      message: `${SERVICE} v${VERSION}, promoted from v${VERSION}-rc.1`,
      then: `git push -- origin refs/tags/v${VERSION}:refs/tags/v${VERSION}`,
    });
    expect(step("rollback-canary").plan?.argv).toEqual([
      "helm",
      "uninstall",
      `${SERVICE}-canary`,
      "--namespace",
      "production",
      "--kube-context",
      "production",
    ]);
    // Every mutating step says exactly what it would do: a command or a request.
    for (const item of plan.stages.flatMap((stage) => stage.steps).filter((s) => s.mutates)) {
      expect(item.plan?.argv ?? item.plan?.request, item.id).toBeDefined();
    }
    expect(result.stdout).toContain(
      `$ cosign sign --yes --key env://RELCTL_COSIGN_KEY --annotations release=v${VERSION}-rc.1 --allow-http-registry ${image}@${DIGEST}`,
    );
  });

  it("shows the requests of the registry and GitHub steps, plain http for the loopback registry", () => {
    const registry = world.registry.url;
    expect(step("retag-ga").plan?.request).toEqual({
      method: "PUT",
      url: `${registry}/v2/acme/${SERVICE}/manifests/v${VERSION}`,
    });
    expect(step("github-release").plan?.request).toEqual({
      method: "POST",
      url: `${world.github.url}/repos/acme/api/releases`,
    });
  });

  it("measures each canary gate once, read-only, and says it would pass now", () => {
    for (const weight of [10, 50]) expect(step(`slo-${weight}`).status).toBe("succeeded");
    expect(
      result.stdout.match(/result: would pass now: every metric passes; a real run must hold it for 3s/g),
    ).toHaveLength(2);
  });

  it("starts none of the programs that change things, and leaves git, the registry, Helm and GitHub untouched", async () => {
    expect(world.standInCalls()).toEqual([]);
    const after = (tool: "helm" | "cosign" | "kubectl") => world.fakeCalls(tool).slice(before[tool]);
    expect(after("helm")).toEqual([]);
    expect(after("cosign")).toEqual([]);
    // The rollback's rollout check is read-only: it looks once, without waiting.
    expect(after("kubectl")).toEqual([
      [
        "rollout",
        "status",
        `deployment/${SERVICE}`,
        "--namespace",
        "production",
        "--context",
        "production",
      ].concat("--watch=false"),
    ]);

    expect(world.repo.git("tag", "--list").trim()).toBe("");
    expect(world.repo.remoteTagCommit(`v${VERSION}-rc.1`)).toBeUndefined();
    const tags = await fetch(`${world.registry.url}/v2/acme/${SERVICE}/tags/list`);
    expect(tags.status).toBe(404);
    expect(world.helmRevisions("staging", "staging", `${SERVICE}-staging`)).toEqual([]);
    expect(world.helmRevisions("production", "production", `${SERVICE}-canary`)).toEqual([]);
    expect(world.github.requests.filter((request) => request.method !== "GET")).toEqual([]);
    expect(existsSync(join(world.dir, ".relctl", "trains"))).toBe(false);
    expect(existsSync(join(world.dir, "build-metadata.json"))).toBe(false);
  });

  it("skips publishing the GitHub release without a token, instead of failing promote after production changed", async () => {
    const promote = await world.relctl(["plan", "promote"], { env: { GITHUB_TOKEN: undefined } });
    expect(promote.exitCode, promote.stderr).toBe(0);
    expect(promote.stdout).toMatch(
      /github-release · Publish the GitHub release {2}github\.release mutates skipped: condition false/,
    );
  });
});
