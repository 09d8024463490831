// The signing key's password and the registry's credentials are different secrets: resolving a
// tag must authenticate with the registry's, and never send the key's password anywhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loopbackServer, tagRegistry, type LoopbackServer } from "../loopback.js";
import { cosignProject, DIGEST, PASSWORD } from "./setup.js";

const REGISTRY_PASSWORD = "registry-pass-5f1e";

let registry: LoopbackServer;
beforeAll(async () => {
  const tags = tagRegistry({ "acme/api:rc-1": DIGEST });
  registry = await loopbackServer((request, response, body) => {
    // Basic auth only: a request without credentials gets the challenge.
    if (!request.headers.authorization) {
      response.writeHead(401, { "www-authenticate": 'Basic realm="registry"' });
      response.end();
      return;
    }
    return tags(request, response, body);
  });
});
afterAll(() => registry.close());

describe("cosign credentials", () => {
  it("resolves a tag with the registry's credentials and keeps the key's password to cosign", async () => {
    const project = await cosignProject();
    const ctx = await project.withSecrets({
      cosign_password: PASSWORD,
      registry_password: REGISTRY_PASSWORD,
    });
    const outputs = await project.run(
      "sign",
      {
        image: `${registry.host}/acme/api:rc-1`,
        key: "cosign.key",
        password_secret: "cosign_password",
        registry_username: "ci",
        registry_password_secret: "registry_password",
        plain_http: true,
      },
      ctx,
    );
    expect(outputs).toMatchObject({ digest: DIGEST });
    const sent = registry.requests.map((request) => request.headers.authorization ?? "");
    expect(sent).toContain(`Basic ${Buffer.from(`ci:${REGISTRY_PASSWORD}`).toString("base64")}`);
    for (const header of sent) {
      expect(Buffer.from(header.replace(/^Basic /, ""), "base64").toString()).not.toContain(PASSWORD);
      expect(header).not.toContain(PASSWORD);
    }
  });
});
