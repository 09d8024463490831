// The platforms of a multi-platform image: the entries of an OCI image index or a Docker
// manifest list, named the way docker and buildx write them (os/architecture[/variant]).
// buildx adds attestation manifests (SBOM, provenance) to an index as platform unknown/unknown:
// they are not images anyone runs, so they are not platforms.

export const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

export interface PlatformManifest {
  /** os/architecture[/variant], e.g. linux/arm64/v8. */
  platform: string;
  digest: string;
}

interface IndexEntry {
  digest?: unknown;
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
}

/** The platform images an index lists, in its order; [] for bytes that are not an index. */
export function platformManifests(bytes: Uint8Array): PlatformManifest[] {
  let index: { manifests?: unknown };
  try {
    index = JSON.parse(Buffer.from(bytes).toString("utf8")) as { manifests?: unknown };
  } catch {
    return [];
  }
  if (!Array.isArray(index.manifests)) return [];
  const found: PlatformManifest[] = [];
  for (const entry of index.manifests as IndexEntry[]) {
    const { os, architecture, variant } = entry.platform ?? {};
    if (typeof os !== "string" || typeof architecture !== "string" || typeof entry.digest !== "string")
      continue;
    if (os === "unknown" && architecture === "unknown") continue;
    const name = [os, architecture, typeof variant === "string" && variant !== "" ? variant : undefined]
      .filter((part) => part !== undefined)
      .join("/");
    found.push({ platform: name, digest: entry.digest });
  }
  return found;
}

/**
 * Whether an index has a platform: an exact name, or a name without a variant for any variant
 * of it ("linux/arm64" is met by linux/arm64/v8).
 */
export function hasPlatform(manifests: PlatformManifest[], wanted: string): boolean {
  return manifests.some(
    (manifest) => manifest.platform === wanted || manifest.platform.startsWith(`${wanted}/`),
  );
}
