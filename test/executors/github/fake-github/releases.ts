// Releases and their assets in the fake GitHub; assets are uploaded on the separate upload_url.
import { createHash } from "node:crypto";
import { alreadyExists, list, notFound, type Route } from "./http.js";

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

export function releaseRoutes(releases: Release[]): Route {
  return ({ request, url, method, path, api, uploads, json, nextId }) => {
    let match: RegExpExecArray | null;

    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/tags\/(.+)$/.exec(path)) && method === "GET") {
      const release = releases.find(
        (item) => item.tag_name === decodeURIComponent(match![2]!) && !item.draft,
      );
      return release ? { status: 200, body: releaseJson(release, api, uploads, match[1]!) } : notFound();
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases$/.exec(path))) {
      const repo = match[1]!;
      if (method === "GET")
        return list(
          url,
          releases.map((item) => releaseJson(item, api, uploads, repo)),
        );
      if (method === "POST") {
        const input = json();
        if (releases.some((item) => item.tag_name === input.tag_name)) {
          return alreadyExists("Release", "tag_name");
        }
        const release: Release = {
          id: nextId(),
          tag_name: String(input.tag_name),
          target_commitish: String(input.target_commitish ?? "main"),
          name: (input.name as string | undefined) ?? null,
          body: (input.body as string | undefined) ?? null,
          draft: input.draft === true,
          prerelease: input.prerelease === true,
          assets: [],
        };
        releases.push(release);
        return { status: 201, body: releaseJson(release, api, uploads, repo) };
      }
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)$/.exec(path)) && method === "PATCH") {
      const release = releases.find((item) => item.id === Number(match![2]));
      if (!release) return notFound();
      const input = json();
      for (const key of ["name", "body", "draft", "prerelease", "tag_name", "target_commitish"] as const) {
        if (key in input) (release as unknown as Record<string, unknown>)[key] = input[key];
      }
      return { status: 200, body: releaseJson(release, api, uploads, match[1]!) };
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)\/assets$/.exec(path)) && method === "GET") {
      const release = releases.find((item) => item.id === Number(match![2]));
      return release ? list(url, release.assets) : notFound();
    }
    if (
      (match = /^\/upload\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)\/assets$/.exec(path)) &&
      method === "POST"
    ) {
      const release = releases.find((item) => item.id === Number(match![2]));
      if (!release) return notFound();
      const name = url.searchParams.get("name") ?? "";
      if (release.assets.some((asset) => asset.name === name)) {
        return alreadyExists("ReleaseAsset", "name");
      }
      const id = nextId();
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
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/assets\/(\d+)$/.exec(path)) && method === "PATCH") {
      // Update a release asset: name, label (and state, which relctl never sets).
      const release = releases.find((item) => item.assets.some((asset) => asset.id === Number(match![2])));
      const asset = release?.assets.find((item) => item.id === Number(match![2]));
      if (!release || !asset) return notFound();
      const input = json();
      if (typeof input.name === "string" && input.name !== asset.name) {
        if (release.assets.some((other) => other.name === input.name)) {
          return alreadyExists("ReleaseAsset", "name");
        }
        asset.name = input.name;
        asset.browser_download_url = `https://github.example/${match[1]}/releases/download/${release.tag_name}/${input.name}`;
      }
      if (typeof input.label === "string") asset.label = input.label;
      return { status: 200, body: asset };
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/releases\/assets\/(\d+)$/.exec(path)) && method === "DELETE") {
      for (const release of releases) {
        const index = release.assets.findIndex((asset) => asset.id === Number(match![2]));
        if (index >= 0) {
          release.assets.splice(index, 1);
          return { status: 204 };
        }
      }
      return notFound();
    }
    return undefined;
  };
}
