// The shipped release train, stage by stage, the way a release captain runs it: one `relctl
// <stage> --yes` per stage in a git repository with a bare remote, each stage checked against
// the train record that the stages before it left in .relctl/, the build's digest flowing to
// every later stage. Real git, registry (docker-registry), Prometheus and HTTP endpoints; the
// fakes of helm, cosign and kubectl; stand-ins for docker and npm.
import { runIdIn } from "../safety/helpers.js";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relctl } from "../../helpers/cli.js";
import { startWebhookServer } from "../../executors/notify/webhook-server.js";
import {
  evidenceDir,
  journal,
  latestRunId,
  releaseHistory,
  startedSteps,
  trainRecord,
  type JournalEvent,
} from "./records.js";
import {
  canaryMetricsScraped,
  PREVIOUS_DIGEST,
  PREVIOUS_VERSION,
  SERVICE,
  startTrainWorld,
  VERSION,
  type TrainWorld,
} from "./world.js";

const RC_TAG = `v${VERSION}-rc.1`;
const GA_TAG = `v${VERSION}`;

let world: TrainWorld;
/** The digest the build pushed, as the registry named it. */
let digest: string;
/** The canary's run id, for its evidence. */
let canaryRun: string;

beforeAll(async () => {
  world = await startTrainWorld();
});
afterAll(async () => {
  await world?.close();
});

/** A stage's exit code with its output, so a failure shows why. */
const outcome = (result: { exitCode: number; stdout: string; stderr: string }) =>
  `exit ${result.exitCode}\n${result.stdout}\n${result.stderr}`;

describe("the shipped release train, one stage per invocation", () => {
  it("refuses to sign before build has passed for this release, and runs nothing", async () => {
    const result = await world.relctl(["sign", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(4);
    expect(result.stderr).toMatch(
      /sign needs build, which has not passed for release-train 1\.4\.0; nothing was run/,
    );
    expect(world.fakeCalls("cosign").filter((argv) => argv[0] === "sign")).toEqual([]);
  });

  it("freeze checks the tree and the error budget and records the release candidate, commit and branch", async () => {
    const result = await world.relctl(["freeze", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);
    const freeze = trainRecord(world.dir).stages.freeze!;
    expect(freeze.steps.next!.outputs).toMatchObject({ commit: world.repo.sha(), tag: RC_TAG, rc_number: 1 });
    expect(freeze.steps["error-budget"]!.outputs).toMatchObject({ verdict: "passed" });
    expect(freeze.steps.branch!.outputs.stdout).toBe("main");
  });

  it("build runs the tests, pushes the RC image to the registry and the RC tag to origin", async () => {
    const result = await world.relctl(["build", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);

    const calls = world.standInCalls();
    expect(calls.find((call) => call.program === "npm")?.argv).toEqual(["test"]);
    const buildx = calls.find((call) => call.program === "docker")!;
    const tag = buildx.argv[buildx.argv.indexOf("--tag") + 1]!;
    expect(tag).toMatch(new RegExp(`^${world.image.replace(/[.]/g, "\\.")}:rc-\\d{8}-42$`));
    expect(buildx.argv).toEqual(expect.arrayContaining(["buildx", "build", "--push", "--metadata-file"]));

    // The digest step read buildx's metadata; the registry names the same digest for the RC tag.
    digest = String(trainRecord(world.dir).stages.build!.steps.digest!.outputs.digest);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await world.tagDigest(tag.split(":").at(-1)!)).toBe(digest);

    expect(world.repo.remoteTagCommit(RC_TAG)).toBe(world.repo.sha());
    const message = world.repo.git("tag", "--list", "--format=%(contents:subject)", RC_TAG).trim();
    expect(message).toBe(`${SERVICE} ${RC_TAG} (image ${world.image}@${digest})`);
  });

  it("sign signs the built digest, never a tag, and verifies it with the public key", async () => {
    const result = await world.relctl(["sign", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);
    const signed = world.fakeCalls("cosign").find((argv) => argv[0] === "sign")!;
    expect(signed.at(-1)).toBe(`${world.image}@${digest}`);
    expect(signed).toEqual(expect.arrayContaining(["--key", "env://RELCTL_COSIGN_KEY"]));
    const signatures = world.signatures();
    expect(Object.keys(signatures)).toEqual([`${world.image}@${digest}`]);
    const [signature] = signatures[`${world.image}@${digest}`] as { payload: string }[];
    expect(JSON.parse(Buffer.from(signature!.payload, "base64").toString("utf8"))).toMatchObject({
      critical: { image: { "docker-manifest-digest": digest } },
      optional: { release: RC_TAG },
    });
    const verified = world.fakeCalls("cosign").find((argv) => argv[0] === "verify")!;
    expect(verified).toEqual(expect.arrayContaining(["--key", "cosign.pub", `${world.image}@${digest}`]));
    expect(result.stdout).toMatch(/✓ verify-image/);
    // The key and its password reached cosign through the environment, never the run's record.
    const recorded = readFileSync(join(evidenceDir(world.dir), "journal.jsonl"), "utf8");
    expect(recorded).not.toContain(world.env.COSIGN_PASSWORD);
    expect(recorded).not.toContain(world.env.COSIGN_PRIVATE_KEY!.split("\n")[1]);
  });

  it("stage deploys the signed digest to staging with the region overlay", async () => {
    const result = await world.relctl(["stage", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);
    const revisions = world.helmRevisions("staging", "staging", `${SERVICE}-staging`);
    expect(revisions.map((revision) => revision.info.status)).toEqual(["deployed"]);
    expect(revisions[0]!.config).toMatchObject({
      region: "us-east",
      image: { repository: world.image, digest },
    });
    const upgrade = world
      .fakeCalls("helm")
      .find((argv) => argv[0] === "upgrade" && argv[2] === `${SERVICE}-staging`)!;
    expect(upgrade).toEqual(
      expect.arrayContaining([
        "--kube-context",
        "staging",
        "--values",
        "overlays/us-east/values.yaml",
        "--atomic",
      ]),
    );
  });

  it("validate finds staging healthy on the candidate and runs the smoke tests against it", async () => {
    const result = await world.relctl(["validate", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);
    expect(world.staging.paths).toContain("/health");
    const smoke = world
      .standInCalls()
      .find((call) => call.program === "npm" && call.argv[1] === "test:smoke");
    expect(smoke?.argv).toEqual(["run", "test:smoke", "--", "--base-url", world.staging.url]);
  });

  it("canary shifts traffic 10 → 50, each weight only after the gate before it held on the real Prometheus", async () => {
    await canaryMetricsScraped(world);
    const slack = await startWebhookServer();
    const result = await world
      .relctl(["canary", "--yes"], { timeoutMs: 90_000, env: { SLACK_WEBHOOK_URL: `${slack.url}/hook` } })
      .finally(() => slack.close());
    expect(result.exitCode, outcome(result)).toBe(0);

    // Each weight's message to the release channel carries what its gate measured, in the
    // message's units: the error ratio as a percentage, P95 in milliseconds, the traffic.
    expect(slack.received).toHaveLength(2);
    for (const [index, weight] of [10, 50].entries()) {
      const message = JSON.stringify(slack.received[index]!.json());
      expect(message).toContain(`${weight}%`);
      expect(message).toMatch(/Error rate\*\\n0\.50% \(target: &lt; 1\.00%\)/);
      expect(message).toMatch(/P95 latency\*\\n2\d\dms \(target: &lt; 500ms\)/);
      expect(message).toMatch(/Throughput\*\\n\d+\.\d req\/s/);
      expect(message).toContain("Gate passed: ");
    }
    canaryRun = latestRunId(world.dir);

    const revisions = world.helmRevisions("production", "production", `${SERVICE}-canary`);
    expect(revisions.map((revision) => (revision.config?.canary as { weight: number }).weight)).toEqual([
      10, 50,
    ]);
    expect(revisions.map((revision) => revision.info.status)).toEqual(["superseded", "deployed"]);
    expect(
      revisions.every((revision) => (revision.config?.image as { digest: string }).digest === digest),
    ).toBe(true);

    const events = journal(world.dir);
    const order = startedSteps(events);
    const gatePassed = (weight: number) =>
      events.findIndex(
        (event) =>
          event.type === "step.end" && event.step === `slo-${weight}` && event.status === "succeeded",
      );
    const started = (step: string) =>
      events.findIndex((event) => event.type === "step.start" && event.step === step);
    expect(order.filter((step) => step.startsWith("canary/shift-"))).toEqual([
      "canary/shift-10",
      "canary/shift-50",
    ]);
    expect(gatePassed(10)).toBeGreaterThan(0);
    expect(started("shift-50")).toBeGreaterThan(gatePassed(10));
    expect(gatePassed(50)).toBeGreaterThan(started("shift-50"));
    // 100% is promote's, after the dual approval: the canary never takes all the traffic.
    expect(order).not.toContain("canary/shift-100");

    // Every evaluation measured the canary's real error ratio (0.5%) against the 1% bound.
    const errorRates = measurements(events, "error_rate");
    expect(errorRates.length).toBeGreaterThanOrEqual(6);
    for (const value of errorRates) expect(value).toBeCloseTo(0.005, 3);
    expect(result.stderr).toMatch(
      /slo-10: error_rate 0\.5% <= 1% ok, p95_latency 2\d\d(?:\.\d)?ms <= 500ms ok/,
    );
    expect(result.stderr).toMatch(/slo-50: gate passed: every metric passed at every evaluation for 3s/);
    // The train record showed validate passed: nothing to warn about.
    expect(result.stderr).not.toMatch(/cannot check that it passed/);
  });

  it("promote waits for the release captain and the on-call SRE, then retags the RC as GA by digest, deploys production, checks its version, and tags GA on the RC commit", async () => {
    const refused = await world.relctl(["promote", "--yes"]);
    expect(refused.exitCode, outcome(refused)).toBe(4);
    const run = runIdIn(refused.stderr);
    for (const [role, who] of [
      ["release-captain", approver("Ana Lima", "ana@example.com")],
      ["oncall-sre", approver("Sam Ode", "sam@example.com")],
    ] as const) {
      const approved = await world.relctl(["approve", run, "--role", role], { env: who });
      expect(approved.exitCode, outcome(approved)).toBe(0);
    }
    const result = await world.relctl(["promote", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);

    expect(await world.tagDigest(GA_TAG)).toBe(digest);

    const production = world.helmRevisions("production", "production", SERVICE);
    expect(production.map((revision) => revision.info.status)).toEqual(["superseded", "deployed"]);
    expect((production[0]!.config?.image as { digest: string }).digest).toBe(PREVIOUS_DIGEST);
    expect((production[1]!.config?.image as { digest: string }).digest).toBe(digest);
    expect(world.production.paths).toContain("/health");

    const rcCommit = world.repo.sha(RC_TAG);
    expect(world.repo.remoteTagCommit(GA_TAG)).toBe(rcCommit);

    const release = world.github.releases.find((item) => item.tag_name === GA_TAG);
    expect(release?.name).toBe(`${SERVICE} ${GA_TAG}`);
    expect(release?.body).toContain("Canary gates on the error rate");
  });

  it("records the promoted release as production's last known good, with its commit, digest and Helm revision", () => {
    const history = releaseHistory(world.dir, "production");
    expect(history.map((record) => record.version)).toEqual([PREVIOUS_VERSION, VERSION]);
    expect(history[1]).toMatchObject({
      kind: "promote",
      environment: "production",
      version: VERSION,
      gitSha: world.repo.sha(RC_TAG),
      tag: GA_TAG,
      imageDigests: { [SERVICE]: digest },
      helmRevisions: { [SERVICE]: 2 },
    });
  });

  it("leaves evidence bundles that relctl evidence verify accepts, the canary's with every gate measurement", async () => {
    const promoteBundle = evidenceDir(world.dir);
    const promote = manifest(promoteBundle);
    expect(promote.runId).toBe(latestRunId(world.dir));
    expect(promote.release).toMatchObject({
      version: VERSION,
      tag: GA_TAG,
      imageDigests: { [SERVICE]: digest },
    });
    expect(promote.run).toMatchObject({ status: "succeeded", exitCode: 0 });

    const canaryBundle = evidenceDir(world.dir, canaryRun);
    const canary = manifest(canaryBundle);
    expect(canary.gates.map((gate) => [gate.step, gate.status])).toEqual([
      ["slo-10", "succeeded"],
      ["slo-50", "succeeded"],
    ]);
    const recorded = journal(world.dir, canaryRun).filter(
      (event) => event.type === "step.record" && event.kind === "gate.measurement",
    );
    expect(canary.gates.flatMap((gate) => gate.measurements)).toHaveLength(recorded.length);

    for (const bundle of [canaryBundle, promoteBundle]) {
      const verify = await relctl(["evidence", "verify", bundle], { cwd: world.dir, env: world.env });
      expect(verify.exitCode, outcome(verify)).toBe(0);
    }
  });

  it("relctl rollback by hand returns production to the last known good release and checks its rollout with kubectl", async () => {
    const result = await world.relctl(["rollback", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);

    // Back to the Helm revision recorded with 1.3.0, as a new revision.
    expect(world.fakeCalls("helm").filter((argv) => argv[0] === "rollback" && argv[1] === SERVICE)).toEqual([
      ["rollback", SERVICE, "1", "--namespace", "production", "--kube-context", "production", "--wait"],
    ]);
    const production = world.helmRevisions("production", "production", SERVICE);
    expect(production.map((revision) => revision.info.status)).toEqual([
      "superseded",
      "superseded",
      "deployed",
    ]);
    expect(production[2]!.info.description).toBe("Rollback to 1");
    expect((production[2]!.config?.image as { digest: string }).digest).toBe(PREVIOUS_DIGEST);
    expect(world.fakeCalls("kubectl")).toContainEqual(
      [
        "rollout",
        "status",
        `deployment/${SERVICE}`,
        "--namespace",
        "production",
        "--context",
        "production",
      ].concat(["--timeout", "5m"]),
    );
    const health = (await (await fetch(`${world.production.url}/health`)).json()) as { version: string };
    expect(health.version).toBe(PREVIOUS_VERSION);

    // 1.3.0 runs again; 1.4.0 is known bad and never offered as a rollback target again.
    expect(releaseHistory(world.dir, "production").at(-1)).toMatchObject({
      kind: "rollback",
      version: PREVIOUS_VERSION,
      rolledBackFrom: VERSION,
    });
    expect(releaseHistory(world.dir, "production").at(-1)!.helmRevisions).toEqual({ [SERVICE]: 3 });
    // An incident is the runbook's auto-rollback after a failed gate; a rollback by hand opens none.
    expect(world.github.issues).toEqual([]);
  });

  it("rollback still works with relctl's records gone, returning to Helm's previous good revision", async () => {
    // A fresh CI runner: no last-known-good records, only the cluster's own history.
    rmSync(join(world.dir, ".relctl", "releases"), { recursive: true, force: true });
    const result = await world.relctl(["rollback", "--yes"]);
    expect(result.exitCode, outcome(result)).toBe(0);
    // Revision 3 runs now; the newest earlier revision that deployed successfully is 2.
    expect(
      world
        .fakeCalls("helm")
        .filter((argv) => argv[0] === "rollback" && argv[1] === SERVICE)
        .at(-1),
    ).toEqual([
      "rollback",
      SERVICE,
      "2",
      "--namespace",
      "production",
      "--kube-context",
      "production",
      "--wait",
    ]);
    const production = world.helmRevisions("production", "production", SERVICE);
    expect(production.at(-1)!.info).toMatchObject({ status: "deployed", description: "Rollback to 2" });
    // Recorded from what Helm says runs now, so the next rollback knows where it stands.
    expect(releaseHistory(world.dir, "production")).toEqual([
      expect.objectContaining({ kind: "rollback", version: "1.4.0", helmRevisions: { [SERVICE]: 4 } }),
    ]);
  });
});

interface Manifest {
  runId: string;
  release: Record<string, unknown>;
  run: { status: string; exitCode: number };
  gates: { step: string; status: string; measurements: unknown[] }[];
}

function manifest(bundle: string): Manifest {
  return JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8")) as Manifest;
}

function measurements(events: JournalEvent[], name: string): number[] {
  return events
    .filter((event) => event.type === "step.record" && event.kind === "gate.measurement")
    .map((event) => event.data as { metric: string; values: { value: number }[] })
    .filter((data) => data.metric === name)
    .map((data) => data.values[0]!.value);
}

/**
 * Who approves: git config given on the environment wins over the work tree's own identity
 * (the release bot that commits in this repository), as it would for a person in CI.
 */
function approver(name: string, email: string): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: "user.name",
    GIT_CONFIG_VALUE_0: name,
    GIT_CONFIG_KEY_1: "user.email",
    GIT_CONFIG_VALUE_1: email,
  };
}
