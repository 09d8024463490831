// A real Prometheus (Debian `prometheus`) on a free loopback port with a temporary TSDB,
// scraping a loopback target every second, as a team's Prometheus scrapes the canary.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, tempDir, type RunningServer } from "../../helpers/servers.js";

export async function startScrapingPrometheus(target: string): Promise<RunningServer> {
  const dir = tempDir("train-prometheus");
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: app",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  return startServer({
    binary: "prometheus",
    debianPackage: "prometheus",
    readyPath: "/-/ready",
    args: (port) => [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
  });
}

/** The value of an instant query now, or undefined when the result is empty. */
export async function instantValue(prometheus: string, query: string): Promise<number | undefined> {
  const response = await fetch(`${prometheus}/api/v1/query`, {
    method: "POST",
    body: new URLSearchParams({ query }),
  });
  const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
  const first = body.data?.result?.[0];
  return first ? Number(first.value[1]) : undefined;
}

/** Waits until every query answers a number (Prometheus has scraped enough to compute rates). */
export async function waitForSeries(
  prometheus: string,
  queries: string[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const values = await Promise.all(queries.map((query) => instantValue(prometheus, query)));
    if (values.every((value) => value !== undefined && Number.isFinite(value))) return;
    if (Date.now() > deadline) {
      throw new Error(`Prometheus at ${prometheus} has no data yet for: ${queries.join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
