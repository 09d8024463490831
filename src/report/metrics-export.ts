// Getting relctl's metrics out of the process once a run has ended: pushed to a Prometheus
// Pushgateway, or written for node_exporter's textfile collector. Both keep the same rule: a
// metric family this run left empty keeps its previous values (Pushgateway POST semantics), so
// the last successful release time survives a failed run.
//
// The push is plain fetch rather than prom-client's Pushgateway class: that class builds the
// path with encodeURIComponent only, so a grouping value with a "/" (a playbook path) or an empty
// one cannot be pushed, and it has no way to cancel a request. The Pushgateway API is one request.
import { randomBytes } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Registry } from "prom-client";

export class MetricsExportError extends Error {
  override readonly name = "MetricsExportError";
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One path segment pair: label/value, or label@base64/… when the value has a "/" or is empty. */
function segment(label: string, value: string): string {
  if (!LABEL_NAME.test(label))
    throw new MetricsExportError(`"${label}" is not a valid Prometheus label name`);
  if (value === "") return `/${label}@base64/=`;
  if (value.includes("/")) return `/${label}@base64/${Buffer.from(value).toString("base64url")}`;
  return `/${label}/${encodeURIComponent(value)}`;
}

/** The Pushgateway URL of a group: <gateway>/metrics/job/<job>/<label>/<value>… */
export function pushgatewayGroupUrl(
  gateway: string,
  job: string,
  grouping: Readonly<Record<string, string>> = {},
): string {
  if (job === "") throw new MetricsExportError("the Pushgateway job name must not be empty");
  const base = gateway.replace(/\/+$/, "");
  const rest = Object.entries(grouping)
    .map(([label, value]) => segment(label, value))
    .join("");
  return `${base}/metrics${segment("job", job)}${rest}`;
}

export interface PushOptions {
  /** POST (default) replaces only the families pushed; PUT replaces the whole group. */
  method?: "POST" | "PUT";
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
  /** Default 10s; a stuck Pushgateway must not hold up the end of a release. */
  timeoutMs?: number;
}

/**
 * Pushes the registry to a Pushgateway group. The grouping key should hold every label that
 * tells concurrent release lines apart (environment, service): a group holds one set of values.
 */
export async function pushMetrics(
  registry: Registry,
  pushgatewayUrl: string,
  job: string,
  grouping: Readonly<Record<string, string>> = {},
  options: PushOptions = {},
): Promise<void> {
  const url = pushgatewayGroupUrl(pushgatewayUrl, job, grouping);
  const method = options.method ?? "POST";
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(url, {
      method,
      headers: { "content-type": registry.contentType },
      body: await registry.metrics(),
      signal,
    });
  } catch (error) {
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new MetricsExportError(`could not push metrics to ${pushgatewayUrl}: ${reason}`, { cause: error });
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => "")).trim().slice(0, 2000);
    throw new MetricsExportError(
      `the Pushgateway at ${pushgatewayUrl} answered ${response.status} to ${method} ${new URL(url).pathname}${body ? `: ${body}` : ""}`,
    );
  }
}

interface Family {
  name: string;
  lines: string[];
  samples: number;
}

/** Splits Prometheus text exposition into metric families (each from its # HELP line). */
export function splitFamilies(text: string): Family[] {
  const families: Family[] = [];
  let current: Family | undefined;
  for (const line of text.split("\n")) {
    const help = /^# HELP (\S+)/.exec(line);
    if (help) {
      current = { name: help[1]!, lines: [], samples: 0 };
      families.push(current);
    }
    if (!current || line === "") continue;
    current.lines.push(line);
    if (!line.startsWith("#")) current.samples++;
  }
  return families;
}

/** Keeps the previous file's values for every family the new text leaves without samples. */
export function mergeWithPrevious(next: string, previous: string | undefined): string {
  const old = new Map(splitFamilies(previous ?? "").map((family) => [family.name, family]));
  return splitFamilies(next)
    .map((family) => {
      const kept = old.get(family.name);
      return family.samples === 0 && kept && kept.samples > 0 ? kept.lines : family.lines;
    })
    .map((lines) => `${lines.join("\n")}\n`)
    .join("\n");
}

/**
 * Writes the registry for node_exporter's textfile collector: to a temporary file in the same
 * directory (a name the collector ignores), flushed, then renamed over `path`, so the collector
 * never reads half a file.
 */
export async function writeTextfile(registry: Registry, path: string): Promise<void> {
  if (!path.endsWith(".prom")) {
    throw new MetricsExportError(
      `${path} does not end in .prom: node_exporter's textfile collector would ignore it`,
    );
  }
  const previous = await readFile(path, "utf8").catch(() => undefined);
  const text = mergeWithPrevious(await registry.metrics(), previous);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "w", 0o644);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new MetricsExportError(
      `could not write the metrics textfile ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
