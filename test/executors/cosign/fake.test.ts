// The fake cosign itself, where it must behave like cosign for relctl's cosign executor to be
// tested against it: the transparency-log confirmation (--yes), keyless signing without an OIDC
// token, and the predicate types attest accepts.
import { execa } from "execa";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cosignProject, DIGEST, IMAGE, PASSWORD, type CosignProject } from "./setup.js";

const SIGNED = `${IMAGE}@${DIGEST}`;
const COMMAND_ERROR = "main.go:74: error during command execution: ";

/** Runs the fake cosign in the project as CI would: no terminal, stdin at its end unless `input`. */
function cosign(project: CosignProject, args: string[], input = "") {
  return execa("cosign", args, {
    cwd: project.cwd,
    env: { ...project.env, COSIGN_PASSWORD: PASSWORD },
    input,
    reject: false,
  });
}

async function withPredicate(): Promise<CosignProject> {
  const project = await cosignProject();
  writeFileSync(join(project.cwd, "provenance.json"), JSON.stringify({ builder: { id: "ci" } }));
  return project;
}

const stored = (project: CosignProject, file: string): Record<string, unknown[]> =>
  existsSync(join(project.state, file))
    ? (JSON.parse(readFileSync(join(project.state, file), "utf8")) as Record<string, unknown[]>)
    : {};

describe("the fake cosign's transparency-log confirmation", () => {
  it("asks before uploading a signature to Rekor and fails when nobody answers", async () => {
    const project = await cosignProject();
    const result = await cosign(project, ["sign", "--key", "cosign.key", SIGNED]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("Are you sure you would like to continue? [y/N] ");
    expect(result.stderr).toContain(
      `${COMMAND_ERROR}signing [${SIGNED}]: signing digest: should upload to tlog: user declined the prompt`,
    );
    expect(stored(project, "signatures.json")).toEqual({});
  });

  it("signs without asking with --yes, or when nothing goes to the transparency log", async () => {
    const project = await cosignProject();
    expect((await cosign(project, ["sign", "--yes", "--key", "cosign.key", SIGNED])).exitCode).toBe(0);
    const offline = await cosign(project, ["sign", "--tlog-upload=false", "--key", "cosign.key", SIGNED]);
    expect(offline.exitCode).toBe(0);
    expect(offline.stderr).not.toContain("Are you sure");
    expect(stored(project, "signatures.json")[SIGNED]).toHaveLength(2);
  });

  it("goes on when someone answers y, and names an answer it does not understand", async () => {
    const project = await cosignProject();
    expect((await cosign(project, ["sign", "--key", "cosign.key", SIGNED], "y\n")).exitCode).toBe(0);
    const unsure = await cosign(project, ["sign", "--key", "cosign.key", SIGNED], "maybe\n");
    expect(unsure.exitCode).toBe(1);
    expect(unsure.stderr).toContain('should upload to tlog: invalid input "maybe" (allowed values y, n)');
    expect(stored(project, "signatures.json")[SIGNED]).toHaveLength(1);
  });

  it("asks before sign-blob and attest upload too", async () => {
    const project = await withPredicate();
    const blob = await cosign(project, ["sign-blob", "--key", "cosign.key", "provenance.json"]);
    expect(blob.exitCode).toBe(1);
    expect(blob.stderr).toContain(
      `${COMMAND_ERROR}signing provenance.json: upload to tlog: user declined the prompt`,
    );
    const attest = await cosign(project, [
      "attest",
      "--key",
      "cosign.key",
      "--predicate",
      "provenance.json",
      SIGNED,
    ]);
    expect(attest.exitCode).toBe(1);
    expect(attest.stderr).toContain(
      `${COMMAND_ERROR}signing ${SIGNED}: should upload to tlog: user declined the prompt`,
    );
    expect(stored(project, "attestations.json")).toEqual({});
  });
});

describe("the fake cosign's attest", () => {
  it("fails like keyless signing without an OIDC token when no key is given", async () => {
    const project = await withPredicate();
    const result = await cosign(project, ["attest", "--yes", "--predicate", "provenance.json", SIGNED]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `Error: signing ${SIGNED}: getting signer: signing in keyless mode needs an OIDC identity token; none available (fake)\n` +
        `${COMMAND_ERROR}signing ${SIGNED}: getting signer: signing in keyless mode needs an OIDC identity token; none available (fake)`,
    );
  });

  it.each(["slsaprovenance1", "openvex", "https://example.com/predicates/deploy/v1", "urn:acme:release"])(
    "accepts the predicate type %s",
    async (type) => {
      const project = await withPredicate();
      const result = await cosign(project, attestArgs(type, ["--tlog-upload=false"]));
      expect(result.stderr).not.toContain("Error:");
      expect(result.exitCode).toBe(0);
    },
  );

  it.each(["slsa", "sbom", "provenance v1"])("refuses the predicate type %j as cosign does", async (type) => {
    const project = await withPredicate();
    const result = await cosign(project, attestArgs(type));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${COMMAND_ERROR}signing ${SIGNED}: invalid predicate type: ${type}`);
    expect(stored(project, "attestations.json")).toEqual({});
  });
});

/** `cosign attest` of provenance.json on the signed image, with `type` and any extra flags. */
function attestArgs(type: string, flags: string[] = []): string[] {
  return [
    "attest",
    "--yes",
    ...flags,
    "--key",
    "cosign.key",
    "--predicate",
    "provenance.json",
    "--type",
    type,
    SIGNED,
  ];
}

describe("the fake cosign offline", () => {
  it("fails a verify that needs Rekor's keys the way cosign v2 does when TUF cannot be updated", async () => {
    const project = await cosignProject();
    const result = await execa("cosign", ["verify", "--key", "cosign.pub", SIGNED], {
      cwd: project.cwd,
      env: { ...project.env, RELCTL_FAKE_COSIGN_OFFLINE: "1" },
      reject: false,
    });
    expect(result.exitCode).toBe(1);
    const message =
      'getting Rekor public keys: updating local metadata and targets: error updating to TUF remote mirror: tuf: failed to download 10.root.json: Get "https://tuf-repo-cdn.sigstore.dev/10.root.json": dial tcp: lookup tuf-repo-cdn.sigstore.dev: no such host\nremote status:{\n\t"mirror": "https://tuf-repo-cdn.sigstore.dev",\n\t"metadata": {}\n}';
    expect(result.stderr).toBe(`Error: ${message}\n${COMMAND_ERROR}${message}`);
    // It fails before it looks for signatures (there are none here): exit 1, not 10.
    const blob = await execa("cosign", ["verify-blob", "--key", "cosign.pub", "--bundle", "x.bundle", "x"], {
      cwd: project.cwd,
      env: { ...project.env, RELCTL_FAKE_COSIGN_OFFLINE: "1" },
      reject: false,
    });
    expect(blob.stderr).toContain(`${COMMAND_ERROR}getting Rekor public keys: updating local metadata`);
  });
});
