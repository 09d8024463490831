// SHA-256 as releases write it: bare hex in checksum files, sha256:<hex> in OCI digests and on
// release assets. One place, so every digest relctl prints is computed and spelled the same way.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

export function sha256Hex(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** `sha256:<hex>`, the form registries, cosign and GitHub assets use. */
export function sha256Digest(content: string | Uint8Array): string {
  return `sha256:${sha256Hex(content)}`;
}

export async function sha256OfFile(path: string): Promise<string> {
  return sha256Hex(await readFile(path));
}
