// The evidence manifest, and the part of it that is derived from the run journal. The bundle
// writer builds that part from the journal copy it writes; `relctl evidence verify` rebuilds it
// from the same copy and compares, so a measurement edited in the manifest (even with
// checksums.txt recomputed to match) is caught and named.
import type { RunEvent } from "../run/events.js";
import type { Approval } from "./approvals.js";
import { runSummary, type RunOutcome } from "./run-summary.js";

export const EVIDENCE_SCHEMA = "relctl.evidence/v1";
export const MEASUREMENT_KIND = "gate.measurement";

export interface EvidenceStep {
  step: string;
  name: string;
  uses?: string;
  status: string;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  error?: { kind: string; message: string };
}

export interface EvidenceStage {
  stage: string;
  role: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  steps: EvidenceStep[];
}

export interface EvidenceGate {
  stage: string;
  step: string;
  uses?: string;
  /** The gate step's final status (succeeded = passed). */
  status: string;
  /** Every measurement, in the order taken (the data of each `gate.measurement` record). */
  measurements: Record<string, unknown>[];
}

/** What the journal alone says; verify recomputes exactly this. */
export interface JournalFacts {
  runId: string;
  run: {
    name?: string;
    playbook?: string;
    playbookDigest?: string;
    environment?: string;
    stages: string[];
    dryRun: boolean;
    status: RunOutcome;
    exitCode?: number;
    startedAt?: string;
    endedAt?: string;
    durationMs?: number;
    starts: number;
  };
  stages: EvidenceStage[];
  gates: EvidenceGate[];
}

export interface ReleaseFacts {
  version?: string;
  gitSha?: string;
  tag?: string;
  environment?: string;
  imageDigests?: Record<string, string>;
  helmRevisions?: Record<string, number>;
}

export interface EvidenceManifest extends JournalFacts {
  schema: typeof EVIDENCE_SCHEMA;
  relctlVersion: string;
  generatedAt: string;
  playbookDigest?: string;
  release: ReleaseFacts;
  approvals: Approval[];
  breakGlass: Record<string, unknown>[];
  files: { journal: string; artifacts: string[] };
}

export const JOURNAL_FACT_KEYS = ["runId", "run", "stages", "gates"] as const;

export function journalFacts(events: readonly RunEvent[]): JournalFacts {
  // A bundle describes a finished (or abandoned) run: nothing in it is still running.
  const summary = runSummary(events, { live: false });
  const gates = new Map<string, EvidenceGate>();
  for (const event of events) {
    if (event.type !== "step.record" || event.kind !== MEASUREMENT_KIND) continue;
    const key = `${event.stage}\0${event.step}`;
    let gate = gates.get(key);
    if (!gate) {
      gate = { stage: event.stage, step: event.step, status: "unfinished", measurements: [] };
      gates.set(key, gate);
    }
    gate.measurements.push(event.data);
  }
  const steps = new Map(
    summary.stageSummaries.flatMap((stage) =>
      stage.steps.map((step) => [`${stage.stage}\0${step.step}`, step]),
    ),
  );
  for (const [key, gate] of gates) {
    const step = steps.get(key);
    if (!step) continue;
    gate.status = step.status;
    if (step.uses) gate.uses = step.uses;
  }
  return clean({
    runId: summary.runId,
    run: {
      name: summary.name,
      playbook: summary.playbook,
      playbookDigest: summary.playbookDigest,
      environment: summary.environment,
      stages: summary.stages,
      dryRun: summary.dryRun,
      status: summary.outcome,
      exitCode: summary.exitCode,
      startedAt: summary.startedAt,
      endedAt: summary.endedAt,
      durationMs: summary.durationMs,
      starts: summary.starts,
    },
    stages: summary.stageSummaries.map((stage) => ({
      stage: stage.stage,
      role: stage.role,
      status: stage.status,
      startedAt: stage.startedAt,
      endedAt: stage.endedAt,
      durationMs: stage.durationMs,
      steps: stage.steps.map((step) => ({
        step: step.step,
        name: step.name,
        uses: step.uses,
        status: step.status,
        attempts: step.attempts,
        startedAt: step.startedAt,
        endedAt: step.endedAt,
        durationMs: step.durationMs,
        error: step.error ? { kind: step.error.kind, message: step.error.message } : undefined,
      })),
    })),
    gates: [...gates.values()],
  });
}

/** A JSON round trip: drops undefined fields so a fresh value compares equal to a parsed one. */
export function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Where two JSON values differ, as `path: manifest … , journal …` lines (at most `limit`). */
export function differences(manifest: unknown, journal: unknown, path: string, limit = 20): string[] {
  const out: string[] = [];
  walk(manifest, journal, path);
  return out;

  function walk(a: unknown, b: unknown, at: string): void {
    if (out.length >= limit) return;
    if (
      a !== null &&
      b !== null &&
      typeof a === "object" &&
      typeof b === "object" &&
      Array.isArray(a) === Array.isArray(b)
    ) {
      if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) {
        out.push(`${at} has ${a.length} entries in the manifest, ${b.length} in the journal`);
        return;
      }
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys) {
        const next = Array.isArray(a) ? `${at}[${key}]` : `${at}.${key}`;
        walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], next);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push(`${at} is ${show(a)} in the manifest, but the journal says ${show(b)}`);
    }
  }
}

function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
