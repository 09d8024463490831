// The notify executor: tell people in Slack, Microsoft Teams or any JSON webhook, with the release
// runbook's message templates filled from the step's `fields`. The webhook URL is a secret (the
// input names it); plans and messages show only its origin. Docs: docs/executors/notify.md.
import { z } from "zod";
import { deliver, type DeliveryRequest } from "../notify/deliver.js";
import { slackPayload, teamsPayload, webhookPayload } from "../notify/render.js";
import {
  buildMessage,
  MessageError,
  messageMarkdown,
  missingFields,
  TEMPLATE_NAMES,
  TEMPLATES,
  type Message,
} from "../notify/templates.js";
import { defineAction, StepFailure, type ActionContext, type Executor } from "./contract.js";
import { httpBudget, httpBudgetFields } from "./shared/http-budget.js";

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const fieldValue = z.union([scalar, z.array(z.union([z.string(), z.number(), z.boolean()]))]);

const templateList = TEMPLATE_NAMES.map((name) => `${name} (${TEMPLATES[name].description})`).join("; ");

const messageFields = {
  webhook_secret: z.string().min(1).describe("name of the playbook secret that holds the webhook URL"),
  template: z
    .enum([...TEMPLATE_NAMES, "custom"])
    .describe(`the message: ${templateList}; or custom (title and text)`),
  fields: z
    .record(z.string(), fieldValue)
    .default({})
    .describe("values for the template's {placeholders} (see docs/executors/notify.md)"),
  title: z.string().min(1).optional().describe("custom: the title; otherwise replaces the template's"),
  text: z.string().min(1).optional().describe("custom: the body; otherwise replaces the template's intro"),
  facts: z
    .record(z.string(), scalar)
    .optional()
    .describe("further name: value lines shown after the template's (metric values, links)"),
  attempts: z
    .number()
    .int()
    .min(1)
    .max(10)
    .default(4)
    .describe("attempts in all; 429 and 5xx answers and failed connections are retried"),
  // One request waits 10s for its answer; no attempt starts 1m after the first.
  ...httpBudgetFields({ requestTimeoutMs: 10_000, retryBudgetMs: 60_000 }),
};

type MessageInput = {
  webhook_secret: string;
  template: (typeof TEMPLATE_NAMES)[number] | "custom";
  fields: Record<string, z.output<typeof fieldValue>>;
  title?: string | undefined;
  text?: string | undefined;
  facts?: Record<string, z.output<typeof scalar>> | undefined;
  attempts: number;
  request_timeout: number;
  retry_budget: number;
};

function checkFields(input: MessageInput, ctx: z.RefinementCtx): void {
  if (input.template === "custom" && input.title === undefined) {
    ctx.addIssue({ code: "custom", path: ["title"], message: "a custom message needs a title" });
  }
  for (const name of missingFields(input)) {
    ctx.addIssue({
      code: "custom",
      path: ["fields", name],
      message: `the ${input.template} message needs fields.${name}`,
    });
  }
}

function message(input: MessageInput): Message {
  try {
    return buildMessage({
      template: input.template,
      fields: input.fields,
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.facts !== undefined ? { facts: input.facts } : {}),
    });
  } catch (error) {
    if (error instanceof MessageError) throw new StepFailure(error.message, { cause: error });
    throw error;
  }
}

function webhookUrl(ctx: ActionContext, secretName: string): string {
  const url = ctx.secrets.get(secretName);
  if (!url) {
    throw new StepFailure(`the secret ${secretName} (the webhook URL) is not set or is empty`, {
      hint: `declare it under secrets: (${secretName}: env://SLACK_WEBHOOK_URL) and set it, or give the step an if: that skips it when the secret is empty`,
    });
  }
  if (!/^https?:\/\/[^/\s]+/i.test(url.trim())) {
    throw new StepFailure(`the secret ${secretName} does not hold an http(s) URL`, {
      hint: "it must be the whole webhook URL, https://…",
    });
  }
  return url.trim();
}

const maskedSecret = (name: string) => `⟨secret ${name}⟩`;

const outputs = {
  status: "the HTTP status of the answer",
  attempts: "how many attempts it took",
  title: "the message's title",
  text: "the message as Markdown",
};

function planFor(service: string, method: string, input: MessageInput) {
  let preview: Record<string, unknown>;
  try {
    const built = message(input);
    preview = { title: built.title, message: messageMarkdown(built) };
  } catch (error) {
    preview = { problem: (error as Error).message };
  }
  return {
    summary: `send the ${input.template} message to ${service}`,
    request: { method, url: maskedSecret(input.webhook_secret) },
    details: { template: input.template, ...preview },
  };
}

async function send(
  ctx: ActionContext,
  input: MessageInput,
  built: Message,
  request: Omit<DeliveryRequest, "url" | "attempts" | "secretName" | "budget">,
) {
  const delivery = await deliver(ctx, {
    ...request,
    url: webhookUrl(ctx, input.webhook_secret),
    attempts: input.attempts,
    budget: httpBudget(input),
    secretName: input.webhook_secret,
  });
  ctx.log.info(`sent the ${input.template} message to ${request.service}`);
  return {
    status: delivery.status,
    attempts: delivery.attempts,
    title: built.title,
    text: messageMarkdown(built),
  };
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

const slackHints = (status: number, body: string): string | undefined => {
  if (body === "invalid_payload" || body === "no_text")
    return "Slack rejected the message's blocks; report it as a relctl bug";
  if (body === "channel_is_archived")
    return "the webhook's channel is archived; create a webhook for a live channel";
  if (body === "no_service" || body === "invalid_token" || status === 404 || status === 403) {
    return "the Slack webhook was removed or revoked; create a new incoming webhook and update the secret";
  }
  return undefined;
};

export const slack = defineAction({
  description: "Post a message to a Slack incoming webhook (Block Kit)",
  input: z.object(messageFields).superRefine(checkFields),
  outputs,
  mutates: true,
  plan: (input) => planFor("Slack", "POST", input),
  run: async (ctx, input) => {
    const built = message(input);
    return send(ctx, input, built, {
      service: "Slack",
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(slackPayload(built)),
      hint: slackHints,
    });
  },
});

export const teams = defineAction({
  description:
    "Post a message to a Microsoft Teams webhook (a Workflows 'when a Teams webhook request is received' URL, or a legacy incoming webhook) as an Adaptive Card",
  input: z.object(messageFields).superRefine(checkFields),
  outputs,
  mutates: true,
  plan: (input) => planFor("Teams", "POST", input),
  run: async (ctx, input) => {
    const built = message(input);
    return send(ctx, input, built, {
      service: "Teams",
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(teamsPayload(built)),
    });
  },
});

export const webhook = defineAction({
  description: "Send the message as JSON to any webhook (event, title, text, facts, links, fields)",
  input: z
    .object({
      ...messageFields,
      method: z.enum(["POST", "PUT"]).default("POST").describe("the HTTP method (default POST)"),
      authorization_secret: z
        .string()
        .min(1)
        .optional()
        .describe("name of a secret whose value is sent as the Authorization header"),
      headers: z
        .record(
          z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name"),
          z.string().refine((value) => !/[\r\n]/.test(value), "must be one line"),
        )
        .default({})
        .describe("further headers (not secret; use authorization_secret for credentials)"),
    })
    .superRefine(checkFields),
  outputs,
  mutates: true,
  plan: (input) => planFor("the webhook", input.method, input),
  run: async (ctx, input) => {
    const built = message(input);
    // The body's type and the credentials are relctl's to set, whatever the headers input says.
    const headers: Record<string, string> = Object.fromEntries(
      Object.entries(input.headers).filter(([name]) => !/^(content-type|authorization)$/i.test(name)),
    );
    Object.assign(headers, JSON_HEADERS);
    if (input.authorization_secret !== undefined) {
      const value = ctx.secrets.get(input.authorization_secret);
      if (!value) {
        throw new StepFailure(
          `the secret ${input.authorization_secret} (the Authorization header) is not set`,
        );
      }
      headers.authorization = value;
    }
    const payload = webhookPayload(built, {
      markdown: messageMarkdown(built),
      fields: input.fields,
      run: { id: ctx.run.id, stage: ctx.step.stage, step: ctx.step.id },
      sentAt: ctx.clock.now(),
    });
    return send(ctx, input, built, {
      service: "the webhook",
      method: input.method,
      headers,
      body: JSON.stringify(payload),
    });
  },
});

const notify: Executor = {
  name: "notify",
  description: "Tell people: Slack, Microsoft Teams and JSON webhooks, with the release runbook's messages",
  actions: { slack, teams, webhook },
};

export default notify;
