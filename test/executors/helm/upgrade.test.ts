// What helm.upgrade does that the real binaries cannot be made to show here, on the fake helm:
// the exact argv it runs, asking helm's version once per run, a cancelled wait, helm missing from
// PATH, and what the schema refuses. Everything a real helm can show runs on helm v3 and v4
// against the loopback Kubernetes API: real-helm.test.ts.
import { describe, expect, it } from "vitest";
import helm from "../../../src/executors/helm.js";
import { StepFailure } from "../../../src/executors/contract.js";
import { pathWithoutTools, refusal } from "../tool-fakes.js";
import { deploy, helmProject, PROD, storedRevisions } from "./setup.js";

const upgradeCalls = (calls: string[][]) => calls.filter((argv) => argv[0] === "upgrade");

describe("helm.upgrade", () => {
  it("runs the exact helm upgrade command the runbooks run by hand", async () => {
    const fake = helmProject();
    await fake.run("upgrade", {
      ...PROD,
      chart: fake.chart,
      values: [fake.overlay],
      set: { "image.tag": "rc-20240501-001" },
      set_string: { build: "007" },
      timeout: "5m",
      atomic: true,
    });
    expect(upgradeCalls(fake.calls())).toEqual([
      [
        "upgrade",
        "--install",
        "api",
        "./charts/api",
        "--namespace",
        "production",
        "--kube-context",
        "prod",
        "--values",
        "overlays/us-east/values.yaml",
        "--set",
        "image.tag=rc-20240501-001",
        "--set-string",
        "build=007",
        "--wait",
        "--timeout",
        "5m",
        "--atomic",
      ],
    ]);
  });

  it("asks helm for its version once per run, not once per step", async () => {
    const fake = helmProject();
    const ctx = await fake.context({ run: { id: "one-run", stateDir: fake.cwd } });
    await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(fake.calls().filter((argv) => argv[0] === "version")).toEqual([["version", "--short"]]);
  });

  it("keeps the last release's values on an upgrade given none, as real helm does (the fake agrees)", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    expect(await deploy(fake, ["--set-string", "image.tag=1.3.0"])).toBe(0);
    expect(await deploy(fake)).toBe(0);
    expect((await fake.run("status", PROD, ctx)).values).toEqual({ image: { tag: "1.3.0" } });
    // relctl says --reset-values itself, so a step without values deploys the chart's defaults.
    await fake.run("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(upgradeCalls(fake.calls()).at(-1)).toContain("--reset-values");
    expect((await fake.run("status", PROD, ctx)).values).toEqual({});
  });

  it("records an upgrade cancelled while it waits as failed, as real helm does on SIGTERM", async () => {
    // (A helm killed outright leaves the release locked: real-helm.test.ts shows it on the real binary.)
    const fake = helmProject();
    const ctx = await fake.context();
    await deploy(fake);
    const hanging = fake.fail("upgrade", { ...PROD, chart: fake.chart, set: { "fake.hang": true } }, ctx);
    for (let tries = 0; storedRevisions(fake, "api").at(-1)?.info.status !== "pending-upgrade"; tries++) {
      if (tries > 200) throw new Error("the fake never wrote the pending revision");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    ctx.abort(new Error("interrupted"));
    expect((await hanging).kind).toBe("cancelled");
    for (let tries = 0; storedRevisions(fake, "api").at(-1)?.info.status !== "failed"; tries++) {
      if (tries > 200) throw new Error("the fake never recorded the cancelled revision as failed");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(storedRevisions(fake, "api").at(-1)?.info.description).toBe(
      'Upgrade "api" failed: context canceled',
    );
    expect(await fake.run("upgrade", { ...PROD, chart: fake.chart })).toMatchObject({
      revision: 3,
      previous_revision: 1,
    });
  });

  it("names the missing program and points at relctl doctor when helm is not installed", async () => {
    const fake = helmProject();
    const ctx = await fake.context({ env: { ...fake.env, PATH: pathWithoutTools() } });
    const failure = await fake.fail("upgrade", { ...PROD, chart: fake.chart }, ctx);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe("helm: command not found");
    expect(failure.hint).toMatch(/relctl doctor/);
  });

  it.each([
    [{ release: "--dry-run", chart: "./charts/api" }, 'release must not start with "-"'],
    [{ release: "api", chart: "--post-renderer=/bin/sh" }, 'chart must not start with "-"'],
    [
      { release: "API_v2", chart: "./charts/api" },
      "a release name is lowercase letters, digits, - and . (a DNS name)",
    ],
    [
      { release: "api", chart: "./c", set: { "a,b": 1 } },
      'a --set key is a dotted path without spaces, "=" or ","',
    ],
    [{ release: "api", chart: "./c", timeout: "2d" }, '"2d" is not a duration like 90s, 5m or 1h30m'],
    [
      { release: "api", chart: "./c", reuse_values: true, reset_values: true },
      "reuse_values and reset_values exclude each other",
    ],
  ])("refuses %j before running anything", (input, message) => {
    expect(refusal(helm, "upgrade", input)).toContain(message);
  });

  it("plans the v3 command and notes the v4 spelling when the major is not pinned", () => {
    const action = helm.actions.upgrade!;
    const plan = action.plan(
      action.input.parse({ ...PROD, chart: "./charts/api", atomic: true, timeout: 300 }),
    );
    expect(plan.argv).toEqual([
      "helm",
      "upgrade",
      "--install",
      "api",
      "./charts/api",
      "--namespace",
      "production",
      "--kube-context",
      "prod",
      "--wait",
      "--timeout",
      "300s",
      "--atomic",
      "--reset-values",
    ]);
    expect(plan.details?.helm_v4).toMatch(/--rollback-on-failure/);
  });
});
