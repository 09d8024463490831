// Last known good: per environment, what each successful promote (and each rollback) left
// running. `relctl rollback` needs it within minutes and without archaeology, so it is an
// append-only JSON-lines file per environment (<stateDir>/releases/<env>.jsonl), fsync'd, read
// back with the same torn-line tolerance as the journal.
//
// A rollback appends a record too (the environment now runs that release again), naming the
// version it rolled back from; a rolled-back version is never offered as a rollback target again.
// When the local records are gone (a fresh CI runner), Helm's own release history is the
// fallback: helm.rollback picks its target there (previousSuccessful in executors/helm/history.ts).
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
