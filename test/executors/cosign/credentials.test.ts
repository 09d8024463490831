// The signing key's password and the registry's credentials are different secrets: resolving a
// tag must authenticate with the registry's, and never send the key's password anywhere. The
// registry is the real one with basic auth (htpasswd): it answers only user ci with the
// registry's password, and logs every request that carried other credentials.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, type PushedImage } from "../oci/registry.js";
import {
  HTPASSWD,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startCosignRegistry,
  type CosignRegistry,
} from "./registry.js";
import { cosignProject, PASSWORD } from "./setup.js";

let registry: CosignRegistry;
let rc: PushedImage;
beforeAll(async () => {
  // Pushed while the registry is open, then served with auth on from the same storage.
  const open = await startCosignRegistry();
  rc = await pushImage(open.url, "acme/api", "rc-1");
  await open.stop();
  registry = await startCosignRegistry({ storage: open.storage, htpasswd: HTPASSWD });
});
afterAll(() => registry.stop());

const manifestRequest = (request: { method: string; path: string }) =>
  request.method === "HEAD" && request.path === "/v2/acme/api/manifests/rc-1";

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
        registry_username: REGISTRY_USER,
        registry_password_secret: "registry_password",
        plain_http: true,
      },
      ctx,
    );
    expect(outputs).toEqual({ image: `${registry.host}/acme/api@${rc.digest}`, digest: rc.digest });
    // The registry let the resolve through: it carried the registry's credentials.
    await registry.answered((request) => manifestRequest(request) && request.status === 200);
    // No request carried credentials the registry refused (the key's password, say).
    expect(registry.output()).not.toMatch(/error authenticating user/);
    expect(JSON.stringify(project.calls())).not.toContain(REGISTRY_PASSWORD);
    expect(JSON.stringify(project.calls())).not.toContain(PASSWORD);
  });

  it("does not resolve the tag with the key's password when no registry password is given", async () => {
    const project = await cosignProject();
    const ctx = await project.withSecrets({ cosign_password: PASSWORD });
    const failure = await project.fail(
      "sign",
      {
        image: `${registry.host}/acme/api:rc-1`,
        key: "cosign.key",
        password_secret: "cosign_password",
        registry_username: REGISTRY_USER,
        plain_http: true,
      },
      ctx,
    );
    expect(failure.message).toBe(
      `HEAD http://${registry.host}/v2/acme/api/manifests/rc-1 answered 401: Unauthorized`,
    );
    expect(failure.hint).toBe(
      "no credentials were given and the registry wants them: set registry_username and registry_password_secret",
    );
    // Had the key's password gone to the registry, it would have refused it and logged so.
    expect(registry.output()).not.toMatch(/error authenticating user/);
    expect(project.calls().filter((argv) => argv[0] === "sign")).toEqual([]);
  });
});
