// A real Prometheus with deterministic data: OpenMetrics written here, backfilled with
// `promtool tsdb create-blocks-from openmetrics` into a temp TSDB, served on a free loopback
// port. Every test queries at explicit times (the manual clock starts at T0), so results never
// depend on when the test runs.
//
// Counters are scraped every 15s. The increments a sample adds belong to the minute m whose
// evaluation first sees them (m = ceil((t − T0) / 60s)), so a `rate(…[1m])` evaluated on the
// minute sees exactly one minute's phase: the expected value at every evaluation is exact.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary, startServer, tempDir, type RunningServer } from "../../helpers/servers.js";

/** 2026-11-22T10:00:00Z, where manualClock() starts. */
export const T0 = Date.parse("2026-11-22T10:00:00Z");
export const MINUTE = 60_000;
export const at = (minutes: number) => new Date(T0 + minutes * MINUTE);

const SCRAPE_S = 15;
const FIRST_S = -130 * 60;
const LAST_S = 60 * 60;
const PER_SCRAPE = 400;

/** Error ratio of a service's canary (or stable) track in minute m. */
const ERROR_RATIO: Record<string, (m: number) => number> = {
  // Healthy with one 1.5% minute at m=2 (breaks a hold, below the 2% rollback trigger).
  "checkout/canary": (m) => (m === 2 ? 0.015 : 0.005),
  "checkout/stable": () => 0.0025,
  // One 1.5% minute 90m before T0, then 3% from m=23 to m=39: the rollback case.
  "search/canary": (m) => (m === -90 ? 0.015 : m >= 23 && m < 40 ? 0.03 : 0.005),
  "search/stable": () => 0.0025,
};

/** Oracle series for the `for:` comparison: one value a minute from T0; null is a missing sample. */
export const ORACLE_VALUES: (number | null)[] = [
  0.005,
  0.005,
  0.005,
  0.005,
  0.015,
  0.004,
  0.004,
  0.004,
  0.004,
  0.004,
  0.004,
  0.004,
  Number.NaN,
  0.006,
  0.006,
  0.006,
  null,
  0.007,
  0.007,
  0.007,
  0.007,
  0.03,
  0.03,
  0.03,
  0.03,
  0.03,
  0.03,
  0.03,
  0.005,
  0.005,
  0.005,
  0.005,
];

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([name, value]) => `${name}="${value}"`)
    .join(",")}}`;
}

function scrapeTimes(until = LAST_S): number[] {
  const times: number[] = [];
  for (let s = FIRST_S; s <= until; s += SCRAPE_S) times.push(s);
  return times;
}

const minuteOf = (s: number) => Math.ceil(s / 60);
const ts = (s: number) => (T0 / 1000 + s).toString();

/** A counter that adds `increment(s)` at each scrape after the first. Big start values keep
 *  rate()'s extrapolation identical for every series (no clamp at zero), so ratios are exact. */
function counter(
  name: string,
  pairs: Record<string, string>,
  increment: (s: number) => number,
  until?: number,
): string[] {
  let value = 1e8;
  return scrapeTimes(until).map((s, index) => {
    if (index > 0) value += increment(s);
    return `${name}${labels(pairs)} ${value} ${ts(s)}`;
  });
}

function requests(
  service: string,
  track: string,
  ratio: (m: number) => number,
  total = PER_SCRAPE,
  until?: number,
) {
  const errors = (s: number) => Math.round(ratio(minuteOf(s)) * total);
  const pairs = { service, track };
  return [
    ...counter("http_requests_total", { ...pairs, code: "200" }, (s) => total - errors(s), until),
    ...counter("http_requests_total", { ...pairs, code: "500" }, errors, until),
  ];
}

/** Latency buckets: 90% ≤ 100ms, 96% ≤ 250ms, 99% ≤ 500ms: P95 is exactly 225ms. */
function latency(service: string, track: string): string[] {
  const share: [string, number][] = [
    ["0.1", 0.9],
    ["0.25", 0.96],
    ["0.5", 0.99],
    ["1", 1],
    ["+Inf", 1],
  ];
  const lines: string[] = [];
  for (const [le, fraction] of share) {
    lines.push(
      ...counter("http_request_duration_seconds_bucket", { service, track, le }, () => PER_SCRAPE * fraction),
    );
  }
  lines.push(...counter("http_request_duration_seconds_count", { service, track }, () => PER_SCRAPE));
  lines.push(...counter("http_request_duration_seconds_sum", { service, track }, () => PER_SCRAPE * 0.08));
  return lines;
}

function gauge(name: string, pairs: Record<string, string>, value: number): string[] {
  return scrapeTimes().map((s) => `${name}${labels(pairs)} ${om(value)} ${ts(s)}`);
}

export function om(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  return String(value);
}

export function openMetrics(): string {
  const lines: string[] = ["# TYPE http_requests counter"];
  for (const [key, ratio] of Object.entries(ERROR_RATIO)) {
    const [service, track] = key.split("/") as [string, string];
    lines.push(...requests(service, track, ratio));
  }
  // One request every 15s: far below any sensible min_traffic.
  lines.push(...requests("idle", "canary", () => 0, 1));
  // No requests at all: the error ratio is 0/0 = NaN, as for a canary nobody calls.
  lines.push(...requests("zero", "canary", () => 0, 0));
  // Scraping stopped 3 minutes before T0.
  lines.push(...requests("stale", "canary", () => 0.005, PER_SCRAPE, -180));
  lines.push("# TYPE http_request_duration_seconds histogram");
  for (const service of ["checkout", "search"])
    lines.push(...latency(service, "canary"), ...latency(service, "stable"));
  lines.push("# TYPE slo:error_budget_remaining gauge");
  lines.push(...gauge("slo:error_budget_remaining", { service: "api" }, 0.35));
  lines.push(...gauge("slo:error_budget_remaining", { service: "web" }, 0.05));
  lines.push("# TYPE relctl_test_ratio gauge");
  lines.push(...gauge("relctl_test_ratio", { case: "nan" }, Number.NaN));
  lines.push(...gauge("relctl_test_ratio", { case: "inf" }, Number.POSITIVE_INFINITY));
  for (const [pod, value] of [
    ["a", 0.004],
    ["b", 0.02],
    ["c", 0.001],
  ] as const) {
    lines.push(...gauge("relctl_test_ratio", { case: "multi", pod }, value));
  }
  lines.push("# TYPE relctl_oracle_ratio gauge");
  ORACLE_VALUES.forEach((value, k) => {
    if (value !== null) lines.push(`relctl_oracle_ratio{case="oracle"} ${om(value)} ${ts(k * 60)}`);
  });
  lines.push("# EOF", "");
  return lines.join("\n");
}

/** The runbook's canary error ratio for a service and track. */
export function errorRatio(service: string, track = "canary"): string {
  const selector = `service="${service}",track="${track}"`;
  return `sum(rate(http_requests_total{${selector},code=~"5.."}[1m])) / sum(rate(http_requests_total{${selector}}[1m]))`;
}

export function p95(service: string, track = "canary"): string {
  return `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="${service}",track="${track}"}[1m])))`;
}

export function traffic(service: string): string {
  return `sum(rate(http_requests_total{service="${service}",track="canary"}[1m]))`;
}

export interface TestPrometheus extends RunningServer {
  dir: string;
}

/** Backfills `data` (default: openMetrics()) and starts Prometheus on it. */
export async function startPrometheus(
  options: { data?: string; extraArgs?: string[]; config?: string } = {},
): Promise<TestPrometheus> {
  const promtool = requireBinary("promtool", "prometheus");
  const dir = tempDir("prometheus");
  const tsdb = join(dir, "tsdb");
  writeFileSync(join(dir, "data.om"), options.data ?? openMetrics());
  execFileSync(promtool, [
    "tsdb",
    "create-blocks-from",
    "openmetrics",
    "--quiet",
    join(dir, "data.om"),
    tsdb,
  ]);
  writeFileSync(join(dir, "prometheus.yml"), `global:\n  evaluation_interval: 1m\n${options.config ?? ""}`);
  const server = await startServer({
    binary: "prometheus",
    debianPackage: "prometheus",
    readyPath: "/-/ready",
    args: (port) => [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${tsdb}`,
      // Retention counts back from the newest block, not from now, but keep everything anyway.
      "--storage.tsdb.retention.time=100y",
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.extraArgs ?? []),
    ],
  });
  return { ...server, dir };
}
