// A real multi-platform image in the real registry: built as an OCI layout on disk, pushed with
// skopeo (`copy --all`, as a CI pipeline pushes a buildx result), then resolved, checked and
// promoted by relctl's oci executor. skopeo reads the registry back as the oracle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import oci from "../../../src/executors/oci.js";
import type { Outputs } from "../../../src/executors/contract.js";
import { testContext } from "../../helpers/action-context.js";
import type { RunningServer } from "../../helpers/servers.js";
import { buildMultiPlatformLayout, pushLayout, skopeo, type OciLayout } from "./oci-layout.js";
import { DOCKER_LIST, OCI_INDEX, OCI_MANIFEST, sha256, startRegistry } from "./registry.js";

const PLATFORMS = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64", variant: "v8" },
  // buildx lists its attestation manifest (SBOM, provenance) in the index as unknown/unknown.
  { os: "unknown", architecture: "unknown" },
];

let registry: RunningServer;
let host: string;
let layout: OciLayout;

beforeAll(async () => {
  registry = await startRegistry();
  host = `127.0.0.1:${registry.port}`;
  layout = buildMultiPlatformLayout("rc-20240501-001", PLATFORMS);
  await pushLayout(layout, host, "acme/api");
}, 60_000);
afterAll(() => registry.stop());

async function run(name: string, input: Record<string, unknown>): Promise<Outputs> {
  const action = oci.actions[name]!;
  return action.run(await testContext(), action.input.parse({ plain_http: true, ...input }));
}

/** What skopeo reads at a reference: the raw manifest bytes. */
const rawAt = (reference: string): Promise<string> =>
  skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${host}/acme/api${reference}`]);

describe("a multi-platform image pushed by skopeo", () => {
  it("resolves the tag to the index's digest, as built, with its platforms", async () => {
    const [amd64, arm64] = layout.manifests;
    expect(await run("resolve", { image: `${host}/acme/api:rc-20240501-001` })).toEqual({
      digest: layout.index.digest,
      image: `${host}/acme/api@${layout.index.digest}`,
      media_type: OCI_INDEX,
      size: layout.index.size,
      platforms: ["linux/amd64", "linux/arm64/v8"],
      platform_digests: { "linux/amd64": amd64!.digest, "linux/arm64/v8": arm64!.digest },
    });
  });

  it("finds every platform's manifest by digest", async () => {
    for (const manifest of layout.manifests) {
      expect(await run("exists", { image: `${host}/acme/api@${manifest.digest}` })).toEqual({
        exists: true,
        digest: manifest.digest,
        media_type: OCI_MANIFEST,
      });
    }
  });

  it("promotes the index by digest: the GA tag names the same index over the same platform images", async () => {
    const outputs = await run("retag", {
      image: `${host}/acme/api:rc-20240501-001`,
      tag: "v1.2.0",
      expected_digest: layout.index.digest,
      platforms: ["linux/amd64", "linux/arm64"],
    });
    expect(outputs).toEqual({
      image: `${host}/acme/api:v1.2.0`,
      digest: layout.index.digest,
      source: `${host}/acme/api@${layout.index.digest}`,
      previous_digest: "",
      changed: true,
    });
    // skopeo reads back the very bytes that were built: the index was not re-serialised.
    const raw = await rawAt(":v1.2.0");
    expect(raw).toBe(layout.index.bytes.toString("utf8"));
    const index = JSON.parse(raw) as { manifests: { digest: string; platform: unknown }[] };
    expect(index.manifests.map(({ digest, platform }) => ({ digest, platform }))).toEqual(
      layout.manifests.map(({ digest, platform }) => ({ digest, platform })),
    );
    // A pull of the GA tag for arm64 gets the arm64 image that was built.
    const arm64 = JSON.parse(
      await skopeo([
        "inspect",
        "--override-os=linux",
        "--override-arch=arm64",
        "--override-variant=v8",
        "--tls-verify=false",
        `docker://${host}/acme/api:v1.2.0`,
      ]),
    ) as { Digest: string; Architecture: string; Layers: string[] };
    // (skopeo names the index's digest, and the chosen platform's architecture and layers.)
    expect(arm64).toMatchObject({
      Digest: layout.index.digest,
      Architecture: "arm64",
      Layers: [layout.manifests[1]!.layer],
    });
  });

  it("reads the platforms of a Docker manifest list too", async () => {
    await pushLayout(layout, host, "acme/api", "rc-docker", "v2s2");
    const raw = await rawAt(":rc-docker");
    const list = JSON.parse(raw) as { mediaType: string; manifests: { digest: string }[] };
    expect(list.mediaType).toBe(DOCKER_LIST);
    const outputs = await run("resolve", { image: `${host}/acme/api:rc-docker` });
    expect(outputs).toEqual({
      digest: sha256(raw),
      image: `${host}/acme/api@${sha256(raw)}`,
      media_type: DOCKER_LIST,
      size: Buffer.byteLength(raw),
      platforms: ["linux/amd64", "linux/arm64/v8"],
      platform_digests: {
        "linux/amd64": list.manifests[0]!.digest,
        "linux/arm64/v8": list.manifests[1]!.digest,
      },
    });
  });

  it("refuses to promote an index that lacks a platform the release ships for", async () => {
    const amd64Only = buildMultiPlatformLayout("rc-20240501-003", [PLATFORMS[0]!, PLATFORMS[2]!]);
    await pushLayout(amd64Only, host, "acme/api");
    const action = oci.actions.retag!;
    const error = await action
      .run(
        await testContext(),
        action.input.parse({
          plain_http: true,
          image: `${host}/acme/api:rc-20240501-003`,
          tag: "v1.3.0",
          platforms: ["linux/amd64", "linux/arm64"],
        }),
      )
      .catch((caught: unknown) => caught as Error);
    expect((error as Error).message).toBe(
      `${host}/acme/api@${amd64Only.index.digest} has no image for linux/arm64 (it lists linux/amd64); refusing to tag it`,
    );
    await expect(rawAt(":v1.3.0")).rejects.toThrow(/manifest unknown/);
  });

  it("refuses to promote when the tag names another build than the validated one", async () => {
    const rebuilt = buildMultiPlatformLayout("rc-20240501-002", PLATFORMS);
    await pushLayout(rebuilt, host, "acme/api", "rc-20240501-001-rebuilt");
    const action = oci.actions.retag!;
    const error = await action
      .run(
        await testContext(),
        action.input.parse({
          plain_http: true,
          image: `${host}/acme/api:rc-20240501-001-rebuilt`,
          tag: "v1.2.1",
          expected_digest: layout.index.digest,
        }),
      )
      .catch((caught: unknown) => caught as Error);
    expect((error as Error).message).toBe(
      `${host}/acme/api:rc-20240501-001-rebuilt is ${rebuilt.index.digest}, not the expected ${layout.index.digest}; refusing to tag it`,
    );
    await expect(rawAt(":v1.2.1")).rejects.toThrow(/manifest unknown/);
  });
});
