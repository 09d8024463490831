import { afterAll, beforeAll, describe, expect, it } from "vitest";
import oci from "../../../src/executors/oci.js";
import { StepFailure, type Outputs } from "../../../src/executors/contract.js";
import type { RunningServer } from "../../helpers/servers.js";
import { testContext } from "../../helpers/action-context.js";
import { authProxy, type AuthProxy } from "./auth-proxy.js";
import { OCI_MANIFEST, pushImage, startRegistry, type PushedImage } from "./registry.js";

let registry: RunningServer;
let bearer: AuthProxy;
let basic: AuthProxy;
let rc: PushedImage;
const PASSWORD = "s3cret-registry-password";

beforeAll(async () => {
  registry = await startRegistry();
  rc = await pushImage(registry.url, "acme/api", "rc-1");
  bearer = await authProxy(registry.url, { scheme: "bearer", username: "ci", password: PASSWORD });
  basic = await authProxy(registry.url, { scheme: "basic", username: "ci", password: PASSWORD });
});
afterAll(async () => {
  await bearer.close();
  await basic.close();
  await registry.stop();
});

async function attempt(
  name: string,
  input: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<Outputs | StepFailure> {
  const action = oci.actions[name]!;
  const ctx = await testContext({ secrets: { get: (key) => secrets[key] } });
  return action.run(ctx, action.input.parse({ plain_http: true, ...input })).catch((error: unknown) => {
    if (error instanceof StepFailure) return error;
    throw error;
  });
}

describe("registry authentication", () => {
  it("follows a Bearer challenge to the token realm with the credentials, then retries with the token", async () => {
    const outputs = await attempt(
      "resolve",
      { image: `${bearer.host}/acme/api:rc-1`, username: "ci", password_secret: "registry_password" },
      { registry_password: PASSWORD },
    );
    expect(outputs).toMatchObject({ digest: rc.digest, media_type: OCI_MANIFEST });
    expect(bearer.tokensIssued).toContain("token-for:relctl-registry:repository:acme/api:pull");
    const tokenRequest = bearer.requests.find((request) => request.url.startsWith("/token"));
    expect(tokenRequest?.url).toBe("/token?service=relctl-registry&scope=repository%3Aacme%2Fapi%3Apull");
  });

  it("asks for a push token for the PUT of a retag", async () => {
    const outputs = await attempt(
      "retag",
      {
        image: `${bearer.host}/acme/api@${rc.digest}`,
        tag: "v1.0.0",
        username: "ci",
        password_secret: "registry_password",
      },
      { registry_password: PASSWORD },
    );
    expect(outputs).toMatchObject({ changed: true, digest: rc.digest });
    expect(bearer.tokensIssued).toContain("token-for:relctl-registry:repository:acme/api:pull,push");
    const stored = await fetch(`${registry.url}/v2/acme/api/manifests/v1.0.0`, {
      headers: { accept: OCI_MANIFEST },
    });
    expect(await stored.text()).toBe(rc.text);
  });

  it("reports credentials the token realm refuses, without showing the password", async () => {
    const failure = await attempt(
      "resolve",
      { image: `${bearer.host}/acme/api:rc-1`, username: "ci", password_secret: "registry_password" },
      { registry_password: "wrong-password" },
    );
    expect(failure).toBeInstanceOf(StepFailure);
    const error = failure as StepFailure;
    expect(error.message).toBe(`the token endpoint ${bearer.url}/token refused the credentials (HTTP 401)`);
    expect(error.hint).toMatch(/^the registry refused these credentials: check username and password_secret/);
    expect(JSON.stringify({ message: error.message, hint: error.hint })).not.toContain("wrong-password");
  });

  it("uses a ready-made bearer token as it is", async () => {
    const outputs = await attempt(
      "exists",
      { image: `${bearer.host}/acme/api:rc-1`, token_secret: "registry_token" },
      { registry_token: "token-for:relctl-registry:repository:acme/api:pull" },
    );
    expect(outputs).toMatchObject({ exists: true, digest: rc.digest });
  });

  it("answers a Basic challenge with the credentials", async () => {
    expect(
      await attempt(
        "resolve",
        { image: `${basic.host}/acme/api:rc-1`, username: "ci", password_secret: "registry_password" },
        { registry_password: PASSWORD },
      ),
    ).toMatchObject({ digest: rc.digest });
  });

  it("says the registry wants credentials when none are given", async () => {
    const failure = (await attempt("resolve", { image: `${basic.host}/acme/api:rc-1` }, {})) as StepFailure;
    expect(failure.message).toBe(
      `HEAD http://${basic.host}/v2/acme/api/manifests/rc-1 answered 401: Unauthorized`,
    );
    expect(failure.hint).toBe(
      "no credentials were given and the registry wants them: set username and password_secret (or token_secret)",
    );
  });

  it("tries without credentials when the password secret is empty, and says so", async () => {
    const action = oci.actions.resolve!;
    const ctx = await testContext({ secrets: { get: () => "" } });
    const failure = await action
      .run(
        ctx,
        action.input.parse({
          image: `${basic.host}/acme/api:rc-1`,
          plain_http: true,
          username: "ci",
          password_secret: "registry_password",
        }),
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as StepFailure).hint).toBe(
      "no credentials were given and the registry wants them: set username and password_secret (or token_secret)",
    );
    expect(ctx.logs).toContainEqual({
      level: "warn",
      message: 'secret "registry_password" (registry password) has no value; trying the registry without it',
    });
  });
});
