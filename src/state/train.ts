// The train record: which stages of a release (playbook + version) have passed, and what their
// steps produced. It is what lets `relctl promote` refuse to run before canary passed, and lets
// `relctl sign` read the digest `relctl build` produced in another invocation (or CI job).
//
//   <stateDir>/trains/<playbook>--<hash>/<version>--<hash>.json
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.js";
import { fileKey } from "./paths.js";

const stageRecord = z.object({
  runId: z.string(),
  at: z.string(),
  /** Outputs of the stage's steps that succeeded (already redacted: secrets read as ***). */
  steps: z.record(z.string(), z.object({ status: z.string(), outputs: z.record(z.string(), z.unknown()) })),
});

const trainSchema = z.object({
  playbook: z.string(),
  version: z.string(),
  stages: z.record(z.string(), stageRecord),
});

export type Train = z.output<typeof trainSchema>;
export type PassedStage = z.output<typeof stageRecord>;

export interface TrainKey {
  playbook: string;
  version: string;
}

export function trainPath(stateDir: string, key: TrainKey): string {
  return join(
    stateDir,
    "trains",
    fileKey(key.playbook, key.playbook),
    `${fileKey(key.version, key.version)}.json`,
  );
}

export function readTrain(stateDir: string, key: TrainKey): Train {
  const file = trainPath(stateDir, key);
  if (!existsSync(file)) return { ...key, stages: {} };
  const parsed = trainSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  // A damaged record is treated as empty: the stages simply have to pass again.
  return parsed.success ? parsed.data : { ...key, stages: {} };
}

/** Records stages that passed in a run; a later pass of the same stage replaces the earlier one. */
export function recordPassedStages(
  stateDir: string,
  key: TrainKey,
  passed: Record<string, PassedStage>,
): void {
  if (Object.keys(passed).length === 0) return;
  const train = readTrain(stateDir, key);
  const next: Train = { ...train, stages: { ...train.stages, ...passed } };
  writeFileAtomic(trainPath(stateDir, key), `${JSON.stringify(next, null, 2)}\n`);
}
