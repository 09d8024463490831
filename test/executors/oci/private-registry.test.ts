// A private registry: the real docker-registry with basic auth (htpasswd, user ci). A 401 to a
// request with credentials means they were refused; a 401 without any means none were given.
// The two need different fixes, so the hints tell them apart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import oci from "../../../src/executors/oci.js";
import { StepFailure, type Outputs } from "../../../src/executors/contract.js";
import { testContext } from "../../helpers/action-context.js";
import { HTPASSWD, REGISTRY_PASSWORD, REGISTRY_USER, startCosignRegistry } from "../cosign/registry.js";
import type { CosignRegistry } from "../cosign/registry.js";
import { pushImage, type PushedImage } from "./registry.js";

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

async function resolve(
  input: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<Outputs | StepFailure> {
  const action = oci.actions.resolve!;
  const ctx = await testContext({ secrets: { get: (key) => secrets[key] } });
  return action
    .run(ctx, action.input.parse({ image: `${registry.host}/acme/api:rc-1`, plain_http: true, ...input }))
    .catch((error: unknown) => {
      if (error instanceof StepFailure) return error;
      throw error;
    });
}

describe("a private registry (htpasswd)", () => {
  it("resolves with the right user and password", async () => {
    expect(
      await resolve(
        { username: REGISTRY_USER, password_secret: "registry_password" },
        { registry_password: REGISTRY_PASSWORD },
      ),
    ).toMatchObject({ digest: rc.digest });
  });

  it("says the credentials were refused when the password is wrong, without showing it", async () => {
    const failure = (await resolve(
      { username: REGISTRY_USER, password_secret: "registry_password" },
      { registry_password: "an-old-password" },
    )) as StepFailure;
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.message).toBe(
      `HEAD http://${registry.host}/v2/acme/api/manifests/rc-1 answered 401: Unauthorized`,
    );
    expect(failure.hint).toBe(
      "the registry refused these credentials: check username and password_secret (or token_secret): the user name, and that the secret holds the current password or token",
    );
    // The registry saw the credentials and refused them (its first such line in this log).
    await registry.logged(/error authenticating user/);
    expect(JSON.stringify({ message: failure.message, hint: failure.hint })).not.toContain("an-old-password");
  });

  it("says the credentials were refused for an unknown user", async () => {
    const failure = (await resolve(
      { username: "someone-else", password_secret: "registry_password" },
      { registry_password: REGISTRY_PASSWORD },
    )) as StepFailure;
    expect(failure.hint).toMatch(
      /^the registry refused these credentials: check username and password_secret/,
    );
  });

  it("says no credentials were given when there are none", async () => {
    const failure = (await resolve({}, {})) as StepFailure;
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.hint).toBe(
      "no credentials were given and the registry wants them: set username and password_secret (or token_secret)",
    );
  });

  it("counts a user without a password as no credentials", async () => {
    const failure = (await resolve({ username: REGISTRY_USER }, {})) as StepFailure;
    expect(failure.hint).toMatch(/^no credentials were given and the registry wants them/);
  });
});
