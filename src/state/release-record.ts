// Last known good: per environment, what each successful promote (and each rollback) left
// running. `relctl rollback` needs it within minutes and without archaeology, so it is an
// append-only JSON-lines file per environment (<stateDir>/releases/<env>.jsonl), fsync'd, read
// back with the same torn-line tolerance as the journal.
//
// A rollback appends a record too (the environment now runs that release again), naming the
// version it rolled back from; a rolled-back version is never offered as a rollback target again.
// When the local records are gone (a fresh CI runner), Helm's own release history is the
// fallback: see helmRollbackRevision.
import { z } from "zod";
import { appendJsonLine, readJsonLines } from "./jsonl.js";
import { releaseHistoryPath } from "./paths.js";

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, "an image digest is sha256:<64 hex>");

export const releaseRecordSchema = z.object({
  kind: z.enum(["promote", "rollback"]).default("promote"),
  environment: z.string().min(1),
  version: z.string().min(1),
  /** Unknown for a rollback recorded from Helm's history alone (no local records left). */
  gitSha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, "a git sha is hex")
    .optional(),
  tag: z.string().optional(),
  imageDigests: z.record(z.string(), digest).default({}),
  helmRevisions: z.record(z.string(), z.number().int().positive()).default({}),
  at: z.string().min(1),
  runId: z.string().min(1),
  /** For kind rollback: the version that was rolled back (it is not good). */
  rolledBackFrom: z.string().optional(),
});

export type ReleaseRecord = z.output<typeof releaseRecordSchema>;
export type ReleaseRecordInput = z.input<typeof releaseRecordSchema>;

/** Appends a record after a successful promote (kind "promote") or rollback (kind "rollback"). */
export function recordRelease(stateDir: string, record: ReleaseRecordInput): ReleaseRecord {
  const parsed = releaseRecordSchema.parse(record);
  appendJsonLine(releaseHistoryPath(stateDir, parsed.environment), parsed);
  return parsed;
}

/** Every record for an environment, oldest first. */
export function releaseHistory(stateDir: string, environment: string): ReleaseRecord[] {
  const file = releaseHistoryPath(stateDir, environment);
  return readJsonLines(file, (value) => {
    const result = releaseRecordSchema.safeParse(value);
    return result.success
      ? { ok: true, value: result.data }
      : {
          ok: false,
          problem: result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
        };
  }).records;
}

export interface KnownGood {
  /** What the environment runs now, as far as relctl recorded: the last known good release. */
  current?: ReleaseRecord;
  /** The rollback target: the latest earlier good release of a different version. */
  previous?: ReleaseRecord;
}

export function knownGood(stateDir: string, environment: string): KnownGood {
  return pickKnownGood(releaseHistory(stateDir, environment));
}

export function lastKnownGood(stateDir: string, environment: string): ReleaseRecord | undefined {
  return knownGood(stateDir, environment).current;
}

/** The pure half of knownGood, over a history oldest first. */
export function pickKnownGood(history: readonly ReleaseRecord[]): KnownGood {
  const current = history.at(-1);
  if (!current) return {};
  const bad = new Set(history.flatMap((record) => (record.rolledBackFrom ? [record.rolledBackFrom] : [])));
  for (let index = history.length - 2; index >= 0; index--) {
    const record = history[index]!;
    if (record.version !== current.version && !bad.has(record.version)) return { current, previous: record };
  }
  return { current };
}

/** One entry of `helm history <release> -o json`. */
export interface HelmHistoryEntry {
  revision: number;
  status: string;
  chart?: string;
  app_version?: string;
  updated?: string;
  description?: string;
}

const helmEntrySchema = z.looseObject({
  revision: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  status: z.string(),
  chart: z.string().optional(),
  app_version: z.string().optional(),
  updated: z.string().optional(),
  description: z.string().optional(),
});

export interface HelmRollbackChoice {
  /** The revision to pass to `helm rollback <release> <revision>`. */
  target: HelmHistoryEntry;
  current: HelmHistoryEntry;
  reason: string;
}

/**
 * Picks the revision to roll back to from Helm's history when relctl has no local record: the
 * last revision before the current one whose status says it once ran successfully (`deployed` or
 * `superseded`; `failed`, `pending-*` and `uninstalled` never count). The current one is the
 * revision given, else the newest: after a failed upgrade that is the failed revision, so the
 * target is the release that ran before it; after a good upgrade it is the deployed revision,
 * so the target is the one it superseded. Returns undefined when there is none.
 */
export function helmRollbackRevision(
  entries: readonly unknown[],
  options: { currentRevision?: number } = {},
): HelmRollbackChoice | undefined {
  const history = z
    .array(helmEntrySchema)
    .parse(entries)
    .map((entry) => entry as HelmHistoryEntry)
    .sort((a, b) => a.revision - b.revision);
  const current =
    (options.currentRevision !== undefined
      ? history.find((entry) => entry.revision === options.currentRevision)
      : undefined) ?? history.at(-1);
  if (!current) return undefined;
  const target = history
    .filter((entry) => entry.revision < current.revision && ["deployed", "superseded"].includes(entry.status))
    .at(-1);
  if (!target) return undefined;
  return {
    target,
    current,
    reason:
      `revision ${target.revision} (${target.chart ?? "?"}, app ${target.app_version ?? "?"}, ${target.status}) ` +
      `is the last good revision before the current ${current.revision} (${current.status})`,
  };
}
