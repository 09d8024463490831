// Image references as registries and docker read them: [registry/]repository[:tag][@digest].
// The first component is a registry when it has a "." or ":" or is "localhost"; otherwise the
// image lives on Docker Hub (and a one-component name under library/).

export interface ImageReference {
  /** host[:port] as written (docker.io for Docker Hub). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;
const REGISTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/** Parses a reference, or returns why it is not one. */
export function parseReference(text: string): ImageReference | string {
  if (text.startsWith("-")) return 'an image reference must not start with "-"';
  if (/\s/.test(text)) return "an image reference has no spaces";
  if (/^[a-z]+:\/\//i.test(text))
    return "write the image without a scheme (registry.example.com/acme/api:tag)";
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return `"${digest}" is not a digest (sha256: followed by 64 hex characters)`;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return `"${tag}" is not a valid tag`;
  }
  const parts = rest.split("/");
  let registry = "docker.io";
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    parts.shift();
    if (!REGISTRY.test(registry)) return `"${registry}" is not a registry host`;
  }
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  if (parts.length === 0 || parts.some((part) => !COMPONENT.test(part))) {
    return `"${parts.join("/")}" is not a repository name (lowercase letters, digits, and . _ - between them)`;
  }
  return {
    registry,
    repository: parts.join("/"),
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** The image pinned to a digest: registry/repository@sha256:…. */
export function digestReference(reference: ImageReference, digest: string): string {
  return `${reference.registry}/${reference.repository}@${digest}`;
}

/** The host an API request goes to (Docker Hub's API is not on docker.io). */
export function apiHost(registry: string): string {
  return registry === "docker.io" || registry === "index.docker.io" ? "registry-1.docker.io" : registry;
}

export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
