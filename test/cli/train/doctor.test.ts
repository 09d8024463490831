// `relctl doctor` for the shipped train: which outside programs the train needs, found on PATH
// with their versions (the fakes of helm, cosign and kubectl answer as the real ones do), and
// what to install when they are missing (exit 1).
import { describe, expect, it } from "vitest";
import { relctl, repoRoot } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/servers.js";
import { trainPath } from "./world.js";

const TRAIN = `${repoRoot}playbooks/release-train.yaml`;

async function doctor(path: string, extra: string[] = [], env: Record<string, string> = {}) {
  const dir = tempDir("train-doctor");
  return relctl(["doctor", "-p", TRAIN, ...extra], {
    cwd: dir,
    env: {
      PATH: path,
      HOME: dir,
      RELCTL_FAKE_HELM_STATE: tempDir("doctor-helm"),
      RELCTL_FAKE_COSIGN_STATE: tempDir("doctor-cosign"),
      RELCTL_FAKE_KUBECTL_STATE: tempDir("doctor-kubectl"),
      ...env,
    },
  });
}

interface Report {
  ok: boolean;
  tools: { name: string; state: string; neededBy: string[]; version?: string; install: string }[];
}

describe("relctl doctor for the shipped train", () => {
  it("lists helm, cosign and kubectl with their versions as needed by the train, and exits 0", async () => {
    const result = await doctor(trainPath({ fakes: true }));
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const needed = result.stdout.slice(0, result.stdout.indexOf("Other tools:"));
    expect(needed).toMatch(/^Needed by the playbook:/);
    expect(needed).toMatch(/✓ helm +3\.16\.4 .*\(helm\.uninstall, helm\.rollback, helm\.upgrade\)/);
    expect(needed).toMatch(/✓ cosign +2\.4\.1 .*\(cosign\.sign, cosign\.verify\)/);
    expect(needed).toMatch(/✓ kubectl +1\.31\.4 .*\(kubectl\.rollout_status\)/);
    expect(needed).toMatch(/✓ docker +27\.3\.1 .*\(exec\.run\)/);
    expect(needed).toMatch(/✓ git +\d+\.\d+\.\d+/);
    expect(result.stdout).toContain("✓ every tool the playbook needs is installed");
    expect(result.stderr).toBe("");
  });

  it("reports the same in --json, helm v4 included", async () => {
    const result = await doctor(trainPath({ fakes: true }), ["--json"], { RELCTL_FAKE_HELM_VERSION: "4" });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(true);
    const tool = (name: string) => report.tools.find((item) => item.name === name)!;
    expect(tool("helm")).toMatchObject({ state: "ok", version: expect.stringMatching(/^4\./) });
    expect(tool("cosign").neededBy).toEqual(["cosign.sign", "cosign.verify"]);
    expect(tool("kubectl").neededBy).toEqual(["kubectl.rollout_status"]);
  });

  it("names what the train needs and how to install it when helm, cosign, kubectl, docker and npm are missing, and exits 1", async () => {
    const result = await doctor(trainPath({ fakes: false }));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /✗ the playbook needs npm, docker, cosign, helm, kubectl; install them first/,
    );
    for (const [name, install] of [
      ["helm", "https://helm.sh/docs/intro/install/"],
      ["cosign", "https://docs.sigstore.dev/cosign/system_config/installation/"],
      ["kubectl", "https://kubernetes.io/docs/tasks/tools/"],
      ["docker", "https://docs.docker.com/engine/install/"],
    ]) {
      expect(result.stdout).toMatch(
        new RegExp(`✗ ${name} +missing[^\\n]*\\n[^\\n]*${name} is not on PATH\\n +install: ${install}`),
      );
    }
    expect(result.stdout).toMatch(/✓ git/);
  });

  it("refuses a cosign older than 2.0 as unsupported", async () => {
    const result = await doctor(trainPath({ fakes: true }), [], { RELCTL_FAKE_COSIGN_VERSION: "v1.13.1" });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/✗ cosign +unsupported/);
    expect(result.stderr).toMatch(/the playbook needs cosign; install it first/);
  });
});
