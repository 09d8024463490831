// Release assets: files uploaded to a release under a name. A same-named asset is replaced
// (deleted, then uploaded again) unless GitHub's digest shows it already holds the same bytes,
// so re-running a release step neither fails on "already_exists" nor uploads twice.
import { readFile, stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { z } from "zod";
import { StepFailure } from "../contract.js";
import type { GitHubClient } from "./client.js";
import { sha256Digest } from "../../util/hash.js";

/** GitHub renames other characters, which would break matching by name on a re-run. */
const ASSET_NAME = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/;
const assetName = z
  .string()
  .regex(ASSET_NAME, "may hold only letters, digits and . _ + - (and not start with a dot)");

export const assetField = z.union([
  z.string().min(1),
  z.object({
    path: z.string().min(1).describe("the file, relative to the run's directory"),
    name: assetName.optional().describe("the asset's name (default: the file's name)"),
    label: z.string().min(1).optional().describe("the text GitHub shows instead of the name"),
    content_type: z.string().min(1).optional().describe("default: from the file's extension"),
  }),
]);

export type AssetInput = z.output<typeof assetField>;

export interface AssetFile {
  path: string;
  name: string;
  label?: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".json": "application/json",
  ".jsonl": "application/x-ndjson",
  ".gz": "application/gzip",
  ".tgz": "application/gzip",
  ".zip": "application/zip",
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".yaml": "application/yaml",
  ".yml": "application/yaml",
  ".pem": "application/x-pem-file",
  ".pub": "application/x-pem-file",
  ".sig": "application/octet-stream",
  ".intoto": "application/vnd.in-toto+json",
};

export function contentTypeFor(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith(".tar.gz")) return "application/gzip";
  if (lower.endsWith(".spdx.json") || lower.endsWith(".cdx.json")) return "application/json";
  return CONTENT_TYPES[extname(lower)] ?? "application/octet-stream";
}

/** Resolves and checks every asset before anything is sent: a missing file fails first. */
export async function assetFiles(cwd: string, inputs: readonly AssetInput[]): Promise<AssetFile[]> {
  const files: AssetFile[] = [];
  for (const input of inputs) {
    const spec = typeof input === "string" ? { path: input } : input;
    const path = resolve(cwd, spec.path);
    const name = ("name" in spec ? spec.name : undefined) ?? basename(path);
    if (!ASSET_NAME.test(name)) {
      throw new StepFailure(`the asset name ${JSON.stringify(name)} would be renamed by GitHub`, {
        hint: "give the asset a name: of letters, digits and . _ + -",
      });
    }
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      throw new StepFailure(`the asset ${spec.path} does not exist (looked at ${path})`, {
        hint: "build it in an earlier step, or fix the path (relative to the run's directory)",
      });
    }
    if (files.some((file) => file.name === name)) {
      throw new StepFailure(`two assets are named ${name}`, { hint: "give one of them another name:" });
    }
    files.push({
      path,
      name,
      ...("label" in spec && spec.label ? { label: spec.label } : {}),
      contentType: ("content_type" in spec ? spec.content_type : undefined) ?? contentTypeFor(name),
    });
  }
  return files;
}

export interface UploadedAsset {
  name: string;
  id: number;
  url: string;
  size: number;
  /** uploaded (new), replaced (a same-named asset was deleted first) or unchanged (same digest). */
  state: "uploaded" | "replaced" | "unchanged";
}

interface ExistingAsset {
  id: number;
  name: string;
  label?: string | null;
  size: number;
  browser_download_url: string;
  digest?: string | null;
}

export async function syncAssets(
  octokit: GitHubClient,
  target: { owner: string; repo: string; releaseId: number; uploadUrl: string },
  files: readonly AssetFile[],
  log: (message: string) => void,
): Promise<UploadedAsset[]> {
  if (files.length === 0) return [];
  const { owner, repo, releaseId } = target;
  const existing = (await octokit.paginate(octokit.rest.repos.listReleaseAssets, {
    owner,
    repo,
    release_id: releaseId,
    per_page: 100,
  })) as ExistingAsset[];
  const results: UploadedAsset[] = [];
  for (const file of files) {
    const content = await readFile(file.path);
    const digest = sha256Digest(content);
    const same = existing.find((asset) => asset.name === file.name);
    if (same && same.digest === digest && (file.label === undefined || same.label === file.label)) {
      log(`asset ${file.name} is already on the release with the same content`);
      results.push({
        name: file.name,
        id: same.id,
        url: same.browser_download_url,
        size: same.size,
        state: "unchanged",
      });
      continue;
    }
    if (same) {
      log(`replacing asset ${file.name}`);
      await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: same.id });
    }
    const { data } = await octokit.rest.repos.uploadReleaseAsset({
      owner,
      repo,
      release_id: releaseId,
      // The release's own upload_url: uploads.github.com, or /api/uploads on GitHub Enterprise Server.
      url: target.uploadUrl,
      name: file.name,
      ...(file.label ? { label: file.label } : {}),
      data: content as unknown as string,
      headers: { "content-type": file.contentType },
    });
    log(`uploaded asset ${file.name} (${content.length} bytes)`);
    results.push({
      name: data.name,
      id: data.id,
      url: data.browser_download_url,
      size: data.size,
      state: same ? "replaced" : "uploaded",
    });
  }
  return results;
}
