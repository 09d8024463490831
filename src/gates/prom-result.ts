// Turning a Prometheus HTTP API answer into samples, or into a query error. Anything that is
// not a well-formed success (HTTP error, errorType, HTML from a proxy, truncated JSON, a sample
// value that is not a number) becomes an error outcome: it is reported, never guessed at.
import { z } from "zod";

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  /** The sample value as Prometheus sent it ("0.0049", "NaN", "+Inf"). */
  raw: string;
  /** The parsed value; NaN and ±Infinity are kept, never turned into 0. */
  value: number;
  /** Unix seconds of the sample (for an instant query: the evaluation time). */
  time: number;
}

export type ResultType = "vector" | "scalar" | "matrix";

export type QueryOutcome =
  | { ok: true; resultType: ResultType; samples: Sample[]; warnings: string[] }
  | { ok: false; error: string; warnings: string[] };

const point = z.tuple([z.number(), z.string()]);
const labels = z.record(z.string(), z.string());
const data = z.discriminatedUnion("resultType", [
  z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: labels, value: point })) }),
  z.object({
    resultType: z.literal("matrix"),
    result: z.array(z.object({ metric: labels, values: z.array(point) })),
  }),
  z.object({ resultType: z.literal("scalar"), result: point }),
  z.object({ resultType: z.literal("string"), result: point }),
]);
const body = z.object({
  status: z.enum(["success", "error"]),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

/** Prometheus writes non-finite values as "NaN", "+Inf" and "-Inf"; JavaScript's Number("+Inf") is NaN. */
export function parseSampleValue(raw: string): number | undefined {
  if (raw === "NaN") return Number.NaN;
  if (raw === "+Inf" || raw === "Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  if (raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isNaN(value) ? undefined : value;
}

/** Reads one answer of /api/v1/query or /api/v1/query_range. */
export function parsePrometheusResponse(status: number, text: string): QueryOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure(`HTTP ${status}: the answer is not JSON: ${excerpt(text)}`);
  }
  const parsed = body.safeParse(json);
  if (!parsed.success) return failure(`HTTP ${status}: not a Prometheus API answer: ${excerpt(text)}`);
  const warnings = parsed.data.warnings ?? [];
  if (parsed.data.status === "error") {
    const kind = parsed.data.errorType ? `${parsed.data.errorType}: ` : "";
    return failure(`HTTP ${status}: ${kind}${parsed.data.error ?? "query failed"}`, warnings);
  }
  if (status < 200 || status > 299) return failure(`HTTP ${status} with a success body`, warnings);
  const result = data.safeParse(parsed.data.data);
  if (!result.success) return failure(`HTTP ${status}: unexpected result shape: ${excerpt(text)}`, warnings);
  return toSamples(result.data, warnings);
}

function toSamples(result: z.output<typeof data>, warnings: string[]): QueryOutcome {
  const samples: Sample[] = [];
  const add = (metric: Labels, [time, raw]: [number, string]): string | undefined => {
    const value = parseSampleValue(raw);
    if (value === undefined) return `sample value ${JSON.stringify(raw)} is not a number`;
    samples.push({ labels: metric, raw, value, time });
    return undefined;
  };
  let problem: string | undefined;
  switch (result.resultType) {
    case "string":
      return failure("the query returned a string, not a number", warnings);
    case "scalar":
      problem = add({}, result.result);
      break;
    case "vector":
      for (const series of result.result) problem ??= add(series.metric, series.value);
      break;
    case "matrix":
      for (const series of result.result) for (const p of series.values) problem ??= add(series.metric, p);
      break;
  }
  if (problem) return failure(problem, warnings);
  return { ok: true, resultType: result.resultType, samples, warnings };
}

function failure(error: string, warnings: string[] = []): QueryOutcome {
  return { ok: false, error, warnings };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(empty body)";
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}
