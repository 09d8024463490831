// How a query reaches Prometheus. Normally through ctx.fetch (the engine's seam). With a
// custom CA file, through node:https with that CA instead, because Node 20's fetch can only
// trust another CA through an undici Agent passed as `dispatcher`, and Node does not expose
// its bundled undici (the `undici` package would be a new dependency); NODE_EXTRA_CA_CERTS is
// read only at process start, and tls.setDefaultCACertificates arrived after Node 20.
import { request } from "node:https";

export interface HttpRequest {
  url: URL;
  headers: Record<string, string>;
  /** application/x-www-form-urlencoded: long queries do not fit in a URL. */
  body: string;
  signal: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpAnswer>;

/** A proxy or a wrong address can answer with anything; nothing a query returns is this big. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function fetchTransport(fetchImpl: typeof globalThis.fetch): Transport {
  return async (req) => {
    const response = await fetchImpl(req.url, {
      method: "POST",
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      redirect: "follow",
    });
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > MAX_BODY_BYTES) {
      await response.body?.cancel();
      return { status: response.status, text: `(answer of ${length} bytes refused)` };
    }
    return { status: response.status, text: await response.text() };
  };
}

/** HTTPS that trusts `ca` (PEM). Certificates are still verified: a custom CA is not "insecure". */
export function httpsTransport(ca: Buffer): Transport {
  return (req) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const outgoing = request(
        req.url,
        {
          method: "POST",
          headers: { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) },
          ca,
          signal: req.signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES)
              response.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
            else chunks.push(chunk);
          });
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(req.body);
    });
}
