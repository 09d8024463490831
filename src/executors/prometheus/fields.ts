// Input fields the Prometheus actions share. Durations and timestamps stay as written in the
// schema (so the JSON Schema generated from it stays honest) and are converted when used.
import { z } from "zod";
import { parseDuration } from "../../util/duration.js";
import { refuseWait } from "../shared/fields.js";

export const durationField = z
  .union([z.string(), z.number().nonnegative()])
  .refine((value) => parseDuration(value) !== undefined, "must be a duration like 30s, 5m or 1h30m");

/**
 * A duration the gate waits on (interval, hold, timeouts, a pause's deadline): at most MAX_WAIT.
 * Windows of past data (range, lookback, for, max_age) are durationField: they are not waits.
 */
export const waitField = durationField.superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (parsed !== undefined) refuseWait(ctx, parsed, value);
});

/** Milliseconds of a duration the schema already checked. */
export function ms(value: string | number): number {
  return parseDuration(value)!;
}

export function optionalMs(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : ms(value);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Unix seconds (a number or numeric text, as Prometheus takes them) or RFC 3339 with a zone. */
export function parseTimestamp(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value * 1000 : undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!RFC3339.test(text)) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export const timestampField = z
  .union([z.string(), z.number()])
  .refine(
    (value) => parseTimestamp(value) !== undefined,
    "must be unix seconds or an RFC 3339 time with a zone (2026-11-22T10:00:00Z)",
  );

export const queryField = z
  .string()
  .refine((value) => value.trim() !== "", "must not be empty")
  .describe("PromQL, sent exactly as written (after ${{ }} expressions are rendered)")
  .meta({
    examples: ['sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'],
  });

export const unitField = z
  .enum(["ratio", "seconds", "number"])
  .default("number")
  .describe(
    "how values are shown: ratio as a percentage (0.0042 → 0.42%), seconds as 412ms / 1.5s, or a number",
  );

const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/**
 * A number, or text that is exactly a number: `${{ vars.max_error_rate }}` set with
 * `--var max_error_rate=0.005` arrives as a string. Anything else is left for `schema` to refuse.
 */
export function numeric<T extends z.ZodType<number>>(schema: T) {
  return z.preprocess(
    (value) => (typeof value === "string" && NUMERIC.test(value.trim()) ? Number(value) : value),
    schema,
  );
}
