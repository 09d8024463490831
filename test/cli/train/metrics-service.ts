// A small service on loopback instrumented with prom-client, the way an app behind a canary is:
// http_requests_total by service, track (canary | stable) and code, a latency histogram, and the
// SLO error budget a recording rule would give. Requests arrive at a steady rate in wall time;
// the error ratio of each service/track is set by the test (and can be switched while it runs).
// A real Prometheus scrapes it every second.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Requests per second each track serves. */
const RPS = 200;

/**
 * Latencies of a typical batch of 100 requests, in seconds: P95 lands near 225 ms (within 200–299
 * ms: where a rate window cuts the cycle moves it a little, so tests match the range).
 */
const LATENCIES = [
  ...Array<number>(90).fill(0.05),
  ...Array<number>(6).fill(0.2),
  ...Array<number>(3).fill(0.4),
  0.8,
];

interface Track {
  errorRatio: number;
  /** Requests counted so far, fractional: whole ones are handed to prom-client. */
  pending: number;
  /** Requests observed so far: latencies cycle through LATENCIES across scrapes. */
  observed: number;
}

export interface MetricsService {
  url: string;
  /** host:port, as a scrape target. */
  target: string;
  /** Sets the error ratio of a service's track from now on (0.005 is 0.5%). */
  setErrorRatio(service: string, track: "canary" | "stable", ratio: number): void;
  close(): Promise<void>;
}

export async function startMetricsService(ratios: Record<string, number>): Promise<MetricsService> {
  const registry = new Registry();
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests served.",
    labelNames: ["service", "track", "code"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency.",
    labelNames: ["service", "track"] as const,
    buckets: [0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const budget = new Gauge({
    name: "slo:error_budget_remaining",
    help: "Share of the SLO error budget left (a recording rule in a real setup).",
    labelNames: ["service"] as const,
    registers: [registry],
  });

  const tracks = new Map<string, Track>();
  for (const [key, errorRatio] of Object.entries(ratios))
    tracks.set(key, { errorRatio, pending: 0, observed: 0 });
  let last = Date.now();

  // The requests since the last look arrive now, at the ratio in force until now.
  const advance = () => {
    const now = Date.now();
    const arrived = (RPS * (now - last)) / 1000;
    last = now;
    for (const [key, track] of tracks) {
      const [service = "", name = ""] = key.split("/");
      track.pending += arrived;
      const count = Math.floor(track.pending);
      track.pending -= count;
      const errors = count * track.errorRatio;
      requests.inc({ service, track: name, code: "500" }, errors);
      requests.inc({ service, track: name, code: "200" }, count - errors);
      for (let index = 0; index < count; index++) {
        latency.observe({ service, track: name }, LATENCIES[track.observed++ % LATENCIES.length]!);
      }
      budget.set({ service }, 0.5);
    }
  };

  const server = createServer((request, response) => {
    if (request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    advance();
    void registry.metrics().then((text) => {
      response.writeHead(200, { "content-type": registry.contentType });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    setErrorRatio(service, track, ratio) {
      advance();
      const existing = tracks.get(`${service}/${track}`);
      if (existing) existing.errorRatio = ratio;
      else tracks.set(`${service}/${track}`, { errorRatio: ratio, pending: 0, observed: 0 });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
