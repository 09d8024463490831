// A loopback stand-in for the GitHub REST API that answers with GitHub's documented request and
// response shapes for the endpoints the github executor uses: releases and their assets (uploads
// on a separate upload_url), issues, check runs, workflow runs, deployments and their statuses.
// Lists paginate with per_page/page and Link headers, like GitHub. It records every request and
// can be told to answer the next matching request with something else (a rate limit, a 5xx).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const TOKEN = "ghp_relctlTestToken0123456789abcdef";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: Buffer;
  json(): unknown;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Asset {
  id: number;
  name: string;
  label: string | null;
  content_type: string;
  size: number;
  digest: string;
  state: "uploaded";
  url: string;
  browser_download_url: string;
}

export interface Release {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  assets: Asset[];
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  assignees: string[];
  state: "open" | "closed";
}

export interface CheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  html_url?: string;
  details_url?: string;
}

export interface WorkflowRun {
  id: number;
  name: string;
  workflow_id: number;
  status: string;
  conclusion: string | null;
  created_at: string;
  event?: string;
}

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
  /** Every request so far, as "METHOD /path" (without the query). */
  calls(): string[];
  close(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest";

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const overrides: { method: string; path: RegExp; reply: Reply }[] = [];
  const state = {
    releases: [] as Release[],
    issues: [] as Issue[],
    checkRuns: new Map<string, CheckRun[]>(),
    workflowRuns: new Map<string, WorkflowRun[]>(),
    deployments: [] as Record<string, unknown>[],
    statuses: [] as Record<string, unknown>[],
  };
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
      if (override >= 0) {
        return send(res, overrides.splice(override, 1)[0]!.reply);
      }
      if (req.headers.authorization !== `token ${TOKEN}`) {
        return send(res, {
          status: 401,
          body: { message: "Bad credentials", documentation_url: DOCS, status: "401" },
        });
      }
      send(res, route(recorded, url));
    });
  });

  function send(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  const notFound = (): Reply => ({
    status: 404,
    body: { message: "Not Found", documentation_url: DOCS, status: "404" },
  });

  function page<T>(url: URL, items: T[]): { items: T[]; link?: string } {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
    const current = Number(url.searchParams.get("page") ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number) => {
      const next = new URL(url);
      next.searchParams.set("page", String(n));
      next.searchParams.set("per_page", String(perPage));
      return next.href;
    };
    const links: string[] = [];
    if (current > 1) links.push(`<${at(current - 1)}>; rel="prev"`);
    if (current < last) links.push(`<${at(current + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
    if (current > 1) links.push(`<${at(1)}>; rel="first"`);
    return {
      items: items.slice((current - 1) * perPage, current * perPage),
      ...(links.length ? { link: links.join(", ") } : {}),
    };
  }

  function list<T>(url: URL, items: T[], wrap?: (items: T[]) => unknown): Reply {
    const { items: shown, link } = page(url, items);
    return { status: 200, headers: link ? { link } : {}, body: wrap ? wrap(shown) : shown };
  }

  function releaseJson(release: Release, api: string, uploads: string, repo: string) {
    return {
      url: `${api}/repos/${repo}/releases/${release.id}`,
      html_url: `https://github.example/${repo}/releases/tag/${release.tag_name}`,
      assets_url: `${api}/repos/${repo}/releases/${release.id}/assets`,
      upload_url: `${uploads}/repos/${repo}/releases/${release.id}/assets{?name,label}`,
      id: release.id,
      node_id: `RE_${release.id}`,
      tag_name: release.tag_name,
      target_commitish: release.target_commitish,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      created_at: "2026-11-22T10:00:00Z",
      published_at: release.draft ? null : "2026-11-22T10:00:00Z",
      assets: release.assets,
    };
  }

  function route(request: RecordedRequest, url: URL): Reply {
    // GitHub Enterprise Server serves the API under /api/v3 and uploads under /api/uploads.
    const enterprise = url.pathname.startsWith("/api/");
    const api = `${origin}${enterprise ? "/api/v3" : ""}`;
    const uploads = `${origin}${enterprise ? "/api/uploads" : "/uploads"}`;
    const path = url.pathname.replace(/^\/api\/v3/, "").replace(/^\/api\/uploads|^\/uploads/, "/upload");
    const { method } = request;
    let match: RegExpExecArray | null;
    const json = () => request.json() as Record<string, unknown>;

    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/tags\/(.+)$/.exec(path)) && method === "GET") {
      const release = state.releases.find(
        (item) => item.tag_name === decodeURIComponent(match![2]!) && !item.draft,
      );
      return release ? { status: 200, body: releaseJson(release, api, uploads, match[1]!) } : notFound();
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases$/.exec(path))) {
      const repo = match[1]!;
      if (method === "GET")
        return list(
          url,
          state.releases.map((item) => releaseJson(item, api, uploads, repo)),
        );
      if (method === "POST") {
        const input = json();
        if (state.releases.some((item) => item.tag_name === input.tag_name)) {
          return {
            status: 422,
            body: {
              message: "Validation Failed",
              errors: [{ resource: "Release", code: "already_exists", field: "tag_name" }],
              documentation_url: DOCS,
            },
          };
        }
        const release: Release = {
          id: nextId++,
          tag_name: String(input.tag_name),
          target_commitish: String(input.target_commitish ?? "main"),
          name: (input.name as string | undefined) ?? null,
          body: (input.body as string | undefined) ?? null,
          draft: input.draft === true,
          prerelease: input.prerelease === true,
          assets: [],
        };
        state.releases.push(release);
        return { status: 201, body: releaseJson(release, api, uploads, repo) };
      }
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)$/.exec(path)) && method === "PATCH") {
      const release = state.releases.find((item) => item.id === Number(match![2]));
      if (!release) return notFound();
      const input = json();
      for (const key of ["name", "body", "draft", "prerelease", "tag_name", "target_commitish"] as const) {
        if (key in input) (release as unknown as Record<string, unknown>)[key] = input[key];
      }
      return { status: 200, body: releaseJson(release, api, uploads, match[1]!) };
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)\/assets$/.exec(path)) && method === "GET") {
      const release = state.releases.find((item) => item.id === Number(match![2]));
      return release ? list(url, release.assets) : notFound();
    }
    if (
      (match = /^\/upload\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)\/assets$/.exec(path)) &&
      method === "POST"
    ) {
      const release = state.releases.find((item) => item.id === Number(match![2]));
      if (!release) return notFound();
      const name = url.searchParams.get("name") ?? "";
      if (release.assets.some((asset) => asset.name === name)) {
        return {
          status: 422,
          body: {
            message: "Validation Failed",
            errors: [{ resource: "ReleaseAsset", code: "already_exists", field: "name" }],
            documentation_url: DOCS,
          },
        };
      }
      const id = nextId++;
      const asset: Asset = {
        id,
        name,
        label: url.searchParams.get("label"),
        content_type: String(request.headers["content-type"]),
        size: request.body.length,
        digest: `sha256:${createHash("sha256").update(request.body).digest("hex")}`,
        state: "uploaded",
        url: `${api}/repos/${match[1]}/releases/assets/${id}`,
        browser_download_url: `https://github.example/${match[1]}/releases/download/${release.tag_name}/${name}`,
      };
      release.assets.push(asset);
      return { status: 201, body: asset };
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/assets\/(\d+)$/.exec(path)) && method === "DELETE") {
      for (const release of state.releases) {
        const index = release.assets.findIndex((asset) => asset.id === Number(match![2]));
        if (index >= 0) {
          release.assets.splice(index, 1);
          return { status: 204 };
        }
      }
      return notFound();
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/issues$/.exec(path))) {
      const repo = match[1]!;
      const issueJson = (issue: Issue) => ({
        id: issue.id,
        number: issue.number,
        url: `${api}/repos/${repo}/issues/${issue.number}`,
        html_url: `https://github.example/${repo}/issues/${issue.number}`,
        title: issue.title,
        body: issue.body,
        state: issue.state,
        labels: issue.labels.map((name, index) => ({ id: index + 1, name })),
        assignees: issue.assignees.map((login) => ({ login })),
      });
      if (method === "GET") {
        const wanted = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
        const stateWanted = url.searchParams.get("state") ?? "open";
        const found = state.issues.filter(
          (issue) =>
            (stateWanted === "all" || issue.state === stateWanted) &&
            wanted.every((label) => issue.labels.includes(label)),
        );
        return list(url, found.map(issueJson));
      }
      if (method === "POST") {
        const input = json();
        const issue: Issue = {
          id: nextId++,
          number: state.issues.length + 1,
          title: String(input.title),
          body: (input.body as string | undefined) ?? null,
          labels: (input.labels as string[] | undefined) ?? [],
          assignees: (input.assignees as string[] | undefined) ?? [],
          state: "open",
        };
        state.issues.push(issue);
        return { status: 201, body: issueJson(issue) };
      }
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/check-runs$/.exec(path)) && method === "GET") {
      const runs = state.checkRuns.get(match[2]!) ?? [];
      return list(url, runs, (shown) => ({ total_count: runs.length, check_runs: shown }));
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/actions\/runs$/.exec(path)) && method === "GET") {
      const runs = state.workflowRuns.get(url.searchParams.get("head_sha") ?? "") ?? [];
      const repo = match[1]!;
      return list(
        url,
        runs.map((run) => ({ ...run, html_url: `https://github.example/${repo}/actions/runs/${run.id}` })),
        (shown) => ({ total_count: runs.length, workflow_runs: shown }),
      );
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/deployments$/.exec(path)) && method === "POST") {
      const input = json();
      const id = nextId++;
      const deployment = {
        url: `${api}/repos/${match[1]}/deployments/${id}`,
        id,
        node_id: `DE_${id}`,
        sha: "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
        ref: input.ref,
        task: input.task ?? "deploy",
        payload: input.payload ?? {},
        environment: input.environment ?? "production",
        description: input.description ?? null,
        statuses_url: `${api}/repos/${match[1]}/deployments/${id}/statuses`,
        created_at: "2026-11-22T10:00:00Z",
      };
      state.deployments.push(deployment);
      return { status: 201, body: deployment };
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/deployments\/(\d+)\/statuses$/.exec(path)) && method === "POST") {
      if (!state.deployments.some((item) => item.id === Number(match![2]))) return notFound();
      const input = json();
      const id = nextId++;
      const status = {
        url: `${api}/repos/${match[1]}/deployments/${match[2]}/statuses/${id}`,
        id,
        state: input.state,
        description: input.description ?? "",
        environment: input.environment ?? "production",
        log_url: input.log_url ?? "",
        environment_url: input.environment_url ?? "",
        deployment_url: `${api}/repos/${match[1]}/deployments/${match[2]}`,
      };
      state.statuses.push(status);
      return { status: 201, body: status };
    }
    return notFound();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    requests,
    ...state,
    failNext: (method, path, reply) => void overrides.push({ method, path, reply }),
    calls: () => requests.map((request) => `${request.method} ${request.path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
