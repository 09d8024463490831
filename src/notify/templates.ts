// The messages of the release runbook's moments (train cut, canary progress, rollback, hotfix
// deployed, code freeze), as data: a title, facts, sections and links whose `{name}` placeholders
// are filled from the step's `fields`. A fact, section or link whose fields are missing is left
// out, so one template serves a sparse and a detailed message. Each target (Slack, Teams, a
// generic webhook) renders the same Message its own way (render.ts).
import { fieldText, fillAll, placeholdersOf, type FieldValue, type Fields } from "./placeholders.js";

export type Tone = "good" | "warning" | "danger" | "neutral";

export interface Message {
  /** The template's name (`rollback`, …, or `custom`). */
  event: string;
  title: string;
  intro?: string;
  facts: { name: string; value: string }[];
  sections: { heading: string; body: string }[];
  links: { title: string; url: string }[];
  tone: Tone;
}

/** The first part must fill or the element is left out; later parts are left out on their own. */
type Parts = readonly [string, ...string[]];

interface TemplateDef {
  description: string;
  /** Fields the step must give (checked when the playbook is validated). */
  required: readonly string[];
  /** Fields the template reads, with what they hold: the documentation and the schema's description. */
  fields: Readonly<Record<string, string>>;
  defaults?: Readonly<Record<string, string>>;
  title: Parts;
  intro?: string;
  facts: readonly (readonly [string, ...Parts])[];
  sections: readonly (readonly [string, string])[];
  links: readonly (readonly [string, string])[];
  tone: Tone | ((fields: Fields) => Tone);
}

const ACTION_ITEMS = "- [ ] Investigate root cause\n- [ ] Update incident ticket\n- [ ] Schedule post-mortem";

export const TEMPLATES = {
  train_cut: {
    description: "the release train was cut",
    required: ["version"],
    fields: {
      version: "the version being released",
      candidate: "the release-candidate tag (v1.2.3-rc.1)",
      commit_count: "commits since the previous release",
      previous_version: "the previous release",
      stage_status: "how the stage deployment went",
      next_steps: "what happens next (a list)",
      highlights: "the changelog's highlights (a list or Markdown)",
      release_url: "the release notes",
      grafana_url: "the dashboard",
      runbook_url: "the runbook",
    },
    title: ["🚂 Release train {version} cut"],
    intro: "The release train has been cut.",
    facts: [
      ["Version", "{candidate}"],
      ["Commits", "{commit_count} commits", " since {previous_version}"],
      ["Stage", "{stage_status}"],
    ],
    sections: [
      ["Next steps", "{next_steps}"],
      ["Highlights", "{highlights}"],
    ],
    links: [
      ["Release notes", "{release_url}"],
      ["Grafana", "{grafana_url}"],
      ["Runbook", "{runbook_url}"],
    ],
    tone: "good",
  },
  canary_progress: {
    description: "a canary weight was reached or held, with its metric values",
    required: ["version", "weight"],
    fields: {
      version: "the version in the canary",
      weight: "the share of traffic, in percent (10, 50, 100)",
      duration: "how long it has been held",
      status: "Healthy, Warning or Rolling back",
      error_rate: "the measured error rate, in percent",
      error_rate_target: "the error-rate limit, in percent",
      latency_p95: "the measured p95 latency, in ms",
      latency_target: "the p95 latency limit, in ms",
      rps: "throughput, in requests per second",
      grafana_url: "the dashboard",
    },
    title: ["📈 Canary update: {version}"],
    facts: [
      ["Stage", "{weight}%"],
      ["Duration", "{duration}"],
      ["Status", "{status}"],
      ["Error rate", "{error_rate}%", " (target: < {error_rate_target}%)"],
      ["P95 latency", "{latency_p95}ms", " (target: < {latency_target}ms)"],
      ["Throughput", "{rps} req/s"],
    ],
    sections: [],
    links: [["Dashboard", "{grafana_url}"]],
    tone: (fields) => {
      const status = fieldText(fields.status) ?? "";
      if (/roll|fail|abort/i.test(status)) return "danger";
      if (/warn|degrad/i.test(status)) return "warning";
      return "good";
    },
  },
  rollback: {
    description: "a release was rolled back, with the reason and the timeline",
    required: ["version", "reason"],
    fields: {
      version: "the version rolled back",
      reason: "why (the failed gate or step)",
      previous_version: "the version now serving",
      environment: "where",
      incident_url: "the incident issue",
      timeline: "what happened when (a list: '10:15 issue detected')",
      grafana_url: "the dashboard",
      run_url: "the CI run",
    },
    title: ["⏪ ROLLBACK: {version}"],
    facts: [
      ["Reason", "{reason}"],
      ["Rolled back to", "{previous_version}"],
      ["Environment", "{environment}"],
      ["Incident", "{incident_url}"],
    ],
    sections: [
      ["Timeline", "{timeline}"],
      ["Action items", ACTION_ITEMS],
    ],
    links: [
      ["Incident", "{incident_url}"],
      ["Grafana", "{grafana_url}"],
      ["Run", "{run_url}"],
    ],
    tone: "danger",
  },
  hotfix_deployed: {
    description: "a hotfix reached production",
    required: ["version", "justification"],
    fields: {
      version: "the hotfix version",
      base_version: "the release it fixes",
      justification: "why it could not wait for the train",
      incident_url: "the linked incident",
      environment: "where it is deployed (default production)",
      changes: "what changed (a list)",
      release_url: "the release",
      grafana_url: "the dashboard",
    },
    defaults: { environment: "production" },
    title: ["🚒 HOTFIX: {version}"],
    facts: [
      ["Base version", "{base_version}"],
      ["Justification", "{justification}"],
      ["Linked incident", "{incident_url}"],
      ["Status", "Deployed to {environment}"],
    ],
    sections: [["Changes", "{changes}"]],
    links: [
      ["Release", "{release_url}"],
      ["Grafana", "{grafana_url}"],
    ],
    tone: "warning",
  },
  freeze: {
    description: "a code freeze started for a release",
    required: ["version"],
    fields: {
      version: "the version being frozen",
      service: "the service",
      commit: "the release commit",
      branch: "the release branch",
      until: "when the freeze ends",
      notes: "anything else people should know",
    },
    title: ["🧊 Code freeze", " for {service}", " {version}"],
    facts: [
      ["Commit", "{commit}"],
      ["Branch", "{branch}"],
      ["Until", "{until}"],
    ],
    sections: [["Notes", "{notes}"]],
    links: [],
    tone: "neutral",
  },
} as const satisfies Record<string, TemplateDef>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

/** Version fields show with a leading v whether the playbook passes 1.2.3 or v1.2.3. */
const VERSION_FIELDS = new Set(["version", "previous_version", "base_version", "candidate"]);
/** Percent fields are written with their % by the template. */
const PERCENT_FIELDS = new Set(["weight", "error_rate", "error_rate_target"]);

function normalise(fields: Fields, defaults: Readonly<Record<string, string>> = {}): Fields {
  const result: Record<string, FieldValue | undefined> = { ...defaults };
  for (const [name, value] of Object.entries(fields)) {
    if (fieldText(value) === undefined && defaults[name] !== undefined) continue;
    if (typeof value === "string" && VERSION_FIELDS.has(name) && /^\d/.test(value.trim())) {
      result[name] = `v${value.trim()}`;
    } else if (typeof value === "string" && PERCENT_FIELDS.has(name)) {
      result[name] = value.trim().replace(/%$/, "");
    } else {
      result[name] = value;
    }
  }
  return result;
}

function fillParts(parts: Parts, fields: Fields): string | undefined {
  const [first, ...rest] = parts;
  const head = fillAll(first, fields);
  if (head === undefined) return undefined;
  return head + rest.map((part) => fillAll(part, fields) ?? "").join("");
}

export interface MessageRequest {
  template: TemplateName | "custom";
  fields: Fields;
  /** custom: the title (required); a template: replaces the template's title. */
  title?: string;
  /** custom: the body; a template: replaces the intro. */
  text?: string;
  /** Further facts shown after the template's, in the order given. */
  facts?: Readonly<Record<string, FieldValue>>;
}

export class MessageError extends Error {
  override readonly name = "MessageError";
}

/** Field names a request needs that it does not give (checked before anything runs). */
export function missingFields(
  request: Pick<MessageRequest, "template" | "fields" | "title" | "text">,
): string[] {
  const given = new Set(Object.keys(request.fields));
  const def: TemplateDef | undefined =
    request.template === "custom" ? undefined : TEMPLATES[request.template];
  const needed = [
    ...(def?.required ?? []),
    ...placeholdersOf(request.title ?? ""),
    ...placeholdersOf(request.text ?? ""),
  ];
  return [...new Set(needed)].filter((name) => !given.has(name) && def?.defaults?.[name] === undefined);
}

/** Builds the message; throws MessageError when a field the title or body needs is empty. */
export function buildMessage(request: MessageRequest): Message {
  const extraFacts = Object.entries(request.facts ?? {}).flatMap(([name, value]) => {
    const text = fieldText(value);
    return text === undefined ? [] : [{ name, value: text }];
  });
  if (request.template === "custom") {
    const fields = normalise(request.fields);
    const title = requireFilled(request.title ?? "", fields, "title");
    const intro = request.text === undefined ? undefined : requireFilled(request.text, fields, "text");
    return {
      event: "custom",
      title,
      ...(intro ? { intro } : {}),
      facts: extraFacts,
      sections: [],
      links: [],
      tone: "neutral",
    };
  }
  const def: TemplateDef = TEMPLATES[request.template];
  const fields = normalise(request.fields, def.defaults);
  const empty = def.required.filter((name) => fieldText(fields[name]) === undefined);
  if (empty.length) {
    throw new MessageError(
      `the ${request.template} message needs ${empty.map((name) => `fields.${name}`).join(", ")}, which ${empty.length === 1 ? "is" : "are"} empty`,
    );
  }
  const title =
    request.title !== undefined
      ? requireFilled(request.title, fields, "title")
      : fillParts(def.title, fields)!;
  const introText = request.text ?? def.intro;
  const intro = introText === undefined ? undefined : requireFilled(introText, fields, "text");
  const facts = def.facts.flatMap(([name, ...parts]) => {
    const value = fillParts(parts as unknown as Parts, fields);
    return value === undefined ? [] : [{ name, value }];
  });
  const sections = def.sections.flatMap(([heading, body]) => {
    const text = fillAll(body, fields);
    return text === undefined ? [] : [{ heading, body: text }];
  });
  const links = def.links.flatMap(([title, url]) => {
    const text = fillAll(url, fields);
    return text === undefined ? [] : [{ title, url: text }];
  });
  return {
    event: request.template,
    title,
    ...(intro ? { intro } : {}),
    facts: [...facts, ...extraFacts],
    sections,
    links,
    tone: typeof def.tone === "function" ? def.tone(fields) : def.tone,
  };
}

function requireFilled(template: string, fields: Fields, what: string): string {
  const text = fillAll(template, fields);
  if (text === undefined) {
    const missing = placeholdersOf(template).filter((name) => fieldText(fields[name]) === undefined);
    throw new MessageError(
      `the message's ${what} reads ${missing.map((name) => `fields.${name}`).join(", ")}, which ${missing.length === 1 ? "is" : "are"} empty`,
    );
  }
  return text;
}

/** The message as Markdown: the generic webhook's `text`, and what a plan shows. */
export function messageMarkdown(message: Message): string {
  const lines = [`**${message.title}**`];
  if (message.intro) lines.push("", message.intro);
  if (message.facts.length) {
    lines.push("");
    for (const fact of message.facts) lines.push(`**${fact.name}**: ${fact.value}`);
  }
  for (const section of message.sections) lines.push("", `**${section.heading}**:`, section.body);
  if (message.links.length) {
    lines.push("", message.links.map((link) => `[${link.title}](${link.url})`).join(" | "));
  }
  return lines.join("\n");
}
