// Last known good and rollback through the built binary, in a real git repository so every
// release's commit is known: each successful promote is recorded per environment, a rollback
// stage reads the release before the bad one as run.rollback_target, and the rollback itself is
// recorded so the version it left is never offered again.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRepo, type TestRepo } from "../../helpers/git-repo.js";
import { relctl, type CliResult } from "../../helpers/cli.js";
import { readJsonLines, runIdIn } from "./helpers.js";

const PLAYBOOK = `apiVersion: relctl/v1
name: api-release
vars:
  version: { required: true }
  healthy: { default: "yes" }
release:
  version: "\${{ vars.version }}"
  tag: "v\${{ vars.version }}"
stages:
  promote:
    environment: production
    on_failure: rollback
    steps:
      - id: deploy
        uses: exec.run
        outputs: [digest]
        with:
          argv:
            - sh
            - -c
            - 'echo "deploy $1" >> steps.log; echo "digest=sha256:$(printf %s "$1" | sha256sum | cut -c1-64)" >> "$RELCTL_OUTPUT"; [ "$2" = yes ]'
            - sh
            - "\${{ release.version }}"
            - "\${{ vars.healthy }}"
  rollback:
    environment: production
    steps:
      - id: undo
        uses: exec.run
        with:
          argv:
            - sh
            - -c
            - 'echo "rollback to $1 at $2 ($3) from $4" >> steps.log'
            - sh
            - "\${{ run.rollback_target.version }}"
            - "\${{ run.rollback_target.git_sha }}"
            - "\${{ run.rollback_target.image_digests.deploy }}"
            - "\${{ release.version }}"
`;

const digestOf = (version: string) => `sha256:${createHash("sha256").update(version).digest("hex")}`;

interface Release {
  kind: string;
  environment: string;
  version: string;
  gitSha: string;
  tag?: string;
  imageDigests: Record<string, string>;
  runId: string;
  rolledBackFrom?: string;
}

interface ReleaseRepo extends TestRepo {
  relctl(args: string[]): Promise<CliResult>;
  releases(): Release[];
  log(): string[];
}

function releaseRepo(): ReleaseRepo {
  const repo = createRepo({ remote: false });
  writeFileSync(join(repo.dir, ".gitignore"), ".relctl/\nsteps.log\n");
  repo.commit("chore: playbook", { "relctl.yaml": PLAYBOOK });
  const state = join(repo.dir, ".relctl");
  return {
    ...repo,
    relctl: (args) => relctl(args, { cwd: repo.dir, env: repo.env }),
    releases: () => readJsonLines<Release>(join(state, "releases", "production.jsonl")),
    log: () => readFileSync(join(repo.dir, "steps.log"), "utf8").split("\n").filter(Boolean),
  };
}

async function promote(repo: ReleaseRepo, version: string, healthy = "yes"): Promise<CliResult> {
  return repo.relctl(["promote", "--yes", "--var", `version=${version}`, "--var", `healthy=${healthy}`]);
}

describe.concurrent("last known good and rollback", () => {
  it("records every successful promote with its version, commit, tag and digest", async () => {
    const repo = releaseRepo();
    const first = repo.commit("feat: one");
    const one = await promote(repo, "1.0.0");
    expect(one.exitCode).toBe(0);
    const second = repo.commit("feat: two");
    const two = await promote(repo, "1.1.0");
    expect(two.exitCode).toBe(0);

    const [runOne, runTwo] = [runIdIn(one.stdout), runIdIn(two.stdout)];
    expect(repo.releases()).toEqual([
      expect.objectContaining({
        kind: "promote",
        environment: "production",
        version: "1.0.0",
        gitSha: first,
        tag: "v1.0.0",
        imageDigests: { deploy: digestOf("1.0.0") },
        runId: runOne,
      }),
      expect.objectContaining({ kind: "promote", version: "1.1.0", gitSha: second, runId: runTwo }),
    ]);
  });

  it("a failed promote rolls back to the release before it, and records the rollback", async () => {
    const repo = releaseRepo();
    repo.commit("feat: one");
    expect((await promote(repo, "1.0.0")).exitCode).toBe(0);
    const good = repo.commit("feat: two");
    expect((await promote(repo, "1.1.0")).exitCode).toBe(0);
    repo.commit("feat: three, broken");

    const bad = await promote(repo, "2.0.0", "no");

    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain("rolled back");
    expect(repo.log().at(-1)).toBe(`rollback to 1.1.0 at ${good} (${digestOf("1.1.0")}) from 2.0.0`);
    expect(repo.releases().at(-1)).toMatchObject({
      kind: "rollback",
      version: "1.1.0",
      gitSha: good,
      tag: "v1.1.0",
      imageDigests: { deploy: digestOf("1.1.0") },
      rolledBackFrom: "2.0.0",
      runId: runIdIn(bad.stdout),
    });
    expect(repo.releases().some((release) => release.version === "2.0.0")).toBe(false);

    // 1.1.0 turns out bad too: rollback goes to 1.0.0, never to 2.0.0, which was rolled back.
    const again = await repo.relctl(["rollback", "--yes", "--var", "version=1.1.0"]);
    expect(again.exitCode).toBe(0);
    expect(repo.log().at(-1)).toMatch(
      /^rollback to 1\.0\.0 at [0-9a-f]{40} \(sha256:[0-9a-f]{64}\) from 1\.1\.0$/,
    );
    expect(repo.releases().at(-1)).toMatchObject({
      kind: "rollback",
      version: "1.0.0",
      rolledBackFrom: "1.1.0",
    });
  });

  it("relctl rollback of a promoted release that turned out bad returns to the one before it", async () => {
    const repo = releaseRepo();
    const good = repo.commit("feat: one");
    expect((await promote(repo, "1.0.0")).exitCode).toBe(0);
    repo.commit("feat: two");
    expect((await promote(repo, "2.0.0")).exitCode).toBe(0);

    const rollback = await repo.relctl(["rollback", "--yes", "--var", "version=2.0.0"]);

    expect(rollback.exitCode).toBe(0);
    expect(repo.log().at(-1)).toBe(`rollback to 1.0.0 at ${good} (${digestOf("1.0.0")}) from 2.0.0`);
    expect(repo.releases().at(-1)).toMatchObject({
      kind: "rollback",
      version: "1.0.0",
      rolledBackFrom: "2.0.0",
    });
  });
});
