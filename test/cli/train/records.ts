// Reading what relctl leaves in the project's state directory (.relctl/): run journals, the
// train record, last-known-good records and evidence bundles — the way an auditor would.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listRuns } from "../../../src/state/run-summary.js";

export interface JournalEvent {
  type: string;
  stage?: string;
  step?: string;
  status?: string;
  kind?: string;
  data?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  exitCode?: number;
  role?: string;
  [key: string]: unknown;
}

const stateDir = (dir: string) => join(dir, ".relctl");

/** Run ids, oldest first. */
/** Run ids, oldest first by when they started (two runs in one second have ids in random order). */
export function runIds(dir: string): string[] {
  return listRuns(stateDir(dir))
    .map((run) => run.runId)
    .reverse();
}

export function latestRunId(dir: string): string {
  const id = runIds(dir).at(-1);
  if (!id) throw new Error(`no run recorded in ${stateDir(dir)}`);
  return id;
}

export function journal(dir: string, runId = latestRunId(dir)): JournalEvent[] {
  return readFileSync(join(stateDir(dir), "runs", runId, "journal.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JournalEvent);
}

export function evidenceDir(dir: string, runId = latestRunId(dir)): string {
  return join(stateDir(dir), "runs", runId, "evidence");
}

export interface TrainRecord {
  playbook: string;
  version: string;
  stages: Record<
    string,
    { runId: string; steps: Record<string, { status: string; outputs: Record<string, unknown> }> }
  >;
}

/** The train record of the release (one file per playbook and version). */
export function trainRecord(dir: string): TrainRecord {
  const trains = join(stateDir(dir), "trains");
  const files = readdirSync(trains, { recursive: true, encoding: "utf8" }).filter((file) =>
    file.endsWith(".json"),
  );
  if (files.length !== 1) throw new Error(`expected one train record, found ${files.join(", ") || "none"}`);
  return JSON.parse(readFileSync(join(trains, files[0]!), "utf8")) as TrainRecord;
}

export interface ReleaseRecord {
  kind?: string;
  environment: string;
  version: string;
  gitSha: string;
  tag?: string;
  imageDigests: Record<string, string>;
  helmRevisions: Record<string, number>;
  runId: string;
  rolledBackFrom?: string;
}

/** The last-known-good history of an environment, oldest first. */
export function releaseHistory(dir: string, environment: string): ReleaseRecord[] {
  const file = join(stateDir(dir), "releases", `${environment}.jsonl`);
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ReleaseRecord)
    : [];
}

/** step.start events of a run, as "stage/step", in the order they started. */
export function startedSteps(events: JournalEvent[]): string[] {
  return events.filter((event) => event.type === "step.start").map((event) => `${event.stage}/${event.step}`);
}
