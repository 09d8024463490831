// prometheus.query and prometheus.query_range: read-only look-ups whose results later steps
// use (`${{ steps.budget.outputs.value }}`). Unlike a gate, a failed query fails the step: there
// is no verdict to fall back on. Values keep NaN/±Inf as Prometheus wrote them.
import { z } from "zod";
import { formatTime } from "../../gates/format.js";
import type { QueryOutcome, Sample } from "../../gates/prom-result.js";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import { connect } from "./client.js";
import { checkConnection, connectionFields, plannedUrl } from "./connection.js";
import { durationField, ms, parseTimestamp, queryField, timestampField } from "./fields.js";

const value = (sample: Sample): number | string =>
  Number.isFinite(sample.value) ? sample.value : sample.raw;

function succeeded(
  ctx: ActionContext,
  query: string,
  outcome: QueryOutcome,
): Extract<QueryOutcome, { ok: true }> {
  for (const warning of outcome.warnings) ctx.log.warn(`Prometheus: ${warning}`);
  if (outcome.ok) return outcome;
  throw new StepFailure(`Prometheus query failed: ${outcome.error}`, {
    hint: "check the query with promtool or the Prometheus UI, and that the server is reachable",
    outputs: { query, warnings: outcome.warnings },
  });
}

export const query = defineAction({
  description: "Evaluate a PromQL instant query",
  input: z
    .object({
      ...connectionFields,
      query: queryField,
      time: timestampField.optional().describe("evaluation time (default: now)"),
    })
    .superRefine(checkConnection),
  outputs: {
    value: "the value when the result is one series or a scalar (NaN/+Inf/-Inf as text); null otherwise",
    series: "every series: [{labels, value}]",
    count: "how many series the result has",
    result_type: "vector or scalar (or matrix for a subquery)",
    warnings: "Prometheus' warnings about the query",
    time: "the evaluation time (RFC 3339)",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `query Prometheus: ${input.query}`,
    request: { method: "POST", url: `${plannedUrl(input)}/api/v1/query` },
    query: input.query,
  }),
  run: async (ctx, input) => {
    const time = input.time !== undefined ? new Date(parseTimestamp(input.time)!) : ctx.clock.now();
    const result = succeeded(ctx, input.query, await connect(ctx, input).instant(input.query, time));
    const only = result.samples.length === 1 ? result.samples[0] : undefined;
    const outputs = {
      value: only ? value(only) : null,
      series: result.samples.map((sample) => ({ labels: sample.labels, value: value(sample) })),
      count: result.samples.length,
      result_type: result.resultType,
      warnings: result.warnings,
      time: formatTime(time.getTime()),
    };
    ctx.record("prometheus.query", { query: input.query, ...outputs });
    return outputs;
  },
});

export const queryRange = defineAction({
  description: "Evaluate a PromQL range query",
  input: z
    .object({
      ...connectionFields,
      query: queryField,
      start: timestampField.optional().describe("start of the range (or give `range`)"),
      end: timestampField.optional().describe("end of the range (default: now)"),
      range: durationField.optional().describe("length of the range ending at `end`, e.g. 2h"),
      step: durationField.default("1m").describe("resolution"),
    })
    .superRefine((input, ctx) => {
      checkConnection(input, ctx);
      if ((input.start === undefined) === (input.range === undefined)) {
        ctx.addIssue({ code: "custom", path: ["range"], message: "give start or range (not both)" });
      }
      if (ms(input.step) === 0)
        ctx.addIssue({ code: "custom", path: ["step"], message: "must be longer than 0s" });
    }),
  outputs: {
    series: "every series: [{labels, values: [[RFC 3339 time, value]]}]",
    count: "how many series the result has",
    warnings: "Prometheus' warnings about the query",
    start: "start of the range (RFC 3339)",
    end: "end of the range (RFC 3339)",
  },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `range query Prometheus${input.range !== undefined ? ` over the last ${input.range}` : ""}: ${input.query}`,
    request: { method: "POST", url: `${plannedUrl(input)}/api/v1/query_range` },
    query: input.query,
  }),
  run: async (ctx, input) => {
    const end = input.end !== undefined ? parseTimestamp(input.end)! : ctx.clock.now().getTime();
    const start = input.start !== undefined ? parseTimestamp(input.start)! : end - ms(input.range!);
    if (start > end)
      throw new StepFailure("the range starts after it ends", { hint: "check start, end and range" });
    const outcome = await connect(ctx, input).range(
      input.query,
      new Date(start),
      new Date(end),
      ms(input.step),
    );
    const result = succeeded(ctx, input.query, outcome);
    const bySeries = new Map<string, { labels: Sample["labels"]; values: [string, number | string][] }>();
    for (const sample of result.samples) {
      const key = JSON.stringify(sample.labels);
      const entry = bySeries.get(key) ?? { labels: sample.labels, values: [] };
      entry.values.push([formatTime(sample.time * 1000), value(sample)]);
      bySeries.set(key, entry);
    }
    const outputs = {
      series: [...bySeries.values()],
      count: bySeries.size,
      warnings: result.warnings,
      start: formatTime(start),
      end: formatTime(end),
    };
    ctx.record("prometheus.query_range", {
      query: input.query,
      count: outputs.count,
      start: outputs.start,
      end: outputs.end,
    });
    return outputs;
  },
});
