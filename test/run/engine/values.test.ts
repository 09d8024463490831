// What steps get: secrets (hidden in events), release values and rendered inputs checked against the schema.
import { describe, expect, it } from "vitest";
import { RelctlError } from "../../../src/errors.js";
import { eventsOf, runYaml } from "../../helpers/engine.js";
import { header } from "./playbook.js";

describe("the engine", () => {
  it("hides secrets in every event, also URL-encoded, while the step gets the real value", async () => {
    const secret = "s3cr3t/to+ken value";
    const { events, recording } = await runYaml(
      `${header}secrets:
  token: env://API_TOKEN
stages:
  build:
    steps:
      - id: call
        uses: rec.do
        with:
          value: "https://x.test/?t=\${{ secrets.token }}"
          outputs: { echoed: "\${{ secrets.token }}", encoded: "${encodeURIComponent(secret)}" }
`,
      { stages: ["build"], env: { API_TOKEN: secret } },
    );
    expect(recording.inputs.get("call")).toMatchObject({ value: `https://x.test/?t=${secret}` });
    const text = JSON.stringify(events);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).toContain("***");
  });

  it("refuses before anything runs when a secret the run reads is missing, but not for unused ones", async () => {
    const yaml = `${header}secrets:
  token: env://API_TOKEN
  other: env://NOT_SET_ANYWHERE
stages:
  build:
    steps:
      - { id: call, uses: rec.do, with: { value: "\${{ secrets.token }}" } }
`;
    const refused = await runYaml(yaml, { stages: ["build"] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RelctlError);
    expect((refused as RelctlError).message).toContain("token (environment variable API_TOKEN is not set)");
    const { outcome } = await runYaml(yaml, { stages: ["build"], env: { API_TOKEN: "abc123" } });
    expect(outcome.status).toBe("succeeded");
  });

  it("computes release values on first read, from the steps that ran", async () => {
    const { recording } = await runYaml(
      `${header}release:
  candidate: "\${{ steps.next.outputs.version }}"
  tag: "v\${{ release.candidate }}"
stages:
  build:
    steps:
      - { id: next, uses: rec.do, outputs: [version], with: { outputs: { version: 2.0.0 } } }
      - { id: tag, uses: rec.do, with: { value: "\${{ release.tag }}" } }
`,
      { stages: ["build"] },
    );
    expect(recording.inputs.get("tag")).toMatchObject({ value: "v2.0.0" });
  });

  it("fails a step whose rendered input breaks the action's schema, naming the field", async () => {
    const { events, outcome } = await runYaml(
      `${header}vars:
  delay: soon
stages:
  build:
    steps:
      - { id: a, uses: rec.do, with: { delay_ms: "\${{ vars.delay }}" } }
`,
      { stages: ["build"] },
    );
    expect(outcome.status).toBe("failed");
    expect(eventsOf(events, "step.end")[0]!.error?.message).toMatch(
      /invalid input after rendering: delay_ms/,
    );
  });
});
