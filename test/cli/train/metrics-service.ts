// A small service on loopback that serves /metrics the way an instrumented app behind a canary
// does: http_requests_total by service, track (canary | stable) and code, and a latency
// histogram, growing with wall time at a steady request rate. The error ratio of each
// service/track is set by the test (and can be switched while it runs); a real Prometheus
// scrapes it every second.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** Requests per second each track serves. */
const RPS = 200;

/** Share of requests at or under each bucket bound: P95 lands at 225ms. */
const BUCKETS: [string, number][] = [
  ["0.1", 0.9],
  ["0.25", 0.96],
  ["0.5", 0.99],
  ["1", 1],
  ["+Inf", 1],
];

interface Track {
  errorRatio: number;
  ok: number;
  errors: number;
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
  const tracks = new Map<string, Track>();
  for (const [key, errorRatio] of Object.entries(ratios)) tracks.set(key, { errorRatio, ok: 0, errors: 0 });
  let last = Date.now();

  // Counters advance by the time since the last look, at the ratio in force then.
  const advance = () => {
    const now = Date.now();
    const requests = (RPS * (now - last)) / 1000;
    last = now;
    for (const track of tracks.values()) {
      track.errors += requests * track.errorRatio;
      track.ok += requests * (1 - track.errorRatio);
    }
  };

  const exposition = (): string => {
    advance();
    const lines = ["# TYPE http_requests_total counter"];
    for (const [key, track] of tracks) {
      const [service, name] = key.split("/");
      const labels = `service="${service}",track="${name}"`;
      lines.push(`http_requests_total{${labels},code="200"} ${track.ok}`);
      lines.push(`http_requests_total{${labels},code="500"} ${track.errors}`);
    }
    lines.push("# TYPE http_request_duration_seconds histogram");
    for (const [key, track] of tracks) {
      const [service, name] = key.split("/");
      const labels = `service="${service}",track="${name}"`;
      const total = track.ok + track.errors;
      for (const [le, share] of BUCKETS) {
        lines.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${total * share}`);
      }
      lines.push(`http_request_duration_seconds_count{${labels}} ${total}`);
      lines.push(`http_request_duration_seconds_sum{${labels}} ${total * 0.08}`);
    }
    return `${lines.join("\n")}\n`;
  };

  const server = createServer((request, response) => {
    if (request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    response.end(exposition());
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
      else tracks.set(`${service}/${track}`, { errorRatio: ratio, ok: 0, errors: 0 });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
