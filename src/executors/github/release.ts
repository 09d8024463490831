// github.release: create the release for a tag, or update it when one exists (drafts included),
// with notes from the input or a file (a changelog section) and assets replaced by name. A
// re-run converges on the same release instead of failing or duplicating it, and so does a
// create GitHub answered with a 5xx (or not at all): the tag is looked up before it is sent
// again, and a 422 already_exists turns into an update of the release that exists.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { extractNotes, listVersions } from "../../release/changelog/notes.js";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import { assetField, assetFiles, syncAssets } from "./assets.js";
import { createOnce, isAlreadyExists, NO_RETRY } from "./create-once.js";
import {
  apiUrl,
  connectionFields,
  guardedGitHub,
  openGitHub,
  repoPath,
  statusOf,
  type GitHubClient,
  type GitHubTuning,
} from "./client.js";

const PERMISSION = "contents: write";

const input = z
  .object({
    ...connectionFields,
    tag: z
      .string()
      .min(1)
      .refine((value) => !/\s/.test(value), "must not contain spaces")
      .describe("the tag the release is for (created from target when it does not exist)"),
    name: z.string().min(1).optional().describe("the release title (default: the tag; kept on update)"),
    target: z
      .string()
      .min(1)
      .optional()
      .describe("commit SHA or branch to create the tag from, when the tag does not exist yet"),
    notes: z.string().optional().describe("the release notes (Markdown)"),
    notes_file: z.string().min(1).optional().describe("read the notes from this file instead"),
    notes_version: z
      .string()
      .min(1)
      .optional()
      .describe("take only this version's section of notes_file (a Keep a Changelog file)"),
    draft: z.boolean().default(false).describe("keep the release a draft, unpublished (default false)"),
    prerelease: z.boolean().default(false).describe("mark the release as a pre-release (default false)"),
    make_latest: z
      .enum(["true", "false", "legacy"])
      .optional()
      .describe("whether GitHub marks it as the latest release (GitHub's default: true)"),
    assets: z.array(assetField).default([]).describe("files to attach; same-named assets are replaced"),
  })
  .superRefine((value, ctx) => {
    if (value.notes !== undefined && value.notes_file !== undefined) {
      ctx.addIssue({ code: "custom", path: ["notes_file"], message: "give notes or notes_file, not both" });
    }
    if (value.notes_version !== undefined && value.notes_file === undefined) {
      ctx.addIssue({ code: "custom", path: ["notes_version"], message: "notes_version needs notes_file" });
    }
  });

type Input = z.output<typeof input>;

async function readNotes(ctx: ActionContext, value: Input): Promise<string | undefined> {
  if (value.notes !== undefined) return value.notes;
  if (value.notes_file === undefined) return undefined;
  const path = resolve(ctx.cwd, value.notes_file);
  const content = await readFile(path, "utf8").catch(() => undefined);
  if (content === undefined) {
    throw new StepFailure(`the notes file ${value.notes_file} does not exist (looked at ${path})`);
  }
  if (value.notes_version === undefined) return content;
  const section = extractNotes(content, value.notes_version);
  if (!section) {
    const versions = listVersions(content).slice(0, 10);
    throw new StepFailure(`${value.notes_file} has no section for ${value.notes_version}`, {
      hint: versions.length ? `it has: ${versions.join(", ")}` : "it has no version sections yet",
    });
  }
  return section.notes;
}

type Release = Awaited<ReturnType<GitHubClient["rest"]["repos"]["getReleaseByTag"]>>["data"];

/** The published release for the tag, or a draft with that tag (drafts are only found by listing). */
async function findRelease(octokit: GitHubClient, owner: string, repo: string, tag: string) {
  try {
    return (await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })).data;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  for await (const page of octokit.paginate.iterator(octokit.rest.repos.listReleases, {
    owner,
    repo,
    per_page: 100,
  })) {
    const found = page.data.find((release) => release.tag_name === tag);
    if (found) return found as Release;
  }
  return undefined;
}

export function releaseAction(tuning: GitHubTuning) {
  return defineAction({
    description:
      "Create or update the GitHub release for a tag: notes from the input or a changelog section, assets replaced by name",
    input,
    outputs: {
      id: "the release's id",
      url: "the release's page (html_url)",
      api_url: "the release's API URL",
      upload_url: "where assets are uploaded",
      tag: "the tag",
      created: "true when this step created the release, false when it updated one",
      assets: "the assets handled: [{name, id, url, size, state: uploaded|replaced|unchanged}]",
    },
    mutates: true,
    plan: (value) => {
      const releases = `${repoPath(value)}/releases`;
      const assets = value.assets.map((asset) => (typeof asset === "string" ? asset : asset.path));
      return {
        summary: `create or update the GitHub release ${value.tag} in ${value.repository}${value.draft ? " (draft)" : ""}${value.prerelease ? " (pre-release)" : ""}${assets.length ? ` with ${assets.length} asset${assets.length === 1 ? "" : "s"}` : ""}`,
        request: { method: "POST", url: apiUrl(value, releases) },
        details: {
          find: `GET ${apiUrl(value, `${releases}/tags/${encodeURIComponent(value.tag)}`)}`,
          update: `PATCH ${apiUrl(value, `${releases}/{release_id}`)}`,
          ...(value.notes_file
            ? {
                notes: `${value.notes_file}${value.notes_version ? ` (section ${value.notes_version})` : ""}`,
              }
            : {}),
          ...(assets.length ? { assets } : {}),
        },
      };
    },
    run: (ctx, value) =>
      guardedGitHub(`github.release ${value.tag}`, value, PERMISSION, async () => {
        const body = await readNotes(ctx, value);
        const files = await assetFiles(ctx.cwd, value.assets);
        const { octokit, owner, repo, budget, slower } = openGitHub(ctx, value, tuning);
        let existing = await findRelease(octokit, owner, repo, value.tag);
        const fields = {
          ...(body !== undefined ? { body } : {}),
          draft: value.draft,
          prerelease: value.prerelease,
          ...(value.make_latest ? { make_latest: value.make_latest } : {}),
        };
        const update = async (found: Release) => {
          ctx.log.info(`updating release ${found.id} for ${value.tag}`);
          return (
            await octokit.rest.repos.updateRelease({
              owner,
              repo,
              release_id: found.id,
              ...(value.name ? { name: value.name } : {}),
              ...fields,
            })
          ).data;
        };
        let release: Release;
        if (existing) {
          release = await update(existing);
        } else {
          ctx.log.info(`creating the release for ${value.tag}`);
          try {
            release = (
              await createOnce(ctx, budget, {
                what: `the release ${value.tag}`,
                retryUnitMs: tuning.retryUnitMs,
                create: async () =>
                  (
                    await octokit.rest.repos.createRelease({
                      owner,
                      repo,
                      tag_name: value.tag,
                      name: value.name ?? value.tag,
                      ...(value.target ? { target_commitish: value.target } : {}),
                      ...fields,
                      request: NO_RETRY,
                    })
                  ).data,
                find: () => findRelease(octokit, owner, repo, value.tag),
              })
            ).value;
          } catch (error) {
            // Made meanwhile: by an earlier attempt whose answer was lost, or by another run.
            if (!isAlreadyExists(error)) throw error;
            const found = await findRelease(octokit, owner, repo, value.tag);
            if (!found) throw error;
            ctx.log.info(`the release for ${value.tag} exists already`);
            existing = found;
            release = await update(found);
          }
        }
        const assets = await syncAssets(
          ctx,
          { octokit, budget, slower, retryUnitMs: tuning.retryUnitMs },
          { owner, repo, releaseId: release.id, uploadUrl: release.upload_url },
          files,
        );
        return {
          id: release.id,
          url: release.html_url,
          api_url: release.url,
          upload_url: release.upload_url,
          tag: release.tag_name,
          created: existing === undefined,
          assets,
        };
      }),
  });
}
