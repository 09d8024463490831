// oci.resolve, oci.exists and oci.retag over the Distribution API v2.
import { z } from "zod";
import { hasPlatform, INDEX_TYPES, platformManifests, type PlatformManifest } from "../../oci/platforms.js";
import { digestReference } from "../../oci/reference.js";
import type { RegistryClient } from "../../oci/client.js";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import {
  digestField,
  imageField,
  imageManifestUrl,
  referenceOf,
  registryCall,
  registryClient,
  registryFields,
  resolveImage,
} from "./common.js";

const platformField = z
  .string()
  .regex(
    /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/,
    "a platform is os/architecture[/variant], like linux/amd64 or linux/arm64/v8",
  );

/** The platform images of a multi-platform image (an index); [] for a single-platform one. */
async function platformsOf(
  ctx: ActionContext,
  client: RegistryClient,
  image: { repository: string },
  found: { digest: string; mediaType: string },
): Promise<PlatformManifest[]> {
  if (!INDEX_TYPES.has(found.mediaType)) return [];
  const index = await registryCall(ctx, () => client.get(image.repository, found.digest));
  return index ? platformManifests(index.bytes) : [];
}

const readInput = z.object({
  image: imageField.describe("registry/repository:tag or registry/repository@sha256:…"),
  ...registryFields,
});

export const resolve = defineAction({
  description: "Resolve an image tag to its digest (HEAD manifest, Docker-Content-Digest)",
  input: readInput,
  outputs: {
    digest: "sha256:… of the manifest the tag names",
    image: "the image pinned by digest: registry/repository@sha256:…",
    media_type: "the manifest's media type (OCI index or manifest, Docker manifest or list)",
    size: "the manifest's size in bytes",
    platforms: "for a multi-platform image (an index): its platforms, os/architecture[/variant]; else []",
    platform_digests: "for a multi-platform image: platform → digest of that platform's image; else {}",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `resolve ${input.image.text} to its digest`,
    request: { method: "HEAD", url: imageManifestUrl(input.image, referenceOf(input.image), input) },
  }),
  run: async (ctx, input) => {
    const client = registryClient(ctx, input.image.registry, input);
    const found = await resolveImage(ctx, client, input.image);
    ctx.log.info(`${input.image.text} is ${found.digest}`);
    const platforms = await platformsOf(ctx, client, input.image, found);
    return {
      digest: found.digest,
      image: digestReference(input.image, found.digest),
      media_type: found.mediaType,
      size: found.size,
      platforms: platforms.map((manifest) => manifest.platform),
      platform_digests: Object.fromEntries(platforms.map((manifest) => [manifest.platform, manifest.digest])),
    };
  },
});

export const exists = defineAction({
  description: "Whether an image tag or digest is in the registry (never fails for a missing one)",
  input: readInput,
  outputs: {
    exists: "true when the registry has it",
    digest: "its digest (empty when missing)",
    media_type: "its media type (empty when missing)",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `check that ${input.image.text} is in the registry`,
    request: { method: "HEAD", url: imageManifestUrl(input.image, referenceOf(input.image), input) },
  }),
  run: async (ctx, input) => {
    const client = registryClient(ctx, input.image.registry, input);
    const found = await registryCall(ctx, () =>
      client.head(input.image.repository, referenceOf(input.image)),
    );
    return { exists: found !== undefined, digest: found?.digest ?? "", media_type: found?.mediaType ?? "" };
  },
});

const tagField = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    "a tag is letters, digits, _ . - (at most 128, not starting with . or -)",
  );

const retagInput = z.object({
  image: imageField.describe(
    "the source: registry/repository@sha256:… (a tag is resolved to its digest first)",
  ),
  tag: tagField.describe("the new tag in the same repository (v1.2.3)"),
  expected_digest: digestField
    .optional()
    .describe("refuse unless the source is exactly this digest (the digest that was validated)"),
  overwrite: z
    .boolean()
    .default(false)
    .describe("allow moving a tag that already names another digest (tags are treated as immutable)"),
  platforms: z
    .array(platformField)
    .min(1)
    .optional()
    .describe("refuse unless the source is a multi-platform index with each of these (linux/amd64, …)"),
  ...registryFields,
});

export const retag = defineAction({
  description:
    "Tag an image by digest (promote RC to GA): GET the manifest's exact bytes by digest, PUT them under the new tag",
  input: retagInput,
  outputs: {
    image: "registry/repository:tag",
    digest: "the digest the tag now names",
    source: "the source pinned by digest",
    changed: "false when the tag already named this digest",
    previous_digest: "what the tag named before (empty when it did not exist)",
  },
  mutates: true,
  plan: (input) => {
    const source = input.image.digest ?? input.expected_digest ?? `<digest of ${input.image.text}>`;
    return {
      summary: `tag ${digestReference(input.image, source)} as ${input.tag}`,
      request: { method: "PUT", url: imageManifestUrl(input.image, input.tag, input) },
      details: {
        reads: `GET ${imageManifestUrl(input.image, source, input)}`,
        ...(input.platforms ? { platforms: input.platforms } : {}),
      },
    };
  },
  run: async (ctx, input) => {
    const { image } = input;
    const client = registryClient(ctx, image.registry, input);
    const digest = image.digest ?? (await resolveImage(ctx, client, image)).digest;
    if (input.expected_digest && digest !== input.expected_digest) {
      throw new StepFailure(
        `${image.text} is ${digest}, not the expected ${input.expected_digest}; refusing to tag it`,
        {
          hint: "promote the digest that was validated",
        },
      );
    }
    const target = `${image.registry}/${image.repository}:${input.tag}`;
    const manifest = await registryCall(ctx, () => client.get(image.repository, digest));
    if (!manifest) {
      throw new StepFailure(`${digestReference(image, digest)} is not in the registry`, {
        hint: "check the digest; was the image pushed to this repository?",
      });
    }
    if (input.platforms) requirePlatforms(digestReference(image, digest), manifest, input.platforms);
    const existing = await registryCall(ctx, () => client.head(image.repository, input.tag));
    const outputs = {
      image: target,
      digest,
      source: digestReference(image, digest),
      previous_digest: existing?.digest ?? "",
    };
    if (existing?.digest === digest) {
      ctx.log.info(`${target} already names ${digest}`);
      return { ...outputs, changed: false };
    }
    if (existing && !input.overwrite) {
      throw new StepFailure(`${target} already names ${existing.digest}; relctl does not move tags`, {
        hint: "check which image should carry the tag; set overwrite: true only if moving it is intended",
      });
    }
    const stored = await registryCall(ctx, () =>
      client.put(image.repository, input.tag, manifest.bytes, manifest.mediaType),
    );
    const check = await registryCall(ctx, () => client.head(image.repository, input.tag));
    if (stored !== digest || check?.digest !== digest) {
      throw new StepFailure(`the registry stored ${target} as ${check?.digest ?? stored}, not ${digest}`, {
        hint: "the registry rewrote the manifest (schema conversion?); do not use the tag",
      });
    }
    ctx.record("oci.tag", { image: target, digest, previous_digest: outputs.previous_digest });
    ctx.log.info(`${target} → ${digest}`);
    return { ...outputs, changed: true };
  },
});

/** Refuses to promote an image that lacks a platform the release must ship for. */
function requirePlatforms(
  source: string,
  manifest: { bytes: Uint8Array; mediaType: string },
  wanted: string[],
): void {
  if (!INDEX_TYPES.has(manifest.mediaType)) {
    throw new StepFailure(
      `${source} is a single-platform image (${manifest.mediaType}), not an index with ${wanted.join(", ")}; refusing to tag it`,
      {
        hint: "push the multi-platform build (docker buildx --platform …, skopeo copy --all) and promote its index",
      },
    );
  }
  const listed = platformManifests(manifest.bytes);
  const missing = wanted.filter((platform) => !hasPlatform(listed, platform));
  if (missing.length > 0) {
    throw new StepFailure(
      `${source} has no image for ${missing.join(", ")} (it lists ${listed.map((item) => item.platform).join(", ") || "no platforms"}); refusing to tag it`,
      { hint: "check the build's platforms; promote an index built for every platform the release ships" },
    );
  }
}
