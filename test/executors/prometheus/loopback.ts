// A loopback HTTP server that stands in for a broken (or merely recording) Prometheus: it
// answers however the test says and keeps every request it received.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: URLSearchParams;
}

export interface Loopback {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: ReceivedRequest, res: ServerResponse) => void;

export async function startLoopback(handler: Handler): Promise<Loopback> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: new URLSearchParams(text),
      };
      requests.push(received);
      handler(received, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address !== "object") throw new Error("no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

/** A healthy instant-query answer with one value. */
export function vectorAnswer(value: string, extra: Record<string, unknown> = {}) {
  return {
    status: "success",
    data: { resultType: "vector", result: [{ metric: {}, value: [1795341600, value] }] },
    ...extra,
  };
}
