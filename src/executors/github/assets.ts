// Release assets: files uploaded to a release under a name. A same-named asset is replaced
// unless GitHub's digest shows it already holds the same bytes, so re-running a release step
// neither fails on "already_exists" nor uploads twice. A replacement is uploaded under a
// temporary name first; only once it is there is the old asset deleted and the new one renamed
// (GitHub's update-release-asset), so a failed upload never leaves the release without it.
import { readFile, stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { z } from "zod";
import { StepFailure, type ActionContext } from "../contract.js";
import { statusOf, uploadAllowanceMs, type OpenedRepository } from "./client.js";
import { createOnce, NO_RETRY } from "./create-once.js";
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
  /** uploaded (new), replaced (a same-named asset was swapped for it) or unchanged (same digest). */
  state: "uploaded" | "replaced" | "unchanged";
}

interface ExistingAsset {
  id: number;
  name: string;
  label?: string | null;
  size: number;
  browser_download_url: string;
  digest?: string | null;
  state?: string;
}

/** Where a replacement waits until the asset it replaces is deleted. */
export const pendingName = (name: string) => `${name}.relctl-new`;

export interface AssetTarget {
  owner: string;
  repo: string;
  releaseId: number;
  uploadUrl: string;
}

export async function syncAssets(
  ctx: ActionContext,
  client: Pick<OpenedRepository, "octokit" | "budget" | "slower"> & { retryUnitMs: number },
  target: AssetTarget,
  files: readonly AssetFile[],
): Promise<UploadedAsset[]> {
  if (files.length === 0) return [];
  const { octokit } = client;
  const { owner, repo, releaseId } = target;
  const listAssets = async () =>
    (await octokit.paginate(octokit.rest.repos.listReleaseAssets, {
      owner,
      repo,
      release_id: releaseId,
      per_page: 100,
    })) as ExistingAsset[];
  // A delete GitHub carried out but answered 5xx is retried, and the retry finds it gone: done.
  const deleteAsset = async (id: number) => {
    try {
      await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: id });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  };
  const existing = await listAssets();
  const results: UploadedAsset[] = [];
  for (const file of files) {
    const content = await readFile(file.path);
    const digest = sha256Digest(content);
    const same = existing.find((asset) => asset.name === file.name);
    if (same && same.digest === digest && (file.label === undefined || same.label === file.label)) {
      ctx.log.info(`asset ${file.name} is already on the release with the same content`);
      results.push({
        name: file.name,
        id: same.id,
        url: same.browser_download_url,
        size: same.size,
        state: "unchanged",
      });
      continue;
    }
    // A replacement an interrupted earlier run left behind: its bytes may be anything.
    const stale = existing.find((asset) => asset.name === pendingName(file.name));
    if (stale) await deleteAsset(stale.id);
    const uploadAs = same ? pendingName(file.name) : file.name;
    if (same) ctx.log.info(`replacing asset ${file.name}: uploading the new one as ${uploadAs} first`);
    const { value: uploaded } = await createOnce(ctx, client.budget, {
      what: `the asset ${uploadAs}`,
      retryUnitMs: client.retryUnitMs,
      create: async () =>
        (
          await octokit.rest.repos.uploadReleaseAsset({
            owner,
            repo,
            release_id: releaseId,
            // The release's own upload_url: uploads.github.com, or /api/uploads on GitHub Enterprise Server.
            url: target.uploadUrl,
            name: uploadAs,
            ...(file.label ? { label: file.label } : {}),
            data: content as unknown as string,
            headers: { "content-type": file.contentType },
            // request_timeout and retry_budget grow with the file: a big asset takes a while to send.
            request: { ...NO_RETRY, ...client.slower(uploadAllowanceMs(content.length)) },
          })
        ).data as ExistingAsset,
      find: async () => {
        const found = (await listAssets()).find((asset) => asset.name === uploadAs);
        if (found && found.state !== "starter" && found.digest === digest) return found;
        // A broken upload GitHub kept (state "starter"), or other bytes: clear the name for the retry.
        if (found) await deleteAsset(found.id);
        return undefined;
      },
    });
    let data = uploaded;
    if (same) {
      await deleteAsset(same.id);
      data = (
        await octokit.rest.repos.updateReleaseAsset({
          owner,
          repo,
          asset_id: uploaded.id,
          name: file.name,
          ...(file.label ? { label: file.label } : {}),
        })
      ).data as ExistingAsset;
    }
    ctx.log.info(`uploaded asset ${file.name} (${content.length} bytes)`);
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
