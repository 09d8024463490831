// A proxy in front of the real Prometheus, for what Prometheus itself will not do: fail some
// queries (a flaky load balancer), or rewrite a range query the way a caching query front-end
// does. Every request body it forwarded is kept.
import { createServer, type IncomingMessage } from "node:http";

export interface PrometheusProxy {
  url: string;
  /** Bodies of every request received, in order. */
  bodies: URLSearchParams[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Answer this request (0-based count) with a 503 instead of forwarding it. */
  fail?: (index: number) => boolean;
  /** Change the form parameters before forwarding. */
  rewrite?: (path: string, params: URLSearchParams) => void;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
}

export async function startProxy(upstream: string, options: ProxyOptions = {}): Promise<PrometheusProxy> {
  const bodies: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const params = new URLSearchParams(await readBody(req));
      const index = bodies.length;
      bodies.push(new URLSearchParams(params));
      if (options.fail?.(index)) {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ status: "error", errorType: "unavailable", error: "upstream connect error" }),
        );
        return;
      }
      const path = req.url ?? "/";
      options.rewrite?.(path, params);
      const answer = await fetch(`${upstream}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: params.toString(),
      });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(await answer.text());
    })().catch((error: unknown) => {
      res.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address !== "object") throw new Error("no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
