import { afterAll, beforeAll, describe, expect, it } from "vitest";
import oci from "../../../src/executors/oci.js";
import { freePort, type RunningServer } from "../../helpers/servers.js";
import { testContext } from "../../helpers/action-context.js";
import { StepFailure, type Outputs } from "../../../src/executors/contract.js";
import { loopbackServer } from "../loopback.js";
import { refusal } from "../tool-fakes.js";
import {
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  pushImage,
  pushIndex,
  sha256,
  startRegistry,
  type PushedImage,
} from "./registry.js";

let registry: RunningServer;
let host: string;
let rc: PushedImage;

beforeAll(async () => {
  registry = await startRegistry();
  host = `127.0.0.1:${registry.port}`;
  rc = await pushImage(registry.url, "acme/api", "rc-20240501-001");
});
afterAll(() => registry.stop());

async function run(
  name: string,
  input: Record<string, unknown>,
  secrets: Record<string, string> = {},
): Promise<Outputs> {
  const action = oci.actions[name]!;
  const ctx = await testContext({ secrets: { get: (key) => secrets[key] } });
  return action.run(ctx, action.input.parse({ plain_http: true, ...input }));
}

async function failure(
  name: string,
  input: Record<string, unknown>,
  secrets: Record<string, string> = {},
): Promise<StepFailure> {
  const error = await run(name, input, secrets).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return error;
}

async function manifestAt(reference: string): Promise<{ text: string; type: string | null }> {
  const response = await fetch(`${registry.url}/v2/acme/api/manifests/${reference}`, {
    headers: { accept: [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(", ") },
  });
  return { text: await response.text(), type: response.headers.get("content-type") };
}

describe("oci.resolve", () => {
  it("resolves a tag to the digest of the manifest it names", async () => {
    expect(await run("resolve", { image: `${host}/acme/api:rc-20240501-001` })).toEqual({
      digest: rc.digest,
      image: `${host}/acme/api@${rc.digest}`,
      media_type: OCI_MANIFEST,
      size: Buffer.byteLength(rc.text),
      platforms: [],
      platform_digests: {},
    });
    expect(rc.digest).toBe(sha256(rc.text));
  });

  it.each([
    ["a Docker v2 manifest", DOCKER_MANIFEST],
    ["an OCI index", OCI_INDEX],
    ["a Docker manifest list", DOCKER_LIST],
  ])("resolves %s with its own media type", async (_, mediaType) => {
    const tag = `kind-${mediaType.length}`;
    const pushed =
      mediaType === DOCKER_MANIFEST
        ? await pushImage(registry.url, "acme/api", tag, { mediaType })
        : await pushIndex(
            registry.url,
            "acme/api",
            tag,
            [
              mediaType === OCI_INDEX
                ? rc
                : await pushImage(registry.url, "acme/api", `${tag}-amd64`, { mediaType: DOCKER_MANIFEST }),
            ],
            mediaType,
          );
    expect(await run("resolve", { image: `${host}/acme/api:${tag}` })).toMatchObject({
      digest: pushed.digest,
      media_type: mediaType,
    });
  });

  it("fails for a tag the registry does not have, naming it", async () => {
    const error = await failure("resolve", { image: `${host}/acme/api:v9.9.9` });
    expect(error.message).toBe(`${host}/acme/api:v9.9.9 is not in the registry (no tag v9.9.9)`);
    expect(error.hint).toMatch(/was the image pushed/);
  });

  it("says the registry cannot be reached, and where", async () => {
    const port = await freePort();
    const error = await failure("resolve", { image: `127.0.0.1:${port}/acme/api:v1` });
    expect(error.message).toBe(
      `could not reach http://127.0.0.1:${port}/v2/acme/api/manifests/v1: ECONNREFUSED`,
    );
    expect(error.hint).toMatch(/plain_http/);
  });
});

describe("oci.exists", () => {
  it("answers true with the digest for a present tag or digest, and false for a missing one", async () => {
    expect(await run("exists", { image: `${host}/acme/api:rc-20240501-001` })).toEqual({
      exists: true,
      digest: rc.digest,
      media_type: OCI_MANIFEST,
    });
    expect(await run("exists", { image: `${host}/acme/api@${rc.digest}` })).toMatchObject({ exists: true });
    expect(await run("exists", { image: `${host}/acme/api@${sha256("nothing")}` })).toEqual({
      exists: false,
      digest: "",
      media_type: "",
    });
    expect(await run("exists", { image: `${host}/acme/missing:v1` })).toMatchObject({ exists: false });
  });
});

describe("oci.retag", () => {
  it("tags the RC digest as GA keeping the manifest's exact bytes and media type", async () => {
    const outputs = await run("retag", { image: `${host}/acme/api@${rc.digest}`, tag: "v1.2.0" });
    expect(outputs).toEqual({
      image: `${host}/acme/api:v1.2.0`,
      digest: rc.digest,
      source: `${host}/acme/api@${rc.digest}`,
      previous_digest: "",
      changed: true,
    });
    const stored = await manifestAt("v1.2.0");
    expect(stored.text).toBe(rc.text);
    expect(stored.type).toBe(OCI_MANIFEST);
  });

  it("changes nothing when the tag already names the digest", async () => {
    await run("retag", { image: `${host}/acme/api@${rc.digest}`, tag: "v1.2.1" });
    expect(await run("retag", { image: `${host}/acme/api@${rc.digest}`, tag: "v1.2.1" })).toMatchObject({
      changed: false,
      previous_digest: rc.digest,
    });
  });

  it("resolves a tag source first and keeps an index an index", async () => {
    const index = await pushIndex(registry.url, "acme/api", "rc-multi", [rc]);
    expect(await run("retag", { image: `${host}/acme/api:rc-multi`, tag: "v2.0.0" })).toMatchObject({
      digest: index.digest,
    });
    expect(await manifestAt("v2.0.0")).toEqual({ text: index.text, type: OCI_INDEX });
  });

  it("refuses to move a tag that names another digest, unless overwrite is set", async () => {
    const other = await pushImage(registry.url, "acme/api", "rc-20240502-001", { layer: "another build" });
    await run("retag", { image: `${host}/acme/api@${rc.digest}`, tag: "v1.3.0" });
    const error = await failure("retag", { image: `${host}/acme/api@${other.digest}`, tag: "v1.3.0" });
    expect(error.message).toBe(
      `${host}/acme/api:v1.3.0 already names ${rc.digest}; relctl does not move tags`,
    );
    expect((await manifestAt("v1.3.0")).text).toBe(rc.text);
    expect(
      await run("retag", { image: `${host}/acme/api@${other.digest}`, tag: "v1.3.0", overwrite: true }),
    ).toMatchObject({
      changed: true,
      previous_digest: rc.digest,
    });
  });

  it("refuses to promote a single-platform image when platforms are required", async () => {
    const error = await failure("retag", {
      image: `${host}/acme/api@${rc.digest}`,
      tag: "v1.6.0",
      platforms: ["linux/amd64"],
    });
    expect(error.message).toBe(
      `${host}/acme/api@${rc.digest} is a single-platform image (${OCI_MANIFEST}), not an index with linux/amd64; refusing to tag it`,
    );
    expect((await fetch(`${registry.url}/v2/acme/api/manifests/v1.6.0`, { method: "HEAD" })).status).toBe(
      404,
    );
  });

  it("refuses a source that is not the digest that was validated", async () => {
    const error = await failure("retag", {
      image: `${host}/acme/api:rc-20240501-001`,
      tag: "v1.4.0",
      expected_digest: sha256("validated build"),
    });
    expect(error.message).toBe(
      `${host}/acme/api:rc-20240501-001 is ${rc.digest}, not the expected ${sha256("validated build")}; refusing to tag it`,
    );
    expect((await fetch(`${registry.url}/v2/acme/api/manifests/v1.4.0`, { method: "HEAD" })).status).toBe(
      404,
    );
  });

  it("says which digest is missing", async () => {
    const missing = sha256("never pushed");
    const error = await failure("retag", { image: `${host}/acme/api@${missing}`, tag: "v1.5.0" });
    expect(error.message).toBe(`${host}/acme/api@${missing} is not in the registry`);
  });

  it("plans the PUT of the new tag and the GET of the source", () => {
    const action = oci.actions.retag!;
    expect(
      action.plan(action.input.parse({ image: `registry.example.com/acme/api@${rc.digest}`, tag: "v1.2.0" })),
    ).toEqual({
      summary: `tag registry.example.com/acme/api@${rc.digest} as v1.2.0`,
      request: { method: "PUT", url: "https://registry.example.com/v2/acme/api/manifests/v1.2.0" },
      details: { reads: `GET https://registry.example.com/v2/acme/api/manifests/${rc.digest}` },
    });
  });
});

describe("oci inputs", () => {
  it.each([
    [
      { image: "https://registry.example.com/acme/api:v1" },
      "write the image without a scheme (registry.example.com/acme/api:tag)",
    ],
    [
      { image: "registry.example.com/Acme/api:v1" },
      '"Acme/api" is not a repository name (lowercase letters, digits, and . _ - between them)',
    ],
    [{ image: "--insecure" }, 'an image reference must not start with "-"'],
  ])("refuses %j", (input, message) => {
    expect(refusal(oci, "resolve", input)).toContain(message);
  });

  it.each(["amd64", "linux/amd64 ", "Linux/AMD64", "linux/arm64/v8/extra"])(
    "refuses the platform %j",
    (platform) => {
      expect(
        refusal(oci, "retag", {
          image: "registry.example.com/acme/api:rc",
          tag: "v1",
          platforms: [platform],
        }),
      ).toContain("a platform is os/architecture[/variant], like linux/amd64 or linux/arm64/v8");
    },
  );

  it("reads a Docker Hub short name as library/ on registry-1.docker.io", () => {
    const action = oci.actions.resolve!;
    expect(action.plan(action.input.parse({ image: "nginx:1.27" })).request).toEqual({
      method: "HEAD",
      url: "https://registry-1.docker.io/v2/library/nginx/manifests/1.27",
    });
  });

  it("warns when plain http would go to a host that is not loopback", async () => {
    const action = oci.actions.exists!;
    const ctx = await testContext({
      fetch: () => Promise.resolve(new Response(null, { status: 404 })),
    });
    await action.run(
      ctx,
      action.input.parse({ image: "registry.internal:5000/acme/api:v1", plain_http: true }),
    );
    expect(ctx.logs).toContainEqual({
      level: "warn",
      message: "talking plain http to registry.internal:5000: manifests and credentials travel unencrypted",
    });
  });
});

describe("registries that bend the rules", () => {
  const manifest = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}';

  it("reads the digest from the bytes when HEAD has no Docker-Content-Digest", async () => {
    const stub = await loopbackServer((request, response) => {
      response.writeHead(200, { "content-type": OCI_MANIFEST });
      response.end(request.method === "HEAD" ? undefined : manifest);
    });
    try {
      expect(await run("resolve", { image: `${stub.host}/acme/api:v1` })).toMatchObject({
        digest: sha256(manifest),
        media_type: OCI_MANIFEST,
      });
      expect(stub.requests.map((request) => request.method)).toEqual(["HEAD", "GET"]);
    } finally {
      await stub.close();
    }
  });

  it("refuses content that does not hash to the digest it was asked for", async () => {
    const stub = await loopbackServer((_, response) => {
      response.writeHead(200, { "content-type": OCI_MANIFEST });
      response.end(manifest);
    });
    const asked = sha256("what was validated");
    try {
      const error = await failure("retag", { image: `${stub.host}/acme/api@${asked}`, tag: "v1" });
      expect(error.message).toBe(
        `the registry answered ${asked} with content whose digest is ${sha256(manifest)}`,
      );
      expect(stub.requests.filter((request) => request.method === "PUT")).toEqual([]);
    } finally {
      await stub.close();
    }
  });
});
