// Evidence bundles through the built binary: every real run leaves one, `relctl evidence verify`
// accepts it as written and names every kind of tampering, and a bundle signed with cosign (the
// faithful fake in test/fakes/bin, first on PATH) is checked against the public key.
import { execa } from "execa";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pathWithFakes } from "../../executors/tool-fakes.js";
import { tempDir } from "../../helpers/servers.js";
import { filesUnder, json, loopbackServer, project, readJson, type LoopbackServer } from "./helpers.js";

// The gate reads an error rate from a Prometheus HTTP API on loopback: two measurements apart.
let prometheus: LoopbackServer;
beforeAll(async () => {
  prometheus = await loopbackServer((_request, response) =>
    json(response, 200, {
      status: "success",
      data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, "0.004"] }] },
    }),
  );
});
afterAll(() => prometheus.close());

const playbook = (url: string) => `apiVersion: relctl/v1
name: api-release
vars:
  version: { default: "1.4.0" }
  fail: { default: "no" }
release:
  version: "\${{ vars.version }}"
stages:
  canary:
    environment: production
    steps:
      - id: deploy
        uses: exec.run
        with: { argv: [sh, -c, '[ "$1" = no ]', sh, "\${{ vars.fail }}"] }
      - id: error-rate
        uses: prometheus.gate
        with:
          url: ${url}
          interval: 100ms
          hold: 150ms
          metrics:
            - name: error_rate
              query: sum(rate(errors[5m]))
              max: 0.01
`;

interface Manifest {
  run: { status: string; exitCode: number };
  stages: { steps: { step: string; status: string; attempts: number }[] }[];
  gates: { step: string; status: string; measurements: { values: { value: unknown }[] }[] }[];
  release: { version: string };
}

/** A copy of the bundle to tamper with, and its verify result. */
async function tampered(
  p: ReturnType<typeof project>,
  bundle: string,
  change: (dir: string) => void,
): Promise<{ exitCode: number; stdout: string }> {
  const copy = join(tempDir("evidence"), "bundle");
  cpSync(bundle, copy, { recursive: true });
  change(copy);
  return p.run(["evidence", "verify", copy]);
}

/** Rewrites checksums.txt to match the files, as someone covering their tracks would. */
function recomputeChecksums(dir: string): void {
  const lines = ["journal.jsonl", "manifest.json"].map(
    (name) =>
      `${createHash("sha256")
        .update(readFileSync(join(dir, name)))
        .digest("hex")}  ${name}`,
  );
  writeFileSync(join(dir, "checksums.txt"), `${lines.join("\n")}\n`);
}

function editManifest(dir: string, edit: (manifest: Manifest) => void): void {
  const manifest = readJson<Manifest>(join(dir, "manifest.json"));
  edit(manifest);
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

describe.concurrent("evidence bundles", () => {
  it("every real run leaves manifest.json, journal.jsonl and checksums.txt, and a dry-run leaves none", async () => {
    const p = project(playbook(prometheus.url));
    expect((await p.run(["canary", "--yes", "--dry-run"])).exitCode).toBe(0);
    expect(p.runIds()).toEqual([]);

    const ok = await p.run(["canary", "--yes"]);
    const failed = await p.run(["canary", "--yes", "--var", "fail=yes"]);

    expect([ok.exitCode, failed.exitCode], ok.stdout + ok.stderr).toEqual([0, 1]);
    for (const runId of p.runIds()) {
      const bundle = join(p.state, "runs", runId, "evidence");
      expect(filesUnder(bundle)).toEqual(["checksums.txt", "journal.jsonl", "manifest.json"]);
      const verified = await p.run(["evidence", "verify", bundle]);
      expect(verified.stdout).toContain("ok (every checksum matches; the manifest agrees with the journal)");
      expect(verified.exitCode).toBe(0);
    }
  });

  it("names every change to a bundle: an edited, deleted or added file, and a manifest edited to match", async () => {
    const p = project(playbook(prometheus.url));
    expect((await p.run(["canary", "--yes"])).exitCode).toBe(0);
    const bundle = join(p.state, "runs", p.runIds()[0]!, "evidence");
    const manifest = readJson<Manifest>(join(bundle, "manifest.json"));
    expect(manifest.release.version).toBe("1.4.0");
    expect(manifest.gates[0]).toMatchObject({ step: "error-rate", status: "succeeded" });
    expect(manifest.gates[0]!.measurements.length).toBeGreaterThanOrEqual(2);
    expect(manifest.gates[0]!.measurements[1]).toMatchObject({ values: [{ value: 0.004 }] });

    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        "an edited journal",
        (dir) =>
          writeFileSync(
            join(dir, "journal.jsonl"),
            readFileSync(join(dir, "journal.jsonl"), "utf8").replace('"succeeded"', '"failed"'),
          ),
        /changed: journal\.jsonl \(its sha256 differs from checksums\.txt\)/,
      ],
      ["a deleted file", (dir) => rmSync(join(dir, "journal.jsonl")), /missing: journal\.jsonl/],
      ["an added file", (dir) => writeFileSync(join(dir, "notes.txt"), "trust me\n"), /extra: notes\.txt/],
      [
        "a measurement edited in the manifest, checksums recomputed",
        (dir) => {
          editManifest(dir, (m) => (m.gates[0]!.measurements[1]!.values[0]!.value = 0.0001));
          recomputeChecksums(dir);
        },
        /gates\[0\]\.measurements\[1\]\.values\[0\]\.value is 0\.0001 in the manifest, but the journal says 0\.004/,
      ],
      [
        "a step edited in the manifest, checksums recomputed",
        (dir) => {
          editManifest(dir, (m) => (m.stages[0]!.steps[0]!.attempts = 3));
          recomputeChecksums(dir);
        },
        /stages\[0\]\.steps\[0\]\.attempts is 3 in the manifest, but the journal says 1/,
      ],
    ];
    for (const [what, change, problem] of cases) {
      const result = await tampered(p, bundle, change);
      expect(result.exitCode, what).not.toBe(0);
      expect(result.stdout, what).toMatch(problem);
    }
  });

  it("signs checksums.txt with --sign-evidence, and verify checks the signature against the key", async () => {
    const p = project(playbook(prometheus.url));
    const cosign = {
      PATH: pathWithFakes(),
      RELCTL_FAKE_COSIGN_STATE: tempDir("cosign-state"),
      COSIGN_PASSWORD: "correct horse",
    };
    for (const prefix of ["cosign", "other"]) {
      await execa("cosign", ["generate-key-pair", "--output-key-prefix", prefix], {
        cwd: p.dir,
        env: cosign,
      });
    }

    const run = await p.run(["canary", "--yes", "--sign-evidence", "cosign.key"], cosign);

    expect(run.exitCode).toBe(0);
    const bundle = join(p.state, "runs", p.runIds()[0]!, "evidence");
    expect(existsSync(join(bundle, "checksums.txt.sigstore.json"))).toBe(true);
    const verified = await p.run(["evidence", "verify", bundle, "--key", "cosign.pub"], cosign);
    expect(verified.stdout).toContain("signature: verified");
    expect(verified.exitCode).toBe(0);

    const wrongKey = await p.run(["evidence", "verify", bundle, "--key", "other.pub"], cosign);
    expect(wrongKey.exitCode).not.toBe(0);
    expect(wrongKey.stdout).toContain("signature: failed");

    // Someone who rewrites the manifest and checksums.txt together is caught by the signature.
    const rewritten = await tampered(p, bundle, (dir) => {
      editManifest(dir, (m) => (m.release.version = "9.9.9"));
      recomputeChecksums(dir);
    });
    expect(rewritten.stdout).toMatch(/ok \(every checksum matches/);
    const copy = join(tempDir("evidence"), "bundle");
    cpSync(bundle, copy, { recursive: true });
    editManifest(copy, (m) => (m.release.version = "9.9.9"));
    recomputeChecksums(copy);
    const caught = await p.run(["evidence", "verify", copy, "--key", "cosign.pub"], cosign);
    expect(caught.exitCode).not.toBe(0);
    expect(caught.stdout).toContain("signature: failed");

    // An unsigned bundle passes only when no signature is required.
    expect((await p.run(["canary", "--yes"], cosign)).exitCode).toBe(0);
    const unsigned = join(
      p.state,
      "runs",
      p.runIds().find((id) => !bundle.includes(id))!,
      "evidence",
    );
    const required = await p.run(["evidence", "verify", unsigned, "--require-signature"]);
    expect(required.exitCode).not.toBe(0);
    expect(required.stdout).toContain("a verified signature is required");
  });
});
