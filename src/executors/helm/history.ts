// Reading a release's history (`helm history -o json`, oldest → newest) and status
// (`helm status -o json`, whose revision key is `version`), and the questions rollback asks of
// them: which revision is current, which one was last deployed successfully.
import { z } from "zod";
import type { ProcessResult } from "../../run/process.js";
import { lastLines, STDERR_TAIL_LINES } from "../../util/text.js";
import { StepFailure, type ActionContext } from "../contract.js";
import { runTool } from "../shared/command.js";
import { connectionArgs, helmError, helmFailure, type Connection } from "./common.js";

const historyEntry = z.object({
  revision: z.number().int(),
  updated: z.string().optional(),
  status: z.string(),
  chart: z.string().optional(),
  app_version: z.string().optional(),
  description: z.string().optional(),
  /** helm v4 only: the revision a rollback returned to. */
  rollback_revision: z.number().int().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

const statusRecord = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  version: z.number().int(),
  info: z
    .object({
      status: z.string(),
      first_deployed: z.string().optional(),
      last_deployed: z.string().optional(),
      description: z.string().optional(),
      notes: z.string().optional(),
    })
    .loose(),
  config: z.record(z.string(), z.unknown()).nullish(),
});
export type StatusRecord = z.infer<typeof statusRecord>;

/** Statuses of a revision that was running at some point and finished cleanly. */
const SUCCESSFUL = new Set(["deployed", "superseded"]);

export const isNotFound = (message: string): boolean => /release: not found/.test(message);

export function historyArgv(release: string, input: Connection, max?: number): string[] {
  return [
    "helm",
    "history",
    release,
    ...connectionArgs(input),
    "--output",
    "json",
    ...(max === undefined ? [] : ["--max", String(max)]),
  ];
}

export function statusArgv(release: string, input: Connection, revision?: number): string[] {
  return [
    "helm",
    "status",
    release,
    ...connectionArgs(input),
    "--output",
    "json",
    ...(revision === undefined ? [] : ["--revision", String(revision)]),
  ];
}

function parseJson<T>(schema: z.ZodType<T>, text: string, command: string[]): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StepFailure(`${command.slice(0, 2).join(" ")} printed something that is not JSON`, {
      command,
      stderrTail: lastLines(text, STDERR_TAIL_LINES),
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new StepFailure(
      `${command.slice(0, 2).join(" ")} printed JSON in an unexpected shape: ${parsed.error.issues[0]?.message ?? ""}`,
      { command, hint: "check the helm version with relctl doctor (v3 and v4 are supported)" },
    );
  }
  return parsed.data;
}

/** A read that found the release (value) or did not (value undefined; result says how). */
export interface ReadResult<T> {
  value: T | undefined;
  result: ProcessResult;
}

/** The history oldest → newest; value is undefined when the release does not exist. */
export async function queryHistory(
  ctx: ActionContext,
  release: string,
  input: Connection,
): Promise<ReadResult<HistoryEntry[]>> {
  const argv = historyArgv(release, input);
  const result = await runTool(ctx, argv);
  if (result.exitCode !== 0) {
    if (isNotFound(helmError(result))) return { value: undefined, result };
    throw helmFailure(`helm history ${release}`, result, release, input);
  }
  const entries = parseJson(z.array(historyEntry), result.stdout, argv);
  return { value: entries.sort((a, b) => a.revision - b.revision), result };
}

export async function readHistory(
  ctx: ActionContext,
  release: string,
  input: Connection,
): Promise<HistoryEntry[] | undefined> {
  return (await queryHistory(ctx, release, input)).value;
}

/** The release record; value is undefined when the release does not exist. */
export async function queryStatus(
  ctx: ActionContext,
  release: string,
  input: Connection,
  revision?: number,
): Promise<ReadResult<StatusRecord>> {
  const argv = statusArgv(release, input, revision);
  const result = await runTool(ctx, argv);
  if (result.exitCode !== 0) {
    if (isNotFound(helmError(result))) return { value: undefined, result };
    throw helmFailure(`helm status ${release}`, result, release, input);
  }
  return { value: parseJson(statusRecord, result.stdout, argv), result };
}

export const latest = (history: readonly HistoryEntry[] | undefined): HistoryEntry | undefined =>
  history?.[history.length - 1];

/** The revision serving now: the newest with status deployed. */
export function deployedRevision(history: readonly HistoryEntry[] | undefined): HistoryEntry | undefined {
  return [...(history ?? [])].reverse().find((entry) => entry.status === "deployed");
}

/**
 * Where "roll back to the previous release" should go: the newest revision older than the
 * current one that ran successfully. Helm's own default (current − 1) can be a failed revision,
 * e.g. after an atomic upgrade failed and helm already rolled back.
 */
export function previousSuccessful(history: readonly HistoryEntry[]): HistoryEntry | undefined {
  const current = latest(history);
  if (!current) return undefined;
  return [...history]
    .reverse()
    .find((entry) => entry.revision < current.revision && SUCCESSFUL.has(entry.status));
}

/** The revision a "Rollback to N" entry returned to (v4 says it in rollback_revision). */
export function rolledBackTo(entry: HistoryEntry | undefined): number | undefined {
  if (!entry) return undefined;
  if (entry.rollback_revision !== undefined && entry.rollback_revision > 0) return entry.rollback_revision;
  const match = /^Rollback to (\d+)/.exec(entry.description ?? "");
  return match ? Number(match[1]) : undefined;
}
