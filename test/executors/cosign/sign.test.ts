import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import cosign from "../../../src/executors/cosign.js";
import { refusal } from "../tool-fakes.js";
import { pushImage, pushIndex, type PushedImage } from "../oci/registry.js";
import { startCosignRegistry, type CosignRegistry } from "./registry.js";
import { cosignProject, DIGEST, IMAGE, OTHER_DIGEST, PASSWORD } from "./setup.js";

const signCalls = (calls: string[][]) => calls.filter((argv) => argv[0] === "sign");
const SECRETS = { cosign_password: PASSWORD };

let registry: CosignRegistry;
/** rc-20240501-001: a multi-platform index, which the registry serves only to a client that accepts one. */
let rc: PushedImage;
beforeAll(async () => {
  registry = await startCosignRegistry();
  const amd64 = await pushImage(registry.url, "acme/api", "rc-20240501-001-amd64");
  const arm64 = await pushImage(registry.url, "acme/api", "rc-20240501-001-arm64", { layer: "arm64" });
  rc = await pushIndex(registry.url, "acme/api", "rc-20240501-001", [amd64, arm64]);
});
afterAll(() => registry.stop());

describe("cosign.sign", () => {
  it("signs by digest with the key's password in cosign's environment, never in argv", async () => {
    const project = await cosignProject();
    const ctx = await project.withSecrets(SECRETS);
    const outputs = await project.run(
      "sign",
      {
        image: `${IMAGE}@${DIGEST}`,
        key: "cosign.key",
        password_secret: "cosign_password",
        tlog_upload: false,
      },
      ctx,
    );
    expect(outputs).toEqual({ image: `${IMAGE}@${DIGEST}`, digest: DIGEST });
    expect(signCalls(project.calls())).toEqual([
      ["sign", "--yes", "--key", "cosign.key", "--tlog-upload=false", `${IMAGE}@${DIGEST}`],
    ]);
    expect(JSON.stringify(project.calls())).not.toContain(PASSWORD);
    expect(ctx.records).toEqual([
      { kind: "cosign.signature", data: { image: `${IMAGE}@${DIGEST}`, digest: DIGEST, key: "cosign.key" } },
    ]);
    // The fake's signature is real ECDSA: it verifies only because the right password decrypted the key.
    const verified = await project.run("verify", {
      image: `${IMAGE}@${DIGEST}`,
      key: "cosign.pub",
      insecure_ignore_tlog: true,
    });
    expect(verified).toMatchObject({ verified: true, digest: DIGEST });
  });

  it("resolves a tag to its digest through the registry and signs the digest", async () => {
    const project = await cosignProject();
    const ctx = await project.withSecrets(SECRETS);
    const image = `${registry.host}/acme/api:rc-20240501-001`;
    const seen = registry.requests().length;
    const outputs = await project.run(
      "sign",
      { image, key: "cosign.key", password_secret: "cosign_password", plain_http: true },
      ctx,
    );
    expect(outputs).toEqual({ image: `${registry.host}/acme/api@${rc.digest}`, digest: rc.digest });
    expect(signCalls(project.calls())[0]).toEqual([
      "sign",
      "--yes",
      "--key",
      "cosign.key",
      "--allow-http-registry",
      `${registry.host}/acme/api@${rc.digest}`,
    ]);
    // One HEAD, answered: the registry serves an index only to a client whose Accept names it.
    const head = { method: "HEAD", path: "/v2/acme/api/manifests/rc-20240501-001", status: 200 };
    await registry.answered((request) => JSON.stringify(request) === JSON.stringify(head));
    const reads = registry
      .requests()
      .slice(seen)
      .filter((request) => request.path.startsWith("/v2/acme/api/"));
    expect(reads).toEqual([head]);
  });

  it("refuses to sign a tag when told not to resolve it", async () => {
    const project = await cosignProject();
    const failure = await project.fail("sign", {
      image: `${IMAGE}:v1.2.3`,
      key: "cosign.key",
      resolve_tag: false,
    });
    expect(failure.message).toBe(`${IMAGE}:v1.2.3 is a tag, not a digest; refusing to sign a tag`);
    expect(failure.hint).toMatch(/image@sha256/);
    expect(signCalls(project.calls())).toEqual([]);
  });

  it("refuses an image that names neither a tag nor a digest", async () => {
    const project = await cosignProject();
    const failure = await project.fail("sign", { image: IMAGE, key: "cosign.key" });
    expect(failure.message).toBe(`${IMAGE} names neither a tag nor a digest; cosign signs digests only`);
  });

  it("refuses to sign when the tag now names another digest than the one validated", async () => {
    const project = await cosignProject();
    const failure = await project.fail("sign", {
      image: `${registry.host}/acme/api:rc-20240501-001`,
      key: "cosign.key",
      plain_http: true,
      expected_digest: OTHER_DIGEST,
    });
    expect(failure.message).toBe(
      `${registry.host}/acme/api:rc-20240501-001 is ${rc.digest}, not the expected ${OTHER_DIGEST}; refusing to sign it`,
    );
    expect(signCalls(project.calls())).toEqual([]);
  });

  it("fails before running cosign when the key file does not exist", async () => {
    const project = await cosignProject();
    const failure = await project.fail("sign", { image: `${IMAGE}@${DIGEST}`, key: "keys/release.key" });
    expect(failure.message).toBe(
      `the private key keys/release.key does not exist (looked at ${project.cwd}/keys/release.key)`,
    );
    expect(failure.hint).toMatch(/generate-key-pair/);
    expect(signCalls(project.calls())).toEqual([]);
  });

  it("reports a wrong password as cosign's decryption failure and says what to fix", async () => {
    const project = await cosignProject();
    const ctx = await project.withSecrets({ cosign_password: "wrong" });
    const failure = await project.fail(
      "sign",
      { image: `${IMAGE}@${DIGEST}`, key: "cosign.key", password_secret: "cosign_password" },
      ctx,
    );
    expect(failure.message).toBe(
      `cosign sign ${IMAGE}@${DIGEST} failed: signing [${IMAGE}@${DIGEST}]: getting signer: reading key: decrypt: encrypted: decryption failed`,
    );
    expect(failure.exitCode).toBe(1);
    expect(failure.stderrTail).toMatch(/error during command execution/);
    expect(failure.hint).toMatch(/password_secret/);
  });

  it("names a password secret that has no value", async () => {
    const project = await cosignProject();
    const failure = await project.fail("sign", {
      image: `${IMAGE}@${DIGEST}`,
      key: "cosign.key",
      password_secret: "cosign_password",
    });
    expect(failure.message).toBe('secret "cosign_password" (key password) has no value');
  });

  it("hands a key kept in a secret to cosign as env://, never as a file or an argument", async () => {
    const project = await cosignProject();
    const { readFileSync } = await import("node:fs");
    const pem = readFileSync(`${project.cwd}/cosign.key`, "utf8");
    const before = readdirSync(project.cwd).sort();
    const ctx = await project.withSecrets({ ...SECRETS, cosign_key: pem });
    await project.run(
      "sign",
      { image: `${IMAGE}@${DIGEST}`, key_secret: "cosign_key", password_secret: "cosign_password" },
      ctx,
    );
    expect(signCalls(project.calls())[0]).toEqual([
      "sign",
      "--yes",
      "--key",
      "env://RELCTL_COSIGN_KEY",
      `${IMAGE}@${DIGEST}`,
    ]);
    expect(JSON.stringify(project.calls())).not.toContain("SIGSTORE PRIVATE KEY");
    expect(readdirSync(project.cwd).sort()).toEqual(before);
    expect(existsSync(`${ctx.tempDir}/cosign.key`)).toBe(false);
  });

  it("signs with a KMS key URI as given, and verifies with the same URI", async () => {
    const project = await cosignProject();
    const key = "awskms:///alias/release-signing";
    await project.run("sign", { image: `${IMAGE}@${DIGEST}`, key });
    expect(signCalls(project.calls())[0]).toContain(key);
    expect(await project.run("verify", { image: `${IMAGE}@${DIGEST}`, key })).toMatchObject({
      verified: true,
    });
  });

  it("signs the annotations given and passes each as -a", async () => {
    const project = await cosignProject();
    const ctx = await project.withSecrets(SECRETS);
    await project.run(
      "sign",
      {
        image: `${IMAGE}@${DIGEST}`,
        key: "cosign.key",
        password_secret: "cosign_password",
        annotations: { release: "v1.2.3", env: "production" },
      },
      ctx,
    );
    expect(signCalls(project.calls())[0]).toEqual([
      "sign",
      "--yes",
      "--key",
      "cosign.key",
      "--annotations",
      "release=v1.2.3",
      "--annotations",
      "env=production",
      `${IMAGE}@${DIGEST}`,
    ]);
  });

  it.each([
    [{ image: `${IMAGE}@${DIGEST}` }, "give exactly one of key and key_secret"],
    [
      { image: `${IMAGE}@${DIGEST}`, key: "https://example.com/k" },
      "key is a file path, env://VAR, or a KMS URI (awskms://, gcpkms://, azurekms://, hashivault://, k8s://)",
    ],
    [{ image: `-${IMAGE}`, key: "k" }, 'an image reference must not start with "-"'],
    [
      { image: `${IMAGE}@sha256:abc`, key: "k" },
      '"sha256:abc" is not a digest (sha256: followed by 64 hex characters)',
    ],
    [
      { image: `${IMAGE}@${DIGEST}`, key: "k", annotations: { note: "a,b" } },
      "an annotation value has no commas (cosign would split it)",
    ],
  ])("refuses %j before running anything", (input, message) => {
    expect(refusal(cosign, "sign", input)).toContain(message);
  });

  it("plans the signing of a tag as the digest it will resolve", () => {
    const action = cosign.actions.sign!;
    const plan = action.plan(
      action.input.parse({ image: `${IMAGE}:rc-1`, key: "cosign.key", tlog_upload: false }),
    );
    expect(plan.argv).toEqual([
      "cosign",
      "sign",
      "--yes",
      "--key",
      "cosign.key",
      "--tlog-upload=false",
      `${IMAGE}@<digest of ${IMAGE}:rc-1>`,
    ]);
    expect(plan.details).toEqual({
      resolves: `HEAD https://${IMAGE.split("/")[0]}/v2/acme/api/manifests/rc-1`,
    });
  });
});
