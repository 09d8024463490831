import { execa } from "execa";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import cosign from "../../../src/executors/cosign.js";
import { cosignProject, DIGEST, IMAGE, OTHER_DIGEST, PASSWORD, type CosignProject } from "./setup.js";

const SIGNED = `${IMAGE}@${DIGEST}`;

/** The fake cosign run directly in the project (to sign keyless, or read cosign's own output). */
function cosignRun(project: CosignProject, args: string[], env: Record<string, string> = {}) {
  return execa("cosign", args, { cwd: project.cwd, env: { ...project.env, ...env }, reject: false });
}

/** An OIDC token as an identity provider issues it (a JWT; the fake does not check its signature). */
function oidcToken(claims: Record<string, string>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

async function signed(
  options: { tlog?: boolean; annotations?: Record<string, string> } = {},
): Promise<CosignProject> {
  const project = await cosignProject();
  const ctx = await project.withSecrets({ cosign_password: PASSWORD });
  await project.run(
    "sign",
    {
      image: SIGNED,
      key: "cosign.key",
      password_secret: "cosign_password",
      tlog_upload: options.tlog ?? false,
      annotations: options.annotations ?? {},
    },
    ctx,
  );
  return project;
}

describe("cosign.verify", () => {
  it("verifies with the public key and reads the digest and annotations from cosign's JSON", async () => {
    const project = await signed({ annotations: { release: "v1.2.3" } });
    const ctx = await project.context();
    const outputs = await project.run(
      "verify",
      { image: SIGNED, key: "cosign.pub", insecure_ignore_tlog: true, annotations: { release: "v1.2.3" } },
      ctx,
    );
    expect(outputs).toEqual({
      verified: true,
      verdict: "verified",
      digest: DIGEST,
      image: SIGNED,
      signatures: 1,
      annotations: { release: "v1.2.3" },
      certificate_subject: "",
      certificate_issuer: "",
      reason: "",
    });
    expect(project.calls().at(-1)).toEqual([
      "verify",
      "--key",
      "cosign.pub",
      "--insecure-ignore-tlog=true",
      "--annotations",
      "release=v1.2.3",
      SIGNED,
    ]);
    expect(ctx.records.at(-1)).toEqual({
      kind: "cosign.verification",
      data: { image: SIGNED, digest: DIGEST, verdict: "verified", signatures: 1 },
    });
  });

  it("reports only the annotations it was asked to check, not the Rekor bundle cosign adds", async () => {
    const project = await signed({ tlog: true, annotations: { release: "v1.2.3", team: "payments" } });
    const verify = await cosignRun(project, ["verify", "--key", "cosign.pub", SIGNED]);
    // cosign's own JSON: the Rekor bundle sits in "optional" next to the signed annotations.
    const [printed] = JSON.parse(verify.stdout) as { optional: Record<string, unknown> }[];
    expect(Object.keys(printed!.optional).sort()).toEqual(["Bundle", "release", "team"]);
    expect(printed!.optional.Bundle).toMatchObject({
      SignedEntryTimestamp: expect.any(String),
      Payload: { logIndex: expect.any(Number), integratedTime: expect.any(Number) },
    });

    expect(
      await project.run("verify", { image: SIGNED, key: "cosign.pub", annotations: { release: "v1.2.3" } }),
    ).toMatchObject({ verified: true, annotations: { release: "v1.2.3" } });
    expect(await project.run("verify", { image: SIGNED, key: "cosign.pub" })).toMatchObject({
      verified: true,
      annotations: {},
      certificate_subject: "",
      certificate_issuer: "",
    });
  });

  it("verifies keyless by identity and reports the certificate's subject and issuer apart from annotations", async () => {
    const project = await cosignProject();
    const identity = "https://github.com/acme/api/.github/workflows/release.yml@refs/tags/v1.2.3";
    const issuer = "https://token.actions.githubusercontent.com";
    const token = oidcToken({
      iss: issuer,
      sub: "repo:acme/api:ref:refs/tags/v1.2.3",
      job_workflow_ref: "acme/api/.github/workflows/release.yml@refs/tags/v1.2.3",
      event_name: "push",
      repository: "acme/api",
    });
    const signing = await cosignRun(project, ["sign", "--yes", "-a", "release=v1.2.3", SIGNED], {
      SIGSTORE_ID_TOKEN: token,
    });
    expect(signing.exitCode).toBe(0);

    const ctx = await project.context();
    const outputs = await project.run(
      "verify",
      {
        image: SIGNED,
        certificate_identity: identity,
        certificate_oidc_issuer: issuer,
        annotations: { release: "v1.2.3" },
      },
      ctx,
    );
    expect(outputs).toEqual({
      verified: true,
      verdict: "verified",
      digest: DIGEST,
      image: SIGNED,
      signatures: 1,
      annotations: { release: "v1.2.3" },
      certificate_subject: identity,
      certificate_issuer: issuer,
      reason: "",
    });
    expect(ctx.records.at(-1)).toEqual({
      kind: "cosign.verification",
      data: {
        image: SIGNED,
        digest: DIGEST,
        verdict: "verified",
        signatures: 1,
        certificate_subject: identity,
        certificate_issuer: issuer,
      },
    });

    const stranger = await project.fail("verify", {
      image: SIGNED,
      certificate_identity: "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
      certificate_oidc_issuer: issuer,
    });
    expect(stranger.exitCode).toBe(12);
    expect(stranger.message).toContain(`got subjects [${identity}] with issuer ${issuer}`);
  });

  it("turns exit code 10 into the verdict no_signature", async () => {
    const project = await cosignProject();
    const failure = await project.fail("verify", { image: `${IMAGE}@${OTHER_DIGEST}`, key: "cosign.pub" });
    expect(failure.message).toBe(
      `${IMAGE}@${OTHER_DIGEST} has no signature (cosign exit 10: no signatures found)`,
    );
    expect(failure.exitCode).toBe(10);
    expect(failure.hint).toMatch(/sign it first/);
    expect(failure.outputs).toMatchObject({ verified: false, verdict: "no_signature" });
  });

  it("turns exit code 12 into no_matching_signature when another key signed it", async () => {
    const project = await signed();
    await project.keyPair("other", "pw");
    const failure = await project.fail("verify", {
      image: SIGNED,
      key: "other.pub",
      insecure_ignore_tlog: true,
    });
    expect(failure.exitCode).toBe(12);
    expect(failure.message).toBe(
      `${SIGNED} is signed, but no signature matches the given key or identity (cosign exit 12: no matching signatures: invalid signature when validating ASN.1 encoded signature)`,
    );
    expect(failure.outputs).toMatchObject({ verdict: "no_matching_signature" });
  });

  it("does not accept a signature missing from the transparency log unless told to", async () => {
    const project = await signed({ tlog: false });
    const failure = await project.fail("verify", { image: SIGNED, key: "cosign.pub" });
    expect(failure.exitCode).toBe(12);
    expect(failure.message).toMatch(/signature not found in transparency log/);
    expect(
      await project.run("verify", { image: SIGNED, key: "cosign.pub", insecure_ignore_tlog: true }),
    ).toMatchObject({
      verified: true,
    });
  });

  it("accepts a signature that was recorded in the transparency log", async () => {
    const project = await signed({ tlog: true });
    expect(await project.run("verify", { image: SIGNED, key: "cosign.pub" })).toMatchObject({
      verified: true,
    });
  });

  it("turns exit code 11 into tag_not_found", async () => {
    const project = await signed();
    const failure = await project.fail("verify", { image: `${IMAGE}:v9.9.9`, key: "cosign.pub" });
    expect(failure.exitCode).toBe(11);
    expect(failure.outputs).toMatchObject({ verdict: "tag_not_found" });
    expect(failure.hint).toMatch(/check the tag/);
  });

  it("turns exit code 13 into no_certificate when a key-signed image is verified keyless", async () => {
    const project = await signed();
    const failure = await project.fail("verify", {
      image: SIGNED,
      certificate_identity: "https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main",
      certificate_oidc_issuer: "https://token.actions.githubusercontent.com",
    });
    expect(failure.exitCode).toBe(13);
    expect(failure.outputs).toMatchObject({ verdict: "no_certificate" });
    expect(failure.hint).toMatch(/verify with key/);
  });

  it("reports the verdict without failing when fail_on_unverified is false", async () => {
    const project = await cosignProject();
    const ctx = await project.context();
    const outputs = await project.run(
      "verify",
      { image: SIGNED, key: "cosign.pub", fail_on_unverified: false },
      ctx,
    );
    expect(outputs).toMatchObject({ verified: false, verdict: "no_signature" });
    expect(
      ctx.logs.some((log) => log.level === "warn" && log.message.startsWith(`${SIGNED} has no signature`)),
    ).toBe(true);
  });

  it("fails when the signatures are for another digest than the one expected", async () => {
    const project = await signed();
    project.tags({ [`${IMAGE}:v1.2.3`]: DIGEST });
    expect(
      await project.run("verify", {
        image: `${IMAGE}:v1.2.3`,
        key: "cosign.pub",
        insecure_ignore_tlog: true,
      }),
    ).toMatchObject({
      verified: true,
      digest: DIGEST,
      image: SIGNED,
    });
    const failure = await project.fail("verify", {
      image: `${IMAGE}:v1.2.3`,
      key: "cosign.pub",
      insecure_ignore_tlog: true,
      expected_digest: OTHER_DIGEST,
    });
    expect(failure.message).toBe(`the signatures of ${IMAGE}:v1.2.3 are for ${DIGEST}, not ${OTHER_DIGEST}`);
    expect(failure.outputs).toMatchObject({ verdict: "digest_mismatch" });
  });

  it("fails when a required annotation was not signed", async () => {
    const project = await signed({ annotations: { release: "v1.2.2" } });
    const failure = await project.fail("verify", {
      image: SIGNED,
      key: "cosign.pub",
      insecure_ignore_tlog: true,
      annotations: { release: "v1.2.3" },
    });
    expect(failure.outputs).toMatchObject({ verdict: "no_matching_signature" });
    expect(failure.message).toMatch(/no matching signatures: missing or incorrect annotation\)$/);
  });

  it("reports the verdict in a dry-run preview without failing or recording it", async () => {
    const project = await cosignProject();
    const ctx = await project.context();
    const action = cosign.actions.verify!;
    const outputs = await action.preview!(ctx, action.input.parse({ image: SIGNED, key: "cosign.pub" }));
    expect(outputs).toMatchObject({ verified: false, verdict: "no_signature" });
    expect(ctx.records).toEqual([]);
  });
});

describe("cosign.verify on a runner that cannot reach the Sigstore TUF mirror", () => {
  const REKOR_KEYS_UNREACHABLE =
    'getting Rekor public keys: updating local metadata and targets: error updating to TUF remote mirror: tuf: failed to download 10.root.json: Get "https://tuf-repo-cdn.sigstore.dev/10.root.json": dial tcp: lookup tuf-repo-cdn.sigstore.dev: no such host';

  const offline = (project: CosignProject, env: Record<string, string> = {}) =>
    project.context({ env: { ...project.env, RELCTL_FAKE_COSIGN_OFFLINE: "1", ...env } });

  it("fails on fetching Rekor's keys, as cosign does, and says which setting avoids it", async () => {
    const project = await signed({ tlog: true });
    const failure = await project.fail(
      "verify",
      { image: SIGNED, key: "cosign.pub" },
      await offline(project),
    );
    expect(failure.message).toBe(`cosign verify ${SIGNED} failed: ${REKOR_KEYS_UNREACHABLE}`);
    expect(failure.hint).toBe(
      "cosign could not fetch Rekor's public keys from the Sigstore TUF mirror (is the runner offline?): set SIGSTORE_REKOR_PUBLIC_KEY to a file with the log's public key in the runner's environment, or, for an image signed with tlog_upload: false, set insecure_ignore_tlog: true",
    );
    expect(failure.outputs).toMatchObject({ verified: false, verdict: "error" });
  });

  it("verifies offline with the log's public key given, or without the log check", async () => {
    const project = await signed({ tlog: true });
    writeFileSync(
      join(project.cwd, "rekor.pub"),
      "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n",
    );
    const withKey = await offline(project, { SIGSTORE_REKOR_PUBLIC_KEY: join(project.cwd, "rekor.pub") });
    expect(await project.run("verify", { image: SIGNED, key: "cosign.pub" }, withKey)).toMatchObject({
      verified: true,
    });
    const unlogged = await signed({ tlog: false });
    expect(
      await unlogged.run(
        "verify",
        { image: SIGNED, key: "cosign.pub", insecure_ignore_tlog: true },
        await offline(unlogged),
      ),
    ).toMatchObject({ verified: true });
  });

  it("names the Fulcio roots for a keyless verify", async () => {
    const project = await cosignProject();
    writeFileSync(
      join(project.cwd, "rekor.pub"),
      "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n",
    );
    const ctx = await offline(project, { SIGSTORE_REKOR_PUBLIC_KEY: join(project.cwd, "rekor.pub") });
    const failure = await project.fail(
      "verify",
      {
        image: SIGNED,
        certificate_identity: "release@acme.example",
        certificate_oidc_issuer: "https://accounts.google.com",
      },
      ctx,
    );
    expect(failure.message).toMatch(/: getting Fulcio roots: initializing tuf: updating local metadata/);
    expect(failure.hint).toMatch(/^cosign could not fetch the Fulcio roots .* set SIGSTORE_ROOT_FILE/);
  });
});
