import { afterEach, beforeEach, describe, expect, it } from "vitest";
import notify from "../../../src/executors/notify.js";
import { StepFailure, type Outputs } from "../../../src/executors/contract.js";
import { manualClock, testContext, type TestContext } from "../../helpers/action-context.js";
import { loopbackServer, type LoopbackServer } from "../loopback.js";
import { startWebhookServer, type WebhookServer } from "./webhook-server.js";

const SECRET_PATH = "/services/T0001/B0002/s3cr3tWebhookToken";

let hook: WebhookServer;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  hook = await startWebhookServer();
  clock = manualClock();
});
afterEach(() => hook.close());

async function context(): Promise<TestContext> {
  const secrets: Record<string, string> = {
    chat_webhook: `${hook.url}${SECRET_PATH}`,
    webhook_auth: "Bearer receiver-token-123",
  };
  return testContext({ clock, secrets: { get: (name) => secrets[name] }, env: {} });
}

async function send(
  action: string,
  input: Record<string, unknown>,
): Promise<{ outputs: Outputs; ctx: TestContext }> {
  const definition = notify.actions[action]!;
  const ctx = await context();
  return {
    outputs: await definition.run(ctx, definition.input.parse({ webhook_secret: "chat_webhook", ...input })),
    ctx,
  };
}

async function failure(action: string, input: Record<string, unknown>): Promise<StepFailure> {
  const error = await send(action, input).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return error;
}

const rollbackFields = {
  version: "1.2.0",
  previous_version: "1.1.0",
  reason: "error rate 3.4% > 1% for 5m",
  environment: "production",
  incident_url: "https://github.example/acme/api/issues/12",
  timeline: ["10:15 issue detected", "10:16 rollback initiated", "10:21 service recovered"],
};

describe("notify.slack", () => {
  it("posts the rollback message as Block Kit with the reason, the timeline and links", async () => {
    const { outputs } = await send("slack", { template: "rollback", fields: rollbackFields });

    expect(hook.received).toHaveLength(1);
    const request = hook.received[0]!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe(SECRET_PATH);
    expect(request.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(request.json()).toEqual({
      text: "⏪ ROLLBACK: v1.2.0",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "⏪ ROLLBACK: v1.2.0", emoji: true } },
        {
          type: "section",
          fields: [
            { type: "mrkdwn", text: "*Reason*\nerror rate 3.4% &gt; 1% for 5m" },
            { type: "mrkdwn", text: "*Rolled back to*\nv1.1.0" },
            { type: "mrkdwn", text: "*Environment*\nproduction" },
            { type: "mrkdwn", text: "*Incident*\nhttps://github.example/acme/api/issues/12" },
          ],
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Timeline*\n• 10:15 issue detected\n• 10:16 rollback initiated\n• 10:21 service recovered",
          },
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Action items*\n☐ Investigate root cause\n☐ Update incident ticket\n☐ Schedule post-mortem",
          },
        },
        {
          type: "context",
          elements: [{ type: "mrkdwn", text: "<https://github.example/acme/api/issues/12|Incident>" }],
        },
      ],
    });
    expect(outputs).toMatchObject({ status: 200, attempts: 1, title: "⏪ ROLLBACK: v1.2.0" });
  });

  it("retries a 500 and a 429, waiting the Retry-After it asks for through the clock", async () => {
    hook.reply(
      { status: 500, body: "rollup_error" },
      { status: 429, body: "rate_limited", headers: { "retry-after": "3" } },
    );

    const { outputs, ctx } = await send("slack", { template: "train_cut", fields: { version: "1.3.0" } });

    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((request) => request.body)).size).toBe(1);
    expect(clock.sleeps).toEqual([1000, 3000]);
    expect(outputs).toMatchObject({ status: 200, attempts: 3 });
    expect(ctx.logs.filter((log) => log.level === "warn").map((log) => log.message)).toEqual([
      "Slack answered 500: rollup_error; retrying in 1.0s (attempt 2 of 4)",
      "Slack answered 429: rate_limited; retrying in 3.0s (attempt 3 of 4)",
    ]);
  });

  it("gives up after the attempts it was given, backing off each time", async () => {
    hook.reply({ status: 503 }, { status: 503 }, { status: 503 });

    const error = await failure("slack", {
      template: "train_cut",
      fields: { version: "1.3.0" },
      attempts: 3,
    });

    expect(hook.received).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 2000]);
    expect(error.message).toBe("Slack answered 503 (gave up after 3 attempts)");
  });

  it("does not retry a removed webhook, and says so without showing its secret path", async () => {
    hook.reply({ status: 404, body: "no_service" });

    const error = await failure("slack", { template: "train_cut", fields: { version: "1.3.0" } });

    expect(hook.received).toHaveLength(1);
    expect(error.message).toBe(`Slack answered 404: no_service (POST ${hook.url}/***)`);
    expect(error.hint).toMatch(/removed or revoked/);
    expect(JSON.stringify([error.message, error.hint])).not.toContain("s3cr3t");
  });

  it("fails instead of waiting when a rate limit asks for longer than relctl waits", async () => {
    hook.reply({ status: 429, body: "rate_limited", headers: { "retry-after": "600" } });
    const error = await failure("slack", { template: "train_cut", fields: { version: "1.3.0" } });
    expect(error.message).toBe(
      "Slack answered 429: rate_limited and asks to wait 10m00s, longer than relctl waits (1m00s)",
    );
    expect(clock.sleeps).toEqual([]);
  });

  it("plans the request with the webhook URL masked and the message it would send", () => {
    const action = notify.actions.slack!;
    const plan = action.plan(
      action.input.parse({
        webhook_secret: "chat_webhook",
        template: "hotfix_deployed",
        fields: { version: "1.2.1", justification: "CVE-2026-1234" },
      }),
    );
    expect(plan.request).toEqual({ method: "POST", url: "⟨secret chat_webhook⟩" });
    expect(plan.details?.message).toBe(
      "**🚒 HOTFIX: v1.2.1**\n\n**Justification**: CVE-2026-1234\n**Status**: Deployed to production",
    );
  });

  it("rejects a message without a field its template needs before anything runs", () => {
    const result = notify.actions.slack!.input.safeParse({
      webhook_secret: "chat_webhook",
      template: "rollback",
      fields: { version: "1.2.0" },
    });
    expect(result.error?.issues.map((issue) => ({ path: issue.path, message: issue.message }))).toEqual([
      { path: ["fields", "reason"], message: "the rollback message needs fields.reason" },
    ]);
  });

  it("says which secret is missing when the webhook URL is not set", async () => {
    const action = notify.actions.slack!;
    const ctx = await testContext({ clock, secrets: { get: () => undefined } });
    const run = action.run(
      ctx,
      action.input.parse({ webhook_secret: "slack_webhook", template: "freeze", fields: { version: "1" } }),
    );
    await expect(run).rejects.toThrow("the secret slack_webhook (the webhook URL) is not set or is empty");
  });
});

describe("notify.teams", () => {
  it("posts an Adaptive Card in a message envelope, with facts and link buttons", async () => {
    hook.reply({ status: 202 });
    const { outputs } = await send("teams", {
      template: "canary_progress",
      fields: {
        version: "v1.2.0",
        weight: "10%",
        duration: "2h",
        status: "Healthy",
        error_rate: 0.42,
        error_rate_target: 1,
        latency_p95: 310,
        latency_target: 500,
        rps: 1250,
        grafana_url: "https://grafana.example/d/release-canary",
      },
    });

    expect(hook.received[0]!.json()).toEqual({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            msteams: { width: "Full" },
            body: [
              {
                type: "TextBlock",
                text: "📈 Canary update: v1.2.0",
                size: "Large",
                weight: "Bolder",
                color: "Good",
                wrap: true,
              },
              {
                type: "FactSet",
                facts: [
                  { title: "Stage", value: "10%" },
                  { title: "Duration", value: "2h" },
                  { title: "Status", value: "Healthy" },
                  { title: "Error rate", value: "0.42% (target: < 1%)" },
                  { title: "P95 latency", value: "310ms (target: < 500ms)" },
                  { title: "Throughput", value: "1250 req/s" },
                ],
              },
            ],
            actions: [
              { type: "Action.OpenUrl", title: "Dashboard", url: "https://grafana.example/d/release-canary" },
            ],
          },
        },
      ],
    });
    expect(outputs.status).toBe(202);
  });
});

describe("notify.webhook", () => {
  it("sends the message as JSON with its fields and the run, and the Authorization header from a secret", async () => {
    await send("webhook", {
      template: "custom",
      title: "Deployed {service} {version}",
      text: "All gates passed.",
      fields: { service: "api", version: "1.2.0" },
      facts: { "Error rate": "0.4%" },
      method: "PUT",
      authorization_secret: "webhook_auth",
      headers: { "X-Source": "relctl" },
    });

    const request = hook.received[0]!;
    expect(request.method).toBe("PUT");
    expect(request.headers.authorization).toBe("Bearer receiver-token-123");
    expect(request.headers["x-source"]).toBe("relctl");
    expect(request.json()).toEqual({
      event: "custom",
      title: "Deployed api v1.2.0",
      text: "**Deployed api v1.2.0**\n\nAll gates passed.\n\n**Error rate**: 0.4%",
      tone: "neutral",
      facts: [{ name: "Error rate", value: "0.4%" }],
      sections: [],
      links: [],
      fields: { service: "api", version: "1.2.0" },
      run: { id: "test-run", stage: "test", step: "test-step" },
      sent_at: "2026-11-22T10:00:00.000Z",
    });
  });

  it("retries when the receiver cannot be reached and then gives up naming only its origin", async () => {
    await hook.close();
    const error = await failure("webhook", { template: "freeze", fields: { version: "1.2.0" }, attempts: 2 });
    expect(error.message).toMatch(
      new RegExp(`^could not reach the webhook at ${hook.url}/\\*\\*\\*: .+ \\(gave up after 2 attempts\\)$`),
    );
    expect(clock.sleeps).toEqual([1000]);
  });
});

describe("a webhook that accepts the connection and never answers", () => {
  const HANG_GUARD_MS = 30_000;
  let silent: LoopbackServer;
  beforeEach(async () => {
    silent = await loopbackServer(() => new Promise(() => undefined));
  });
  afterEach(() => silent.close());

  async function silentFailure(input: Record<string, unknown>): Promise<StepFailure> {
    const definition = notify.actions.slack!;
    const ctx = await testContext({
      clock,
      secrets: { get: (name) => (name === "chat_webhook" ? `${silent.url}${SECRET_PATH}` : undefined) },
      env: {},
    });
    const parsed = definition.input.parse({
      webhook_secret: "chat_webhook",
      template: "train_cut",
      fields: { version: "1.3.0" },
      ...input,
    });
    const error = await definition.run(ctx, parsed).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
    return error;
  }

  it(
    "gives up on each attempt after request_timeout and fails after the attempts",
    async () => {
      const error = await silentFailure({ attempts: 3, request_timeout: "200ms" });

      expect(silent.requests).toHaveLength(3);
      expect(error.message).toBe(
        `could not reach Slack at ${silent.url}/***: no answer within 200ms (request_timeout) (gave up after 3 attempts)`,
      );
    },
    HANG_GUARD_MS,
  );

  it(
    "starts no attempt once the retry budget is spent",
    async () => {
      // Waits of 1s then 2s: the third attempt would start past the 2s budget.
      const error = await silentFailure({ attempts: 4, request_timeout: "200ms", retry_budget: "2s" });

      expect(silent.requests).toHaveLength(2);
      expect(error.message).toBe(
        `could not reach Slack at ${silent.url}/***: no answer within 200ms (request_timeout) (gave up after 2 attempts: the retry_budget of 2.0s is spent)`,
      );
      expect(error.hint).toContain("raise retry_budget");
    },
    HANG_GUARD_MS,
  );
});
