// An authenticating front for the real registry, on loopback: answers 401 with a Bearer (or
// Basic) challenge like Docker Hub, GHCR or Harbor do, issues tokens from its own realm for
// user:password, checks that a token carries the scope the request needs (pull, or push for
// PUT), and forwards authorised requests to the registry behind it.
import { loopbackServer, type LoopbackServer } from "../loopback.js";

export interface AuthProxy extends LoopbackServer {
  tokensIssued: string[];
}

export async function authProxy(
  upstream: string,
  options: { scheme: "bearer" | "basic"; username: string; password: string },
): Promise<AuthProxy> {
  const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
  const tokensIssued: string[] = [];
  let realm = "";
  const server = await loopbackServer(async (request, response, body) => {
    const url = new URL(request.url ?? "/", "http://proxy");
    if (url.pathname === "/token") {
      if (request.headers.authorization !== basic) {
        response.writeHead(401, { "content-type": "application/json" });
        response.end(JSON.stringify({ details: "invalid username or password" }));
        return;
      }
      const scopes = url.searchParams.getAll("scope").join(" ");
      const token = `token-for:${url.searchParams.get("service")}:${scopes}`;
      tokensIssued.push(token);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const repository = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(url.pathname)?.[1] ?? "";
    const needs = request.method === "PUT" || request.method === "POST" ? "pull,push" : "pull";
    const scope = `repository:${repository}:${needs}`;
    const authorized =
      options.scheme === "basic"
        ? request.headers.authorization === basic
        : (request.headers.authorization ?? "").startsWith("Bearer token-for:relctl-registry:") &&
          (request.headers.authorization ?? "").includes(
            `repository:${repository}:${needs.includes("push") ? "pull,push" : "pull"}`,
          );
    if (!authorized) {
      response.writeHead(401, {
        "content-type": "application/json",
        "www-authenticate":
          options.scheme === "basic"
            ? 'Basic realm="relctl test registry"'
            : `Bearer realm="${realm}",service="relctl-registry",scope="${scope}"`,
      });
      response.end(
        JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }),
      );
      return;
    }
    const answer = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: request.method ?? "GET",
      headers: {
        ...(request.headers.accept ? { accept: request.headers.accept } : {}),
        ...(request.headers["content-type"] ? { "content-type": request.headers["content-type"] } : {}),
      },
      ...(request.method === "PUT" || request.method === "POST" ? { body } : {}),
    });
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "docker-content-digest", "content-length", "location"]) {
      const value = answer.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    response.writeHead(answer.status, headers);
    response.end(request.method === "HEAD" ? undefined : Buffer.from(await answer.arrayBuffer()));
  });
  realm = `${server.url}/token`;
  return Object.assign(server, { tokensIssued });
}
