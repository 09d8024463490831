import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
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
});
