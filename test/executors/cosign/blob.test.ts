import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cosignProject, DIGEST, IMAGE, PASSWORD } from "./setup.js";

describe("cosign.sign_blob and cosign.verify_blob", () => {
  it("signs a file into a bundle next to it and verifies it with the public key", async () => {
    const project = await cosignProject();
    writeFileSync(join(project.cwd, "evidence.tar"), "release evidence v1.2.3\n");
    const ctx = await project.withSecrets({ cosign_password: PASSWORD });
    const signed = await project.run(
      "sign_blob",
      { file: "evidence.tar", key: "cosign.key", password_secret: "cosign_password", tlog_upload: false },
      ctx,
    );
    expect(signed).toMatchObject({
      file: "evidence.tar",
      bundle: join(project.cwd, "evidence.tar.bundle"),
      sha256: createHash("sha256").update("release evidence v1.2.3\n").digest("hex"),
      signature: expect.stringMatching(/^[A-Za-z0-9+/=]+$/) as unknown,
    });
    expect(JSON.parse(readFileSync(join(project.cwd, "evidence.tar.bundle"), "utf8"))).toHaveProperty(
      "base64Signature",
    );
    expect(project.calls().at(-1)).toEqual([
      "sign-blob",
      "--yes",
      "--key",
      "cosign.key",
      "--bundle",
      "evidence.tar.bundle",
      "--tlog-upload=false",
      "evidence.tar",
    ]);
    const verified = await project.run("verify_blob", {
      file: "evidence.tar",
      key: "cosign.pub",
      insecure_ignore_tlog: true,
    });
    expect(verified).toEqual({ verified: true, file: "evidence.tar", sha256: signed.sha256 });
  });

  it("fails verification of a file that changed after signing", async () => {
    const project = await cosignProject();
    writeFileSync(join(project.cwd, "evidence.tar"), "release evidence v1.2.3\n");
    const ctx = await project.withSecrets({ cosign_password: PASSWORD });
    await project.run(
      "sign_blob",
      {
        file: "evidence.tar",
        bundle: "evidence.bundle",
        key: "cosign.key",
        password_secret: "cosign_password",
      },
      ctx,
    );
    appendFileSync(join(project.cwd, "evidence.tar"), "tampered\n");
    const failure = await project.fail("verify_blob", {
      file: "evidence.tar",
      bundle: "evidence.bundle",
      key: "cosign.pub",
    });
    expect(failure.message).toBe(
      "the signature of evidence.tar does not verify: invalid signature when validating ASN.1 encoded signature",
    );
    expect(failure.hint).toMatch(/the file changed after signing/);
    expect(failure.exitCode).toBe(1);
  });

  it("gives the offline hint when cosign cannot fetch Rekor's keys for a bundle in the log", async () => {
    const project = await cosignProject();
    writeFileSync(join(project.cwd, "evidence.tar"), "release evidence v1.2.3\n");
    const ctx = await project.withSecrets({ cosign_password: PASSWORD });
    await project.run(
      "sign_blob",
      { file: "evidence.tar", key: "cosign.key", password_secret: "cosign_password" },
      ctx,
    );
    const offline = await project.context({ env: { ...project.env, RELCTL_FAKE_COSIGN_OFFLINE: "1" } });
    const failure = await project.fail("verify_blob", { file: "evidence.tar", key: "cosign.pub" }, offline);
    expect(failure.message).toMatch(/: getting Rekor public keys: updating local metadata and targets: /);
    expect(failure.hint).toMatch(/^cosign could not fetch Rekor's public keys .* SIGSTORE_REKOR_PUBLIC_KEY/);
  });

  it("says which file is missing before cosign runs", async () => {
    const project = await cosignProject();
    const failure = await project.fail("sign_blob", { file: "missing.tar", key: "cosign.key" });
    expect(failure.message).toBe(
      `the file missing.tar does not exist (looked at ${join(project.cwd, "missing.tar")})`,
    );
    expect(project.calls().filter((argv) => argv[0] === "sign-blob")).toEqual([]);
    const noBundle = await project.fail("verify_blob", { file: "cosign.pub", key: "cosign.pub" });
    expect(noBundle.message).toMatch(/^the bundle cosign.pub.bundle does not exist/);
  });
});

describe("cosign.attest", () => {
  it("attests a predicate for an image by digest", async () => {
    const project = await cosignProject();
    writeFileSync(join(project.cwd, "provenance.json"), JSON.stringify({ builder: { id: "ci" } }));
    const ctx = await project.withSecrets({ cosign_password: PASSWORD });
    const outputs = await project.run(
      "attest",
      {
        image: `${IMAGE}@${DIGEST}`,
        key: "cosign.key",
        password_secret: "cosign_password",
        predicate: "provenance.json",
        type: "slsaprovenance",
        tlog_upload: false,
      },
      ctx,
    );
    expect(outputs).toEqual({ image: `${IMAGE}@${DIGEST}`, digest: DIGEST, type: "slsaprovenance" });
    expect(project.calls().at(-1)).toEqual([
      "attest",
      "--yes",
      "--key",
      "cosign.key",
      "--predicate",
      "provenance.json",
      "--type",
      "slsaprovenance",
      "--tlog-upload=false",
      `${IMAGE}@${DIGEST}`,
    ]);
    const stored = JSON.parse(readFileSync(join(project.state, "attestations.json"), "utf8")) as Record<
      string,
      unknown[]
    >;
    expect(stored[`${IMAGE}@${DIGEST}`]).toHaveLength(1);
  });

  it("attests with the transparency log on without a prompt, and takes a predicate type URI", async () => {
    const project = await cosignProject();
    writeFileSync(join(project.cwd, "deploy.json"), JSON.stringify({ environment: "production" }));
    const ctx = await project.withSecrets({ cosign_password: PASSWORD });
    const type = "https://example.com/predicates/deploy/v1";
    const outputs = await project.run(
      "attest",
      {
        image: `${IMAGE}@${DIGEST}`,
        key: "cosign.key",
        password_secret: "cosign_password",
        predicate: "deploy.json",
        type,
      },
      ctx,
    );
    expect(outputs).toEqual({ image: `${IMAGE}@${DIGEST}`, digest: DIGEST, type });
    // cosign asks before a Rekor upload and, with nobody to answer, declines: relctl says --yes.
    expect(project.calls().at(-1)).toEqual([
      "attest",
      "--yes",
      "--key",
      "cosign.key",
      "--predicate",
      "deploy.json",
      "--type",
      type,
      `${IMAGE}@${DIGEST}`,
    ]);
  });

  it("reports a predicate file that does not exist with cosign's error and a hint", async () => {
    const project = await cosignProject();
    const ctx = await project.withSecrets({ cosign_password: PASSWORD });
    const failure = await project.fail(
      "attest",
      {
        image: `${IMAGE}@${DIGEST}`,
        key: "cosign.key",
        password_secret: "cosign_password",
        predicate: "sbom.json",
        type: "spdxjson",
      },
      ctx,
    );
    expect(failure.message).toBe(
      `cosign attest ${IMAGE}@${DIGEST} failed: open sbom.json: no such file or directory`,
    );
    expect(failure.hint).toMatch(/a file cosign needs is missing/);
    expect(existsSync(join(project.state, "attestations.json"))).toBe(false);
  });
});

describe("the fake cosign", () => {
  it("fails on a flag cosign does not know, as cosign does", async () => {
    const project = await cosignProject();
    const { execa } = await import("execa");
    const result = await execa("cosign", ["sign", "--yes", "--tlog-uplaod=false", `${IMAGE}@${DIGEST}`], {
      cwd: project.cwd,
      env: project.env,
      reject: false,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      "Error: unknown flag: --tlog-uplaod\nmain.go:74: error during command execution: unknown flag: --tlog-uplaod",
    );
  });
});
