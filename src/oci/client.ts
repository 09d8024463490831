// A small Distribution API v2 client over fetch: resolve a tag to its digest, read a manifest's
// exact bytes, put them under another tag. https by default; plain http only when asked (for
// loopback and lab registries). Bearer-token and basic authentication on 401.
import { basicHeader, parseChallenge, tokenUrl, type Credentials } from "./auth.js";
import { apiHost } from "./reference.js";
import { sha256Digest } from "../util/hash.js";

export const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
] as const;
const ACCEPT = MANIFEST_TYPES.join(", ");

/** A registry answered with an error, or could not be reached (status 0). */
export class RegistryError extends Error {
  readonly status: number;
  /** The first error code of the registry's body (MANIFEST_UNKNOWN, UNAUTHORIZED, …). */
  readonly code: string | undefined;
  readonly method: string;
  readonly url: string;
  /** A 401 to a request that carried the user's credentials (refused), not an anonymous one. */
  readonly credentialsSent: boolean;

  constructor(
    message: string,
    details: {
      status: number;
      code?: string;
      method: string;
      url: string;
      cause?: unknown;
      credentialsSent?: boolean;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "RegistryError";
    this.status = details.status;
    this.code = details.code;
    this.method = details.method;
    this.url = details.url;
    this.credentialsSent = details.credentialsSent ?? false;
  }
}

export interface RegistryClientOptions {
  fetch: typeof globalThis.fetch;
  /** Talk http instead of https. */
  plainHttp?: boolean;
  credentials?: Credentials;
  signal?: AbortSignal;
  /** Per-request timeout. */
  timeoutMs?: number;
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestInfo {
  bytes: Uint8Array;
}

export function manifestUrl(
  registry: string,
  repository: string,
  reference: string,
  plainHttp = false,
): string {
  return `${plainHttp ? "http" : "https"}://${apiHost(registry)}/v2/${repository}/manifests/${reference}`;
}

export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private basic: string | undefined;

  constructor(
    readonly registry: string,
    private readonly options: RegistryClientOptions,
  ) {}

  manifestUrl(repository: string, reference: string): string {
    return manifestUrl(this.registry, repository, reference, this.options.plainHttp);
  }

  /** HEAD the manifest; undefined when it does not exist. Falls back to GET for the digest. */
  async head(repository: string, reference: string): Promise<ManifestInfo | undefined> {
    const url = this.manifestUrl(repository, reference);
    const response = await this.request("HEAD", url, repository, { accept: ACCEPT });
    if (response.status === 404) return undefined;
    if (!response.ok) throw await this.failure(response, "HEAD", url);
    const digest = response.headers.get("docker-content-digest");
    const mediaType = contentType(response);
    if (digest && mediaType) {
      return { digest, mediaType, size: Number(response.headers.get("content-length") ?? 0) };
    }
    // Some registries omit the digest on HEAD: read the bytes and hash them.
    const manifest = await this.get(repository, reference);
    return manifest && { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
  }

  /** GET the manifest's exact bytes; undefined when it does not exist. */
  async get(repository: string, reference: string): Promise<Manifest | undefined> {
    const url = this.manifestUrl(repository, reference);
    const response = await this.request("GET", url, repository, { accept: ACCEPT });
    if (response.status === 404) return undefined;
    if (!response.ok) throw await this.failure(response, "GET", url);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith("sha256:") && reference !== digest) {
      throw new RegistryError(`the registry answered ${reference} with content whose digest is ${digest}`, {
        status: response.status,
        method: "GET",
        url,
      });
    }
    const mediaType = contentType(response) ?? mediaTypeOf(bytes);
    if (!mediaType) {
      throw new RegistryError(`the manifest at ${url} has no media type`, {
        status: response.status,
        method: "GET",
        url,
      });
    }
    return { bytes, mediaType, size: bytes.byteLength, digest };
  }

  /** PUT bytes as a manifest under a tag (or digest); resolves the digest the registry stored. */
  async put(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const url = this.manifestUrl(repository, reference);
    const response = await this.request("PUT", url, repository, { "content-type": mediaType }, bytes);
    if (!response.ok) throw await this.failure(response, "PUT", url);
    await response.arrayBuffer();
    return response.headers.get("docker-content-digest") ?? sha256Digest(bytes);
  }

  private async request(
    method: string,
    url: string,
    repository: string,
    headers: Record<string, string>,
    body?: Uint8Array,
  ): Promise<Response> {
    const scope = `repository:${repository}:${method === "PUT" ? "pull,push" : "pull"}`;
    // Whether the last attempt carried the user's credentials (an anonymous token is not theirs):
    // a 401 then means "refused", not "missing".
    let credentialsSent = false;
    const send = (authorization: string | undefined, fromCredentials: boolean) => {
      credentialsSent = authorization !== undefined && fromCredentials;
      return this.send(method, url, { ...headers, ...(authorization ? { authorization } : {}) }, body);
    };
    let response = await send(this.authorization(scope), this.hasCredentials());
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get("www-authenticate") ?? "");
    await response.arrayBuffer().catch(() => undefined);
    if (challenge?.scheme === "bearer") {
      const token = await this.fetchToken(challenge, scope);
      this.tokens.set(scope, token);
      response = await send(`Bearer ${token}`, this.hasCredentials());
    } else if (challenge?.scheme === "basic") {
      this.basic = basicHeader(this.options.credentials ?? {});
      if (this.basic !== undefined) response = await send(this.basic, true);
    }
    if (response.status === 401) throw await this.failure(response, method, url, credentialsSent);
    return response;
  }

  private hasCredentials(): boolean {
    const credentials = this.options.credentials ?? {};
    return Boolean(credentials.token) || basicHeader(credentials) !== undefined;
  }

  private authorization(scope: string): string | undefined {
    if (this.options.credentials?.token) return `Bearer ${this.options.credentials.token}`;
    const token = this.tokens.get(scope);
    return token ? `Bearer ${token}` : this.basic;
  }

  private async fetchToken(
    challenge: NonNullable<ReturnType<typeof parseChallenge>>,
    scope: string,
  ): Promise<string> {
    if (this.options.credentials?.token) return this.options.credentials.token;
    let url: string;
    try {
      url = tokenUrl(challenge, scope);
    } catch (error) {
      throw new RegistryError(String((error as Error).message), {
        status: 401,
        method: "GET",
        url: this.registry,
      });
    }
    const basic = basicHeader(this.options.credentials ?? {});
    const response = await this.send("GET", url, basic ? { authorization: basic } : {});
    if (!response.ok) {
      throw new RegistryError(
        `the token endpoint ${withoutQuery(url)} refused${basic ? " the credentials" : " an anonymous token"} (HTTP ${response.status})`,
        {
          status: response.status === 401 || response.status === 403 ? 401 : response.status,
          code: "UNAUTHORIZED",
          method: "GET",
          url,
          credentialsSent: basic !== undefined,
        },
      );
    }
    const answer = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof answer.token === "string" ? answer.token : answer.access_token;
    if (typeof token !== "string" || token === "") {
      throw new RegistryError(`the token endpoint ${withoutQuery(url)} answered without a token`, {
        status: response.status,
        method: "GET",
        url,
      });
    }
    return token;
  }

  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: Uint8Array,
  ): Promise<Response> {
    const signals = [
      this.options.signal,
      this.options.timeoutMs ? AbortSignal.timeout(this.options.timeoutMs) : undefined,
    ];
    const active = signals.filter((signal): signal is AbortSignal => signal !== undefined);
    try {
      return await this.options.fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: "follow",
        ...(active.length > 0 ? { signal: AbortSignal.any(active) } : {}),
      });
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason =
        (error as Error).name === "TimeoutError"
          ? "timed out"
          : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new RegistryError(`could not reach ${withoutQuery(url)}: ${reason}`, {
        status: 0,
        method,
        url,
        cause: error,
      });
    }
  }

  private async failure(
    response: Response,
    method: string,
    url: string,
    credentialsSent = false,
  ): Promise<RegistryError> {
    const text = method === "HEAD" ? "" : await response.text().catch(() => "");
    let code: string | undefined;
    let detail = "";
    try {
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      code = body.errors?.[0]?.code;
      detail = body.errors?.[0]?.message ?? "";
    } catch {
      detail = text.trim().slice(0, 200);
    }
    const what = detail || code || response.statusText || "error";
    return new RegistryError(`${method} ${url} answered ${response.status}: ${what}`, {
      status: response.status,
      ...(code === undefined ? {} : { code }),
      method,
      url,
      credentialsSent,
    });
  }
}

function contentType(response: Response): string | undefined {
  const value = response.headers.get("content-type")?.split(";")[0]?.trim();
  return value && value !== "application/octet-stream" ? value : undefined;
}

/** The mediaType a manifest declares in its own JSON. */
function mediaTypeOf(bytes: Uint8Array): string | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString("utf8")) as { mediaType?: unknown };
    return typeof value.mediaType === "string" ? value.mediaType : undefined;
  } catch {
    return undefined;
  }
}

const withoutQuery = (url: string): string => url.split("?")[0]!;
