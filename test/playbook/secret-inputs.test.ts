import { describe, expect, it } from "vitest";
import { RelctlError } from "../../src/errors.js";
import { secretInputs } from "../../src/playbook/secret-inputs.js";
import { runYaml } from "../helpers/engine.js";

const playbook = (secretName: string) => `apiVersion: relctl/v1
name: secrets
secrets:
  github_token: env://GH_TOKEN_FOR_TEST
stages:
  promote:
    steps:
      - id: release
        uses: rec.do
        with: { value: x, outputs: { note: "${secretName}" } }
      - id: notes
        uses: github.release
        with: { repository: acme/api, tag: v1.0.0, token_secret: ${secretName}, notes: hi }
`;

describe("inputs that name a secret", () => {
  it("finds *_secret keys and { secret: name } objects, but not expressions", () => {
    expect(
      secretInputs({
        token_secret: "gh",
        headers: { Authorization: { secret: "api", prefix: "Bearer " } },
        nested: [{ password_secret: "db" }],
        key_secret: "${{ vars.which }}",
      }),
    ).toEqual([
      { name: "gh", path: ["token_secret"] },
      { name: "api", path: ["headers", "Authorization", "secret"] },
      { name: "db", path: ["nested", 0, "password_secret"] },
    ]);
  });

  it("refuses a name the playbook does not declare, before anything runs, with a suggestion", async () => {
    const error = await runYaml(playbook("github_tokn"), { stages: ["promote"] }).catch(
      (caught: unknown) => caught,
    );
    expect(String(error)).toMatch(
      /relctl\.yaml:13:\d+ .*token_secret names the secret "github_tokn"[\s\S]*did you mean github_token/,
    );
  });

  it("counts a named secret as read by the run, so a missing required one stops it before any step", async () => {
    const refused = await runYaml(playbook("github_token"), { stages: ["promote"] }).catch(
      (caught: unknown) => caught,
    );
    expect(refused).toBeInstanceOf(RelctlError);
    expect((refused as RelctlError).message).toContain(
      "github_token (environment variable GH_TOKEN_FOR_TEST is not set)",
    );
  });
});
