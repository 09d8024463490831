// github.incident: open the incident issue a rollback calls for (labels incident, release,
// auto-rollback; assignees from the playbook), its body filled from a template with the reason
// and the timeline. A hidden marker keyed by run and step lets a retried or resumed step find
// the issue it already opened instead of opening a second one.
import { z } from "zod";
import { fillTemplate, type Fields } from "../../notify/placeholders.js";
import { defineAction, type ActionContext } from "../contract.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import {
  apiUrl,
  connectionFields,
  guardedGitHub,
  openGitHub,
  repoPath,
  type GitHubTuning,
} from "./client.js";

const PERMISSION = "issues: write";
/** How many pages of open incident issues are searched for one this step already opened. */
const DEDUPE_PAGES = 10;

export const DEFAULT_INCIDENT_TEMPLATE = `## ⏪ Automatic rollback

**Reason**: {reason}

{facts}

### Timeline

{timeline}

{details}

### Action items

- [ ] Investigate root cause
- [ ] Update this incident
- [ ] Schedule the post-mortem`;

const timelineEntry = z.union([
  z.string().min(1),
  z.object({
    at: z.string().min(1).describe("when, as written (10:15, an ISO time)"),
    event: z.string().min(1).describe("what happened"),
  }),
]);

const input = z.object({
  ...connectionFields,
  title: z.string().min(1).describe("the issue's title"),
  reason: z.string().min(1).describe("why the release was rolled back (the failed gate or step)"),
  timeline: z
    .array(timelineEntry)
    .default([])
    .describe(
      "what happened when: '10:15 issue detected' or {at, event}; relctl adds when it opened the issue",
    ),
  version: z.string().min(1).optional().describe("the version rolled back"),
  previous_version: z.string().min(1).optional().describe("the version now serving"),
  environment: z.string().min(1).optional().describe("the environment rolled back, like production"),
  run_url: z.string().min(1).optional().describe("the CI run or dashboard that shows the failure"),
  details: z.string().min(1).optional().describe("more Markdown, shown under the timeline"),
  labels: z
    .array(z.string().min(1))
    .default(["incident", "release", "auto-rollback"])
    .describe("the issue's labels (default incident, release, auto-rollback)"),
  assignees: z
    .array(z.string().regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, "must be a GitHub login"))
    .default([])
    .describe("logins, with or without @ (assignees without push access are dropped by GitHub)"),
  template: z
    .string()
    .min(1)
    .optional()
    .describe(
      "the body, with {reason} {timeline} {facts} {details} {version} {previous_version} {environment} {run_url} {run_id}",
    ),
  dedupe: z.boolean().default(true).describe("reuse the open issue this run's step already opened"),
});

type Input = z.output<typeof input>;

function timelineMarkdown(entries: Input["timeline"], opened: Date): string {
  const lines = entries.map((entry) =>
    typeof entry === "string" ? `- ${entry}` : `- **${entry.at}** — ${entry.event}`,
  );
  lines.push(`- **${opened.toISOString()}** — incident opened by relctl`);
  return lines.join("\n");
}

export function incidentBody(value: Input, ctx: Pick<ActionContext, "clock" | "run" | "step">): string {
  const facts = [
    ["Version", value.version],
    ["Rolled back to", value.previous_version],
    ["Environment", value.environment],
    ["Run", value.run_url ?? ctx.run.id],
  ]
    .filter((fact): fact is [string, string] => fact[1] !== undefined)
    .map(([name, text]) => `**${name}**: ${text}`)
    .join("  \n");
  const fields: Fields = {
    reason: value.reason,
    timeline: timelineMarkdown(value.timeline, ctx.clock.now()),
    facts,
    details: value.details ? `### Details\n\n${value.details}` : null,
    version: value.version,
    previous_version: value.previous_version,
    environment: value.environment,
    run_url: value.run_url,
    run_id: ctx.run.id,
  };
  const { text, missing } = fillTemplate(value.template ?? DEFAULT_INCIDENT_TEMPLATE, fields);
  // A placeholder without a value: its line goes when it stands alone, otherwise it reads "—".
  const body = text
    .split("\n")
    .filter((line) => !missing.some((name) => line.trim() === `{${name}}`))
    .map((line) => missing.reduce((result, name) => result.replaceAll(`{${name}}`, "—"), line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
  return `${body}\n\n<sub>Opened by relctl, run \`${ctx.run.id}\`, step \`${ctx.step.stage}/${ctx.step.id}\`.</sub>\n${marker(ctx)}\n`;
}

const marker = (ctx: Pick<ActionContext, "run" | "step">) =>
  `<!-- relctl-incident: ${ctx.run.id}/${ctx.step.stage}/${ctx.step.id} -->`;

export function incidentAction(tuning: GitHubTuning) {
  return defineAction({
    description:
      "Open the incident issue for a rollback (labels incident, release, auto-rollback) with the reason and timeline",
    input,
    outputs: {
      number: "the issue's number",
      id: "the issue's id",
      url: "the issue's page (html_url)",
      created: "false when the step found the issue it opened on an earlier attempt",
    },
    mutates: true,
    plan: (value) => ({
      summary: `open the incident issue "${value.title}" in ${value.repository}${value.assignees.length ? `, assigned to ${value.assignees.join(", ")}` : ""}`,
      request: { method: "POST", url: apiUrl(value, `${repoPath(value)}/issues`) },
      details: { labels: value.labels, reason: value.reason },
    }),
    run: (ctx, value) =>
      guardedGitHub("github.incident", value, PERMISSION, async () => {
        const { octokit, owner, repo, budget } = openGitHub(ctx, value, tuning);
        if (value.dedupe) {
          const found = await findOpened(ctx, octokit, owner, repo, value.labels);
          if (found) {
            ctx.log.info(`incident #${found.number} was already opened by this step: ${found.html_url}`);
            return { number: found.number, id: found.id, url: found.html_url, created: false };
          }
        }
        const body = incidentBody(value, ctx);
        const { value: data } = await createOnce(ctx, budget, {
          what: "the incident issue",
          retryUnitMs: tuning.retryUnitMs,
          create: async () =>
            (
              await octokit.rest.issues.create({
                owner,
                repo,
                title: value.title,
                body,
                labels: value.labels,
                assignees: value.assignees.map((login) => login.replace(/^@/, "")),
                request: NO_RETRY,
              })
            ).data,
          // Even with dedupe off, an issue this very attempt opened is the one to keep.
          find: () => findOpened(ctx, octokit, owner, repo, value.labels),
        });
        ctx.log.info(`opened incident #${data.number}: ${data.html_url}`);
        return { number: data.number, id: data.id, url: data.html_url, created: true };
      }),
  });
}

async function findOpened(
  ctx: ActionContext,
  octokit: ReturnType<typeof openGitHub>["octokit"],
  owner: string,
  repo: string,
  labels: readonly string[],
) {
  const wanted = marker(ctx);
  let pages = 0;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: "open",
    ...(labels.length ? { labels: labels.join(",") } : {}),
    per_page: 100,
  })) {
    const found = page.data.find((issue) => issue.body?.includes(wanted));
    if (found) return found;
    if (++pages >= DEDUPE_PAGES) break;
  }
  return undefined;
}
