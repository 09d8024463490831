// A loopback stand-in for the GitHub REST API that answers with GitHub's documented request and
// response shapes for the endpoints the github executor uses: releases and their assets (uploads
// on a separate upload_url), issues, check runs, workflow runs, deployments and their statuses.
// Lists paginate with per_page/page and Link headers, like GitHub. It records every request and
// can be told to answer the next matching request with something else (a rate limit, a 5xx),
// to carry a request out and then answer it with something else (a 502 after creating: the
// ambiguous failure a client cannot tell from one that did nothing), or never to answer it.
// Each resource's endpoints live in fake-github/<resource>.ts; this file is the server.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkRoutes, type CheckRun, type WorkflowRun } from "./fake-github/checks.js";
import { deploymentRoutes } from "./fake-github/deployments.js";
import { DOCS, notFound, type RecordedRequest, type Reply, type Route } from "./fake-github/http.js";
import { issueRoutes, type Issue } from "./fake-github/issues.js";
import { releaseRoutes, type Release } from "./fake-github/releases.js";

export type { CheckRun, WorkflowRun } from "./fake-github/checks.js";
export type { RecordedRequest, Reply } from "./fake-github/http.js";
export type { Issue } from "./fake-github/issues.js";
export type { Release } from "./fake-github/releases.js";

export const TOKEN = "ghp_relctlTestToken0123456789abcdef";

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  releases: Release[];
  issues: Issue[];
  checkRuns: Map<string, CheckRun[]>;
  workflowRuns: Map<string, WorkflowRun[]>;
  deployments: Record<string, unknown>[];
  statuses: Record<string, unknown>[];
  /** The next request matching method and path is answered with `reply` instead. */
  failNext(method: string, path: RegExp, reply: Reply): void;
  /** The next request matching method and path is carried out, then answered with `reply`. */
  failAfter(method: string, path: RegExp, reply: Reply): void;
  /** The next request matching method and path is read and never answered. */
  hangNext(method: string, path: RegExp): void;
  /** Every request so far, as "METHOD /path" (without the query). */
  calls(): string[];
  close(): Promise<void>;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const overrides: {
    method: string;
    path: RegExp;
    mode: "instead" | "after" | "hang";
    reply: Reply;
  }[] = [];
  const state = {
    releases: [] as Release[],
    issues: [] as Issue[],
    checkRuns: new Map<string, CheckRun[]>(),
    workflowRuns: new Map<string, WorkflowRun[]>(),
    deployments: [] as Record<string, unknown>[],
    statuses: [] as Record<string, unknown>[],
  };
  const routes: Route[] = [
    releaseRoutes(state.releases),
    issueRoutes(state.issues),
    checkRoutes(state.checkRuns, state.workflowRuns),
    deploymentRoutes(state.deployments, state.statuses),
  ];
  let nextId = 1000;
  let origin = "";

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", origin);
      const body = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        json: () => JSON.parse(body.toString("utf8")) as unknown,
      };
      requests.push(recorded);
      const override = overrides.findIndex(
        (item) => item.method === recorded.method && item.path.test(url.pathname),
      );
      const taken = override >= 0 ? overrides.splice(override, 1)[0]! : undefined;
      if (taken?.mode === "hang") return;
      if (taken?.mode === "instead") return send(res, taken.reply);
      if (req.headers.authorization !== `token ${TOKEN}`) {
        return send(res, {
          status: 401,
          body: { message: "Bad credentials", documentation_url: DOCS, status: "401" },
        });
      }
      const answer = route(recorded, url);
      send(res, taken?.mode === "after" ? taken.reply : answer);
    });
  });

  function send(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  function route(request: RecordedRequest, url: URL): Reply {
    // GitHub Enterprise Server serves the API under /api/v3 and uploads under /api/uploads.
    const enterprise = url.pathname.startsWith("/api/");
    const context = {
      request,
      url,
      method: request.method,
      path: url.pathname.replace(/^\/api\/v3/, "").replace(/^\/api\/uploads|^\/uploads/, "/upload"),
      api: `${origin}${enterprise ? "/api/v3" : ""}`,
      uploads: `${origin}${enterprise ? "/api/uploads" : "/uploads"}`,
      json: () => request.json() as Record<string, unknown>,
      nextId: () => nextId++,
    };
    for (const answer of routes) {
      const reply = answer(context);
      if (reply) return reply;
    }
    return notFound();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    requests,
    ...state,
    failNext: (method, path, reply) => void overrides.push({ method, path, mode: "instead", reply }),
    failAfter: (method, path, reply) => void overrides.push({ method, path, mode: "after", reply }),
    hangNext: (method, path) => void overrides.push({ method, path, mode: "hang", reply: { status: 0 } }),
    calls: () => requests.map((request) => `${request.method} ${request.path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
