// Stand-in for `docker` in the train's end-to-end tests (no Docker daemon here). It records
// every call, answers `docker version`, and for `docker buildx build --tag REF --push
// --metadata-file FILE .` does what buildx does from the registry's point of view: pushes a
// one-layer image to REF's registry (plain HTTP, loopback only) and writes buildx's metadata
// file with the digest the registry answered.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";

const args = process.argv.slice(2);
if (process.env.RELCTL_STAND_IN_LOG) {
  appendFileSync(
    process.env.RELCTL_STAND_IN_LOG,
    `${JSON.stringify({ program: "docker", argv: args, cwd: process.cwd() })}\n`,
  );
}

const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const fail = (message) => {
  process.stderr.write(`ERROR: ${message}\n`);
  process.exitCode = 1;
};

function flag(name) {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function pushBlob(base, repository, bytes) {
  const digest = sha256(bytes);
  const started = await globalThis.fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  if (started.status !== 202) throw new Error(`upload of ${repository} refused: ${started.status}`);
  const location = new URL(started.headers.get("location"), base);
  location.searchParams.set("digest", digest);
  const done = await globalThis.fetch(location, {
    method: "PUT",
    body: bytes,
    headers: { "content-type": "application/octet-stream" },
  });
  if (done.status !== 201) throw new Error(`blob ${digest} refused: ${done.status}`);
  return { digest, size: bytes.byteLength };
}

async function build() {
  const ref = flag("--tag");
  const metadataFile = flag("--metadata-file");
  if (!ref || !args.includes("--push")) return fail("this stand-in only builds with --tag and --push");
  const match = /^((?:127\.\d+\.\d+\.\d+|localhost):\d+)\/([^:@]+):([\w.-]+)$/.exec(ref);
  if (!match) return fail(`${ref}: the stand-in pushes only to a loopback registry (host:port/repo:tag)`);
  const [, host, repository, tag] = match;
  const base = `http://${host}`;
  const config = await pushBlob(
    base,
    repository,
    Buffer.from(
      JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
    ),
  );
  const layer = await pushBlob(base, repository, Buffer.from(`layer of ${ref} built at ${Date.now()}\n`));
  const mediaType = "application/vnd.oci.image.manifest.v1+json";
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
  });
  const put = await globalThis.fetch(`${base}/v2/${repository}/manifests/${tag}`, {
    method: "PUT",
    body: manifest,
    headers: { "content-type": mediaType },
  });
  if (put.status !== 201) return fail(`pushing ${ref}: ${put.status} ${await put.text()}`);
  const digest = put.headers.get("docker-content-digest");
  process.stdout.write(`pushed ${ref}@${digest}\n`);
  if (metadataFile) {
    writeFileSync(
      resolve(metadataFile),
      JSON.stringify(
        {
          "buildx.build.ref": "default/default/stand-in",
          "containerimage.config.digest": config.digest,
          "containerimage.descriptor": { mediaType, digest, size: Buffer.byteLength(manifest) },
          "containerimage.digest": digest,
          "image.name": ref,
        },
        null,
        2,
      ),
    );
  }
}

if (args[0] === "version") {
  process.stdout.write("27.3.1\n");
} else if (args[0] === "buildx" && args[1] === "build") {
  await build().catch((error) => fail(error.message));
} else {
  fail(`the docker stand-in does not know: docker ${args.join(" ")}`);
}
