// What the oci and cosign executors share: the image field, how to reach a registry (scheme,
// credentials from secrets, timeout), resolving a tag to its digest, and turning registry
// errors into StepFailures with a hint.
import { z } from "zod";
import { RegistryClient, RegistryError, manifestUrl } from "../../oci/client.js";
import { DIGEST, isLoopback, parseReference, type ImageReference } from "../../oci/reference.js";
import { StepFailure, type ActionContext } from "../contract.js";
import { cancelledFailure } from "../shared/command.js";
import { durationMs, optionValue, secretName } from "../shared/fields.js";

export interface ParsedImage extends ImageReference {
  /** The reference as written. */
  text: string;
}

export const imageField = z
  .string()
  .min(1, "image must not be empty")
  .transform((text, ctx): ParsedImage => {
    const parsed = parseReference(text);
    if (typeof parsed === "string") {
      ctx.addIssue({ code: "custom", message: parsed });
      return z.NEVER;
    }
    return { ...parsed, text };
  });

/** A manifest digest (expected_digest: the digest that was built and validated). */
export const digestField = z.string().regex(DIGEST, "a digest is sha256: followed by 64 hex characters");

export const registryFields = {
  plain_http: z
    .boolean()
    .default(false)
    .describe("talk http instead of https (loopback and lab registries only; https is the default)"),
  username: optionValue("username").optional().describe("registry user name for basic or token auth"),
  password_secret: secretName("the registry password or access token").optional(),
  token_secret: secretName("a ready-made bearer token for the registry").optional(),
  request_timeout: durationMs("request_timeout").default(30_000).describe("timeout of each HTTP request"),
};

export interface RegistryAccess {
  plain_http: boolean;
  username?: string | undefined;
  password_secret?: string | undefined;
  token_secret?: string | undefined;
  request_timeout: number;
}

export function registryClient(ctx: ActionContext, registry: string, access: RegistryAccess): RegistryClient {
  if (access.plain_http && !isLoopback(registry)) {
    ctx.log.warn(`talking plain http to ${registry}: manifests and credentials travel unencrypted`);
  }
  const credentials = {
    username: access.username,
    password: optionalSecret(ctx, access.password_secret, "registry password"),
    token: optionalSecret(ctx, access.token_secret, "registry token"),
  };
  return new RegistryClient(registry, {
    fetch: ctx.fetch,
    plainHttp: access.plain_http,
    credentials,
    signal: ctx.signal,
    timeoutMs: access.request_timeout,
  });
}

/**
 * A credential from a secret. An empty one (an optional secret that is not set, as in a dry-run)
 * means "anonymous": public registries still answer, private ones answer 401 and the failure
 * says to set the credentials.
 */
function optionalSecret(ctx: ActionContext, name: string | undefined, usedFor: string): string | undefined {
  if (name === undefined) return undefined;
  const value = ctx.secrets.get(name);
  if (value === undefined || value === "") {
    ctx.log.warn(`secret "${name}" (${usedFor}) has no value; trying the registry without it`);
    return undefined;
  }
  return value;
}

export function imageManifestUrl(image: ImageReference, reference: string, access: RegistryAccess): string {
  return manifestUrl(image.registry, image.repository, reference, access.plain_http);
}

/** The reference an image names: its digest when pinned, else its tag (latest when neither). */
export const referenceOf = (image: ImageReference): string => image.digest ?? image.tag ?? "latest";

export interface Resolved {
  digest: string;
  mediaType: string;
  size: number;
}

/** The digest an image reference names now; a missing tag or digest is a failure. */
export async function resolveImage(
  ctx: ActionContext,
  client: RegistryClient,
  image: ParsedImage,
  credentialFields = OCI_CREDENTIAL_FIELDS,
): Promise<Resolved> {
  const reference = referenceOf(image);
  const found = await registryCall(ctx, () => client.head(image.repository, reference), credentialFields);
  if (!found) {
    throw new StepFailure(
      `${image.text} is not in the registry (${image.digest ? "no such digest" : `no tag ${reference}`})`,
      {
        hint: "check the registry, repository and tag; was the image pushed?",
      },
    );
  }
  if (image.digest && found.digest !== image.digest) {
    throw new StepFailure(`the registry answered ${image.digest} with ${found.digest}`, {
      hint: "the registry (or a proxy in front of it) is not serving content by digest; do not trust it",
    });
  }
  return found;
}

/** How the oci actions name their credentials; another executor's hint names its own fields. */
const OCI_CREDENTIAL_FIELDS = "username and password_secret (or token_secret)";

/** Runs a registry call and turns its errors into StepFailures with a hint. */
export async function registryCall<T>(
  ctx: ActionContext,
  body: () => Promise<T>,
  credentialFields = OCI_CREDENTIAL_FIELDS,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (ctx.signal.aborted) throw cancelledFailure(ctx, error);
    if (error instanceof RegistryError) throw registryFailure(error, credentialFields);
    throw error;
  }
}

function registryFailure(error: RegistryError, credentialFields: string): StepFailure {
  const hint =
    error.status === 0
      ? "check the registry host and port, the network, and plain_http for a registry that only speaks http"
      : error.status === 401
        ? error.credentialsSent
          ? `the registry refused these credentials: check ${credentialFields}: the user name, and that the secret holds the current password or token`
          : `no credentials were given and the registry wants them: set ${credentialFields}`
        : error.status === 403
          ? "the credentials are not allowed this (pull, or push for retag) on the repository"
          : error.status >= 500
            ? "the registry failed; retry the step later"
            : undefined;
  return new StepFailure(error.message, { hint, cause: error });
}
