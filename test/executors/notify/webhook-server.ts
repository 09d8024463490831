// A loopback webhook receiver: records every request and answers from a queue of replies (then
// with the default: 200 "ok", as Slack does).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): unknown;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface WebhookServer {
  url: string;
  received: Received[];
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startWebhookServer(
  fallback: Reply = { status: 200, body: "ok" },
): Promise<WebhookServer> {
  const received: Received[] = [];
  const queue: Reply[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        json: () => JSON.parse(body) as unknown,
      });
      const reply = queue.shift() ?? fallback;
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    reply: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
