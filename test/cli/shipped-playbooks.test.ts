import { existsSync, readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordingBinDir, relctl, repoRoot, tempProject } from "../helpers/cli.js";

const playbooksDir = join(repoRoot, "playbooks");
const train = join(playbooksDir, "release-train.yaml");
const PHASES = ["freeze", "build", "sign", "stage", "validate", "canary", "promote", "rollback"];

describe("the shipped playbooks", () => {
  it("ship a playbook for each of the eight phases and a train that includes them all", () => {
    const files = readdirSync(playbooksDir);
    for (const phase of PHASES) expect(files).toContain(`${phase}.yaml`);
    const trainText = readFileSync(train, "utf8");
    for (const phase of PHASES) expect(trainText).toContain(`- ${phase}.yaml`);
  });

  it.each(["release-train", ...PHASES])("lint cleanly: %s.yaml", async (name) => {
    const result = await relctl(["lint", "-p", join(playbooksDir, `${name}.yaml`)]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/no problems/);
    expect(result.exitCode).toBe(0);
  });

  it("plan the whole train without running anything that mutates", async () => {
    const fakes = recordingBinDir(["docker", "helm", "cosign", "crane", "gh", "curl", "npm", "kubectl"]);
    // In a clean git repository, as a release captain's checkout: freeze checks the tree.
    const result = await relctl(["plan", "-p", train], {
      cwd: cleanRepository(),
      env: { PATH: `${fakes.dir}:${process.env.PATH}`, BUILD_NUMBER: "42" },
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    for (const stage of ["freeze", "build", "sign", "stage", "validate", "canary", "promote", "rollback"]) {
      expect(result.stdout).toContain(`stage ${stage}`);
    }
    expect(result.stdout).toMatch(
      /\$ docker buildx build --tag registry\.example\.com\/acme\/api:rc-\d{8}-42 --push/,
    );
    expect(result.stdout).toContain("⟨steps.digest.outputs.digest⟩");
    expect(result.stdout).toContain("(runs only if a stage above fails)");
    expect(result.stdout).toMatch(/Plan is valid: \d+ steps/);
    // The only program started is the rollback's read-only rollout check, looking once.
    const calls = existsSync(fakes.log) ? readFileSync(fakes.log, "utf8").trim().split("\n") : [];
    expect(calls).toEqual([
      "kubectl rollout status deployment/api --namespace production --context production --watch=false",
    ]);
  });

  it("write a versioned plan file that matches what the terminal shows", async () => {
    const dir = tempProject();
    const output = join(dir, "plan.json");
    const result = await relctl(["plan", "build", "sign", "-p", train, "-o", output], {
      cwd: cleanRepository(),
    });
    expect(result.exitCode).toBe(0);
    const plan = JSON.parse(readFileSync(output, "utf8")) as {
      planFormat: number;
      valid: boolean;
      playbook: { digest: string; name: string };
      stages: {
        name: string;
        role: string;
        steps: { id: string; mutates: boolean; plan: { argv?: string[] } }[];
      }[];
    };
    expect(plan.planFormat).toBe(1);
    expect(plan.valid).toBe(true);
    expect(plan.playbook.name).toBe("release-train");
    expect(plan.playbook.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plan.stages.map((stage) => stage.name)).toEqual(["build", "sign"]);
    const signStep = plan.stages[1]!.steps.find((step) => step.id === "sign-image")!;
    expect(signStep.mutates).toBe(true);
    // Signed by digest; the key travels through the environment, never on the command line.
    expect(signStep.plan.argv).toEqual([
      "cosign",
      "sign",
      "--yes",
      "--key",
      "env://RELCTL_COSIGN_KEY",
      "--annotations",
      "release=⟨steps.next.outputs.tag⟩",
      "registry.example.com/acme/api@⟨steps.digest.outputs.digest⟩",
    ]);
  });
});

/** A git repository with one commit and nothing uncommitted. */
function cleanRepository(): string {
  const dir = tempProject({ "README.md": "service\n" });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], { cwd: dir });
  git("init", "--quiet", "--initial-branch=main");
  git("add", "README.md");
  git("commit", "--quiet", "-m", "feat: first");
  return dir;
}
