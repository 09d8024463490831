// What the fake GitHub's resource routes share: recorded requests, replies, GitHub's error bodies,
// and lists that paginate with per_page/page and Link headers, like GitHub.
import type { IncomingMessage } from "node:http";

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

/** One request as a resource route sees it. */
export interface RouteContext {
  request: RecordedRequest;
  url: URL;
  method: string;
  /** The path with GitHub Enterprise's /api/v3 removed and the upload prefixes turned into /upload. */
  path: string;
  /** Where the API and the uploads are served, as links in bodies name them. */
  api: string;
  uploads: string;
  /** The request body as a JSON object. */
  json: () => Record<string, unknown>;
  /** A new id, unique across every resource of the fake. */
  nextId: () => number;
}

/** Answers the requests for one resource; undefined for a request it does not handle. */
export type Route = (context: RouteContext) => Reply | undefined;

export const DOCS = "https://docs.github.com/rest";

export const notFound = (): Reply => ({
  status: 404,
  body: { message: "Not Found", documentation_url: DOCS, status: "404" },
});

/** GitHub's 422 for a create that would make a second `resource` with the same `field`. */
export const alreadyExists = (resource: string, field: string): Reply => ({
  status: 422,
  body: {
    message: "Validation Failed",
    errors: [{ resource, code: "already_exists", field }],
    documentation_url: DOCS,
  },
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

/** One page of `items` with its Link header; `wrap` puts the page into an object, as some lists do. */
export function list<T>(url: URL, items: T[], wrap?: (items: T[]) => unknown): Reply {
  const { items: shown, link } = page(url, items);
  return { status: 200, headers: link ? { link } : {}, body: wrap ? wrap(shown) : shown };
}
