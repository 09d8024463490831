// Registry authentication (Distribution token spec): a 401 carries
// `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`; the client asks the realm for a
// token (with basic credentials when it has them) and retries. A `Basic realm=…` challenge is
// answered with the credentials directly.

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses one WWW-Authenticate header value (the first challenge in it). */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  for (const [, key, quoted, bare] of match[2]!.matchAll(pattern)) {
    params[key!.toLowerCase()] = quoted === undefined ? (bare ?? "") : quoted.replace(/\\(.)/g, "$1");
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

export interface Credentials {
  username?: string | undefined;
  password?: string | undefined;
  /** A bearer token used as is (a registry token issued elsewhere). */
  token?: string | undefined;
}

export function basicHeader(credentials: Credentials): string | undefined {
  if (credentials.username === undefined || credentials.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/** The URL a token is requested from: realm?service=…&scope=…. */
export function tokenUrl(challenge: Challenge, scope: string): string {
  const realm = challenge.params.realm;
  if (!realm) throw new Error("the registry's Bearer challenge has no realm");
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  for (const item of (challenge.params.scope ?? scope).split(" ").filter(Boolean)) {
    url.searchParams.append("scope", item);
  }
  return url.toString();
}
