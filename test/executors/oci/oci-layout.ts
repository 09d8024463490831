// A multi-platform image built by hand as an OCI image layout on disk (the spec's directory
// format: oci-layout, index.json, blobs/sha256/…), with no Docker: per platform a real tar
// layer (gzipped), its config and its manifest, then an image index over them. skopeo (Debian
// package skopeo) pushes it into a registry the way a CI pipeline would push a buildx output.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { requireBinary, tempDir } from "../../helpers/servers.js";
import { OCI_INDEX, OCI_MANIFEST } from "./registry.js";

const CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
const LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface LayoutManifest {
  platform: Platform;
  digest: string;
  size: number;
  /** The digest of its one (gzipped) layer. */
  layer: string;
}

export interface OciLayout {
  dir: string;
  /** The tag the index carries in the layout (org.opencontainers.image.ref.name). */
  tag: string;
  index: { digest: string; size: number; bytes: Buffer };
  manifests: LayoutManifest[];
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** A ustar archive of regular files (the two zero blocks at the end included). */
export function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const header = Buffer.alloc(512);
    const field = (value: string, offset: number, length: number) =>
      header.write(value, offset, length, "ascii");
    const octal = (value: number, offset: number, length: number) =>
      field(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
    field(name, 0, 100);
    octal(0o644, 100, 8);
    octal(0, 108, 8);
    octal(0, 116, 8);
    octal(data.byteLength, 124, 12);
    octal(0, 136, 12);
    header.fill(" ", 148, 156); // the checksum is computed with its own field as spaces
    field("0", 156, 1);
    field("ustar\0", 257, 6);
    field("00", 263, 2);
    let checksum = 0;
    for (const byte of header) checksum += byte;
    field(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    blocks.push(header, data, Buffer.alloc((512 - (data.byteLength % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Writes an OCI layout with one image per platform and an index over them, tagged `tag`. */
export function buildMultiPlatformLayout(tag: string, platforms: Platform[]): OciLayout {
  const dir = join(tempDir("oci-layout"), "layout");
  const blobs = join(dir, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const digest = sha256(bytes);
    writeFileSync(join(blobs, digest.slice("sha256:".length)), bytes);
    return { digest, size: bytes.byteLength };
  };
  const manifests = platforms.map((platform): LayoutManifest => {
    const name = [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
    const tar = tarOf({ "etc/platform": `${name}\n`, "app/VERSION": `${tag}\n` });
    const layer = put(gzipSync(tar));
    const config = put(
      Buffer.from(
        JSON.stringify({
          ...platform,
          config: { Entrypoint: ["/app/run"] },
          rootfs: { type: "layers", diff_ids: [sha256(tar)] },
        }),
      ),
    );
    const manifest = put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: CONFIG_TYPE, ...config },
          layers: [{ mediaType: LAYER_TYPE, ...layer }],
        }),
      ),
    );
    return { platform, ...manifest, layer: layer.digest };
  });
  const indexBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: manifests.map(({ platform, digest, size }) => ({
        mediaType: OCI_MANIFEST,
        digest,
        size,
        platform,
      })),
    }),
  );
  const index = put(indexBytes);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_INDEX,
          ...index,
          annotations: { "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  );
  return { dir, tag, index: { ...index, bytes: indexBytes }, manifests };
}

/** skopeo on the machine, or an error that names its Debian package. */
export const skopeoBinary = (): string => requireBinary("skopeo", "skopeo");

/** Runs skopeo against a loopback registry (plain http); fails with its output when it fails. */
export async function skopeo(args: string[]): Promise<string> {
  const result = await execa(skopeoBinary(), ["--insecure-policy", ...args], {
    reject: false,
    timeout: 60_000, // a hang guard only
    // `inspect --raw` prints the manifest's exact bytes: keep them all.
    stripFinalNewline: false,
    // No credentials of the machine's user are read: the test registry is open.
    env: { ...process.env, REGISTRY_AUTH_FILE: join(tempDir("skopeo-auth"), "auth.json") },
  });
  if (result.exitCode !== 0) {
    throw new Error(`skopeo ${args.join(" ")} failed (${result.exitCode}):\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Pushes every image of the layout and the index itself to registryHost/repository:tag: as
 * built, keeping their digests (`copy --all --preserve-digests`), or converted by skopeo to a
 * Docker manifest list over Docker v2 manifests (`--format v2s2`: new digests).
 */
export async function pushLayout(
  layout: OciLayout,
  registryHost: string,
  repository: string,
  tag = layout.tag,
  format: "oci" | "v2s2" = "oci",
): Promise<void> {
  await skopeo([
    "copy",
    "--all",
    ...(format === "oci" ? ["--preserve-digests"] : ["--format", "v2s2"]),
    "--dest-tls-verify=false",
    `oci:${layout.dir}:${layout.tag}`,
    `docker://${registryHost}/${repository}:${tag}`,
  ]);
}
