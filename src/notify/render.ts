// One Message, three payloads: Slack (Block Kit with mrkdwn), Microsoft Teams (an Adaptive Card
// in a message envelope, which both Teams Workflows webhooks and the older connector webhooks
// accept; Workflows reject MessageCards) and a generic JSON webhook (the message as data).
import type { Message, Tone } from "./templates.js";

// Slack's limits: header text 150 characters, section text 3000, field text 2000, 10 fields a section.
const SLACK_HEADER_MAX = 150;
const SLACK_TEXT_MAX = 3000;
const SLACK_FIELD_MAX = 2000;
const SLACK_FIELDS_PER_SECTION = 10;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn needs &, < and > escaped; everything else is literal. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Markdown list items ("- x", "- [ ] x") as Slack bullets. */
function slackBody(text: string): string {
  return slackEscape(text)
    .split("\n")
    .map((line) => line.replace(/^(\s*)- \[ \] /, "$1☐ ").replace(/^(\s*)[-*] /, "$1• "))
    .join("\n");
}

export interface SlackPayload {
  text: string;
  blocks: Record<string, unknown>[];
}

export function slackPayload(message: Message): SlackPayload {
  const blocks: Record<string, unknown>[] = [
    {
      type: "header",
      text: { type: "plain_text", text: truncate(message.title, SLACK_HEADER_MAX), emoji: true },
    },
  ];
  if (message.intro) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(slackBody(message.intro), SLACK_TEXT_MAX) },
    });
  }
  for (let index = 0; index < message.facts.length; index += SLACK_FIELDS_PER_SECTION) {
    blocks.push({
      type: "section",
      fields: message.facts.slice(index, index + SLACK_FIELDS_PER_SECTION).map((fact) => ({
        type: "mrkdwn",
        text: truncate(`*${slackEscape(fact.name)}*\n${slackEscape(fact.value)}`, SLACK_FIELD_MAX),
      })),
    });
  }
  for (const section of message.sections) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: truncate(`*${slackEscape(section.heading)}*\n${slackBody(section.body)}`, SLACK_TEXT_MAX),
      },
    });
  }
  if (message.links.length) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: message.links.map((link) => `<${link.url}|${slackEscape(link.title)}>`).join(" | "),
        },
      ],
    });
  }
  // `text` is what notifications and clients without blocks show.
  return { text: truncate(message.title, SLACK_TEXT_MAX), blocks };
}

const TEAMS_COLOR: Record<Tone, string> = {
  good: "Good",
  warning: "Warning",
  danger: "Attention",
  neutral: "Default",
};

export interface TeamsPayload {
  type: "message";
  attachments: {
    contentType: "application/vnd.microsoft.card.adaptive";
    contentUrl: null;
    content: Record<string, unknown>;
  }[];
}

/** Adaptive Card 1.4: the newest version every Teams client renders. */
export function teamsPayload(message: Message): TeamsPayload {
  const body: Record<string, unknown>[] = [
    {
      type: "TextBlock",
      text: message.title,
      size: "Large",
      weight: "Bolder",
      color: TEAMS_COLOR[message.tone],
      wrap: true,
    },
  ];
  if (message.intro) body.push({ type: "TextBlock", text: message.intro, wrap: true });
  if (message.facts.length) {
    body.push({
      type: "FactSet",
      facts: message.facts.map((fact) => ({ title: fact.name, value: fact.value })),
    });
  }
  for (const section of message.sections) {
    body.push(
      { type: "TextBlock", text: section.heading, weight: "Bolder", wrap: true, spacing: "Medium" },
      { type: "TextBlock", text: section.body, wrap: true, spacing: "Small" },
    );
  }
  const content: Record<string, unknown> = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    msteams: { width: "Full" },
  };
  if (message.links.length) {
    content.actions = message.links.map((link) => ({
      type: "Action.OpenUrl",
      title: link.title,
      url: link.url,
    }));
  }
  return {
    type: "message",
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content }],
  };
}

export interface WebhookPayload {
  event: string;
  title: string;
  text: string;
  tone: Tone;
  facts: { name: string; value: string }[];
  sections: { heading: string; body: string }[];
  links: { title: string; url: string }[];
  fields: Record<string, unknown>;
  run: { id: string; stage: string; step: string };
  sent_at: string;
}

export function webhookPayload(
  message: Message,
  extra: { markdown: string; fields: Record<string, unknown>; run: WebhookPayload["run"]; sentAt: Date },
): WebhookPayload {
  return {
    event: message.event,
    title: message.title,
    text: extra.markdown,
    tone: message.tone,
    facts: message.facts,
    sections: message.sections,
    links: message.links,
    fields: extra.fields,
    run: extra.run,
    sent_at: extra.sentAt.toISOString(),
  };
}
