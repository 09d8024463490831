// How values, bounds, series and durations read in verdicts and live progress. The operator
// compares "0.42% <= 1%" at a glance; "0.0042 <= 0.01" makes them do arithmetic.
import type { Labels } from "./prom-result.js";
import type { Unit } from "./rules.js";

/** Up to 4 significant digits, no exponent for everyday magnitudes, trailing zeros dropped. */
function number(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(4)));
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return number(value);
  switch (unit) {
    case "ratio":
      return `${number(value * 100)}%`;
    case "seconds":
      return Math.abs(value) < 1 ? `${number(value * 1000)}ms` : `${number(value)}s`;
    case "number":
      return number(value);
  }
}

/** Compact durations for progress: 500ms, 45s, 3m, 1m30s, 2h, 1h05m. */
export function formatSpan(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return minutes === 0 ? `${hours}h` : `${hours}h${String(minutes).padStart(2, "0")}m`;
  if (minutes > 0) return seconds === 0 ? `${minutes}m` : `${minutes}m${String(seconds).padStart(2, "0")}s`;
  return `${seconds}s`;
}

/** `{pod="b", track="canary"}` without the metric name; empty for a single unlabelled value. */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels)
    .filter((name) => name !== "__name__")
    .sort();
  if (names.length === 0) return "";
  return `{${names.map((name) => `${name}=${JSON.stringify(labels[name])}`).join(", ")}}`;
}

/** ISO time without milliseconds: 2026-11-22T10:05:00Z. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.000Z$/, "Z");
}
