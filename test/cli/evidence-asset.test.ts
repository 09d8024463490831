import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { relctl, tempProject } from "../helpers/cli.js";

const playbook = `apiVersion: relctl/v1
name: assets
stages:
  promote:
    steps:
      - { id: deploy, uses: exec.run, with: { argv: [echo, deployed] } }
      - id: evidence
        uses: evidence.bundle
        with: { archive: evidence.tar.gz, version: 1.4.0, tag: v1.4.0 }
      - id: publish
        uses: exec.run
        with: { argv: [tar, -tzf, "\${{ steps.evidence.outputs.archive }}"] }
`;

describe("evidence.bundle", () => {
  it("packs the evidence of the run so far as a .tar.gz a later step can publish, and it verifies", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["promote", "--yes", "--json"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const listing = JSON.parse(
      result.stdout
        .trim()
        .split("\n")
        .find((line) => line.includes('"step":"publish"') && line.includes('"step.end"'))!,
    ) as { outputs: { stdout: string } };
    expect(listing.outputs.stdout.split("\n").sort()).toEqual(
      expect.arrayContaining(["./checksums.txt", "./journal.jsonl", "./manifest.json"]),
    );
    const unpacked = join(dir, "unpacked");
    mkdirSync(unpacked);
    execFileSync("tar", ["-xzf", join(dir, "evidence.tar.gz"), "-C", unpacked]);
    const verified = await relctl(["evidence", "verify", "unpacked"], { cwd: dir });
    expect(verified.exitCode).toBe(0);
    const manifest = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8")) as {
      release: { version: string; tag: string };
    };
    expect(manifest.release).toMatchObject({ version: "1.4.0", tag: "v1.4.0" });
  });

  describe("artifacts", () => {
    const TOKEN = "tok-3f9a7c1e5b2d";
    const withArtifacts = (artifacts: string) => `apiVersion: relctl/v1
name: artifacts
secrets:
  token: env://RELCTL_TEST_TOKEN
stages:
  promote:
    steps:
      - { id: deploy, uses: exec.run, with: { argv: [sh, -c, "true", sh, "\${{ secrets.token }}"] } }
      - id: evidence
        uses: evidence.bundle
        with: { dir: bundle, artifacts: ${artifacts} }
`;
    const run = (dir: string) =>
      relctl(["promote", "--yes"], { cwd: dir, env: { RELCTL_TEST_TOKEN: TOKEN } });

    it("copies each artifact into artifacts/, covered by checksums.txt and listed in the manifest", async () => {
      const sbom = '{"spdxVersion":"SPDX-2.3"}\n';
      const dir = tempProject({
        "relctl.yaml": withArtifacts("[sbom.spdx.json, { path: build/deps.lock, name: lock.txt }]"),
        "sbom.spdx.json": sbom,
        "build/deps.lock": "left-pad 1.3.0\n",
      });
      const result = await run(dir);
      expect(result.exitCode, result.stderr).toBe(0);
      const bundle = join(dir, "bundle");
      expect(readFileSync(join(bundle, "artifacts", "sbom.spdx.json"), "utf8")).toBe(sbom);
      expect(readFileSync(join(bundle, "artifacts", "lock.txt"), "utf8")).toBe("left-pad 1.3.0\n");
      const sha = createHash("sha256").update(sbom).digest("hex");
      expect(readFileSync(join(bundle, "checksums.txt"), "utf8")).toContain(
        `${sha}  artifacts/sbom.spdx.json\n`,
      );
      const manifest = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8")) as {
        files: { artifacts: string[] };
      };
      expect(manifest.files.artifacts).toEqual(["artifacts/lock.txt", "artifacts/sbom.spdx.json"]);
      expect((await relctl(["evidence", "verify", "bundle"], { cwd: dir })).exitCode).toBe(0);
    });

    it("hides the run's secrets in a text artifact", async () => {
      const dir = tempProject({
        "relctl.yaml": withArtifacts("[provenance.txt]"),
        "provenance.txt": `built with token=${TOKEN} by ci\n`,
      });
      const result = await run(dir);
      expect(result.exitCode, result.stderr).toBe(0);
      const copied = readFileSync(join(dir, "bundle", "artifacts", "provenance.txt"), "utf8");
      expect(copied).toBe("built with token=*** by ci\n");
    });

    it("fails the step naming a missing artifact, before writing the bundle", async () => {
      const dir = tempProject({
        "relctl.yaml": withArtifacts("[sbom.spdx.json, missing.lock]"),
        "sbom.spdx.json": "{}",
      });
      const result = await run(dir);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout + result.stderr).toContain("missing.lock");
      expect(result.stdout + result.stderr).toContain("build it in an earlier step");
      expect(existsSync(join(dir, "bundle", "manifest.json"))).toBe(false);
    });

    it("fails the step when two artifacts would have the same name", async () => {
      const dir = tempProject({
        "relctl.yaml": withArtifacts("[a/sbom.json, b/sbom.json]"),
        "a/sbom.json": "{}",
        "b/sbom.json": "{}",
      });
      const result = await run(dir);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout + result.stderr).toContain("two artifacts are named sbom.json");
    });
  });
});
