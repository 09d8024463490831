// Taking one evaluation of a gate: every query at the same evaluation time (explicit `time=`,
// so a result can be reproduced later), run concurrently, each distinct query once.
import { evaluateMetric, type Measurement } from "../../gates/measurement.js";
import { evaluateFreshness, evaluateMinTraffic } from "../../gates/preconditions.js";
import type { QueryOutcome } from "../../gates/prom-result.js";
import { combineRound, type Round } from "../../gates/round.js";
import type { GateConfig } from "../../gates/rules.js";
import { applyWarningPolicy } from "../../gates/warnings.js";
import type { PrometheusClient } from "./client.js";
import { freshnessQuery } from "./gate-schema.js";

export async function measureRound(client: PrometheusClient, config: GateConfig, at: number): Promise<Round> {
  const time = new Date(at);
  const asked = new Map<string, Promise<QueryOutcome>>();
  const query = (text: string): Promise<QueryOutcome> => {
    let pending = asked.get(text);
    if (!pending) {
      pending = client.instant(text, time);
      asked.set(text, pending);
    }
    return pending;
  };
  const tasks: Promise<Measurement>[] = [];
  for (const [role, rules] of [
    ["metric", config.metrics],
    ["abort", config.abort],
  ] as const) {
    for (const rule of rules) {
      tasks.push(
        Promise.all([query(rule.query), rule.baseline ? query(rule.baseline.query) : undefined]).then(
          ([outcome, baseline]) => evaluateMetric(rule, role, at, outcome, baseline),
        ),
      );
    }
  }
  const traffic = config.minTraffic;
  if (traffic) tasks.push(query(traffic.query).then((outcome) => evaluateMinTraffic(traffic, at, outcome)));
  const freshness = config.freshness;
  if (freshness) {
    const text = freshnessQuery(freshness.selector);
    tasks.push(query(text).then((outcome) => evaluateFreshness(freshness, at, text, outcome)));
  }
  const measured = await Promise.all(tasks);
  return combineRound(
    at,
    measured.map((measurement) => applyWarningPolicy(measurement, config.onWarning)),
  );
}
