// A real registry for the oci tests: Debian's docker-registry (Distribution 2.8) on a free
// loopback port, storing under a temp dir, plus helpers that push blobs and manifests over
// plain HTTP the way `docker push` does (POST an upload, PUT it with its digest, PUT the
// manifest).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, tempDir, type RunningServer } from "../../helpers/servers.js";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

export const sha256 = (bytes: string | Uint8Array): string =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export interface RegistryOptions {
  /** Where the registry keeps its data (default: a new temporary directory). */
  storage?: string;
  /** An htpasswd file: basic auth on every request, as a private registry has. */
  htpasswd?: string;
  /** Log every request (method, path, status) to the server's output. */
  accessLog?: boolean;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningServer> {
  const dir = tempDir("registry");
  const storage = options.storage ?? join(dir, "data");
  return startServer({
    binary: "docker-registry",
    debianPackage: "docker-registry",
    args: (port) => {
      const config = join(dir, "config.yml");
      writeFileSync(
        config,
        [
          "version: 0.1",
          "log:",
          // error: a request with credentials the registry refuses is logged ("error authenticating user").
          "  level: error",
          "  accesslog:",
          `    disabled: ${options.accessLog ? "false" : "true"}`,
          "storage:",
          "  filesystem:",
          `    rootdirectory: ${storage}`,
          "  delete:",
          "    enabled: true",
          "http:",
          `  addr: 127.0.0.1:${port}`,
          "  secret: relctl-test-secret",
          ...(options.htpasswd
            ? ["auth:", "  htpasswd:", "    realm: relctl-test", `    path: ${options.htpasswd}`]
            : []),
          "",
        ].join("\n"),
      );
      return ["serve", config];
    },
    // "/" answers 200 with or without auth (/v2/ answers 401 until credentials are given).
    readyPath: options.htpasswd ? "/" : "/v2/",
  });
}

async function expectStatus(response: Response, status: number, what: string): Promise<Response> {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${await response.text()}`);
  }
  return response;
}

export async function pushBlob(
  base: string,
  repository: string,
  content: string | Uint8Array,
): Promise<{ digest: string; size: number }> {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  const digest = sha256(bytes);
  const started = await expectStatus(
    await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST" }),
    202,
    "start upload",
  );
  const location = new URL(started.headers.get("location")!, base);
  location.searchParams.set("digest", digest);
  await expectStatus(
    await fetch(location, {
      method: "PUT",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    }),
    201,
    "finish upload",
  );
  return { digest, size: bytes.byteLength };
}

/** PUTs manifest text exactly as given; returns its digest. */
export async function pushManifest(
  base: string,
  repository: string,
  reference: string,
  text: string,
  mediaType: string,
): Promise<string> {
  const response = await expectStatus(
    await fetch(`${base}/v2/${repository}/manifests/${reference}`, {
      method: "PUT",
      body: text,
      headers: { "content-type": mediaType },
    }),
    201,
    `push manifest ${reference}`,
  );
  return response.headers.get("docker-content-digest")!;
}

export interface PushedImage {
  digest: string;
  text: string;
  mediaType: string;
}

/**
 * Pushes a one-layer image (config + layer blobs, then the manifest) and tags it. The manifest
 * text keeps odd spacing on purpose: a client that re-serialises it would change its digest.
 */
export async function pushImage(
  base: string,
  repository: string,
  tag: string,
  options: { mediaType?: string; layer?: string } = {},
): Promise<PushedImage> {
  const mediaType = options.mediaType ?? OCI_MANIFEST;
  const docker = mediaType === DOCKER_MANIFEST;
  const config = await pushBlob(
    base,
    repository,
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
  );
  const layer = await pushBlob(base, repository, options.layer ?? `layer of ${tag}`);
  const text = `{\n   "schemaVersion": 2,\n   "mediaType": "${mediaType}",\n   "config": {"mediaType": "${docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json"}", "digest": "${config.digest}", "size": ${config.size}},\n   "layers": [ {"mediaType": "${docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip"}", "digest": "${layer.digest}", "size": ${layer.size}} ]\n}\n`;
  const digest = await pushManifest(base, repository, tag, text, mediaType);
  return { digest, text, mediaType };
}

/** Pushes an index (OCI or Docker list) over already-pushed manifests and tags it. */
export async function pushIndex(
  base: string,
  repository: string,
  tag: string,
  manifests: PushedImage[],
  mediaType = OCI_INDEX,
): Promise<PushedImage> {
  const entries = manifests.map((manifest, index) => ({
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: Buffer.byteLength(manifest.text),
    platform: { architecture: index === 0 ? "amd64" : "arm64", os: "linux" },
  }));
  const text = JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries }, null, 1);
  return { digest: await pushManifest(base, repository, tag, text, mediaType), text, mediaType };
}
