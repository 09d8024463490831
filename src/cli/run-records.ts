// What a run leaves for later runs, read from its own events: the stages that passed (the train
// record), and after a promote the last known good release of its environment (version, git
// sha, tag, image digests, Helm revisions), which `relctl rollback` returns to.
import { execFileSync } from "node:child_process";
import { parseReference } from "../oci/reference.js";
import type { Playbook } from "../playbook/model.js";
import type { EventSink, RunEvent } from "../run/events.js";
import type { ReleaseFacts } from "../state/evidence-manifest.js";
import {
  knownGood,
  recordRelease,
  releaseHistory,
  type ReleaseRecord,
  type ReleaseRecordInput,
} from "../state/release-record.js";
import { recordPassedStages, type PassedStage } from "../state/train.js";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface RunFacts extends EventSink {
  /** Stages that succeeded, with their steps' outputs. */
  passed(): Record<string, PassedStage>;
  release(base: { version: string; tag?: string; environment?: string; cwd: string }): ReleaseFacts;
  /** Helm revisions the steps of one stage left (a rollback's: what runs after it). */
  helmRevisionsOf(stage: string): Record<string, number>;
  /** The version Helm says runs after a rollback chosen from its own history, if any. */
  helmRollbackVersion(environment: string): string | undefined;
}

export function runFacts(): RunFacts {
  const outputs = new Map<string, Map<string, { status: string; outputs: Record<string, unknown> }>>();
  const passed = new Set<string>();
  const digests: Record<string, string> = {};
  const helm: Record<string, number> = {};
  const helmByStage = new Map<string, Record<string, number>>();
  /** appVersions Helm reports after rollbacks: what runs when relctl has no record of its own. */
  const helmRollbackVersions: { namespace: string; appVersion: string }[] = [];
  let runId = "";
  let at = "";
  const headShas = new Map<string, string | undefined>();
  return {
    emit(event: RunEvent) {
      runId = event.runId;
      at = event.at;
      if (event.type === "step.end" && (event.status === "succeeded" || event.status === "skipped")) {
        const steps = outputs.get(event.stage) ?? new Map();
        steps.set(event.step, { status: event.status, outputs: event.outputs ?? {} });
        outputs.set(event.stage, steps);
        for (const [name, value] of Object.entries(event.outputs ?? {})) {
          if (typeof value === "string" && DIGEST.test(value) && /digest/.test(name))
            digests[digestKey(event.step, event.outputs ?? {})] = value;
        }
      }
      if (event.type === "step.record" && event.kind === "helm.release") {
        const { release, revision, action, app_version: appVersion, namespace } = event.data;
        if (action === "rollback" && typeof appVersion === "string" && appVersion !== "") {
          helmRollbackVersions.push({ namespace: String(namespace ?? ""), appVersion });
        }
        if (typeof release === "string" && typeof revision === "number" && revision > 0) {
          helm[release] = revision;
          helmByStage.set(event.stage, { ...helmByStage.get(event.stage), [release]: revision });
        } else if (typeof release === "string" && action === "uninstall") {
          // An uninstalled release runs no revision any more.
          delete helm[release];
          for (const revisions of helmByStage.values()) delete revisions[release];
        }
      }
      if (event.type === "stage.end" && event.status === "succeeded") passed.add(event.stage);
    },
    passed() {
      return Object.fromEntries(
        [...passed].map((stage) => [
          stage,
          { runId, at, steps: Object.fromEntries(outputs.get(stage) ?? []) },
        ]),
      );
    },
    release(base) {
      // HEAD is read once, after the run: the last-known-good record and the evidence name one commit.
      if (!headShas.has(base.cwd)) headShas.set(base.cwd, headSha(base.cwd));
      const gitSha = headShas.get(base.cwd);
      return {
        version: base.version,
        ...(base.tag ? { tag: base.tag } : {}),
        ...(base.environment ? { environment: base.environment } : {}),
        ...(gitSha ? { gitSha } : {}),
        imageDigests: { ...digests },
        helmRevisions: { ...helm },
      };
    },
    helmRevisionsOf: (stage) => ({ ...helmByStage.get(stage) }),
    // The release in the environment's own namespace names the version best.
    helmRollbackVersion: (environment) =>
      (helmRollbackVersions.find((entry) => entry.namespace === environment) ?? helmRollbackVersions[0])
        ?.appVersion,
  };
}

/**
 * What a digest is recorded under: the image's name when the step says which image it is
 * (registry/acme/api:v1.4.0 → api, as `run.rollback_target.image_digests[vars.service]` reads
 * it), else the step's id.
 */
function digestKey(step: string, outputs: Record<string, unknown>): string {
  if (typeof outputs.image !== "string") return step;
  const image = parseReference(outputs.image);
  return typeof image === "string" ? step : (image.repository.split("/").at(-1) ?? step);
}

/** After the run: record passed stages, and a successful promote as the last known good release. */
export function recordOutcome(
  facts: RunFacts,
  context: {
    playbook: Playbook;
    stateDir: string;
    runId: string;
    version: string;
    tag?: string;
    cwd: string;
    rollbackTarget: Record<string, unknown> | null;
    rollbackEnvironment: string;
  },
): string[] {
  const warnings: string[] = [];
  const passed = facts.passed();
  recordPassedStages(context.stateDir, { playbook: context.playbook.name, version: context.version }, passed);
  const promote = context.playbook.stages.find((stage) => stage.name === "promote");
  if (promote && passed.promote) {
    const environment = promote.environment ?? "production";
    const release = facts.release({
      version: context.version,
      tag: context.tag,
      environment,
      cwd: context.cwd,
    });
    if (!release.gitSha) {
      warnings.push(
        `not recorded as last known good of ${environment}: the run's directory is not a git repository`,
      );
    } else {
      recordReleaseOnce(context.stateDir, {
        environment,
        version: context.version,
        gitSha: release.gitSha,
        ...(context.tag ? { tag: context.tag } : {}),
        imageDigests: release.imageDigests ?? {},
        helmRevisions: release.helmRevisions ?? {},
        at: new Date().toISOString(),
        runId: context.runId,
      });
    }
  }
  const rollback = context.playbook.stages.find((stage) => stage.name === "rollback");
  const target = context.rollbackTarget;
  const helmVersion = facts.helmRollbackVersion(context.rollbackEnvironment);
  if (rollback && passed.rollback && target) {
    // What runs now is the release rolled back to; the version rolled back is known bad.
    recordReleaseOnce(context.stateDir, {
      kind: "rollback",
      environment: context.rollbackEnvironment,
      version: String(target.version),
      ...(typeof target.git_sha === "string" ? { gitSha: target.git_sha } : {}),
      ...(typeof target.tag === "string" ? { tag: target.tag } : {}),
      imageDigests: target.image_digests as Record<string, string>,
      helmRevisions: {
        ...(target.helm_revisions as Record<string, number>),
        // Only what the rollback itself left: the failed stage's revisions (a removed canary,
        // the release rolled back from) are not what runs now.
        ...facts.helmRevisionsOf(rollback.name),
      },
      at: new Date().toISOString(),
      runId: context.runId,
      rolledBackFrom: context.version,
    });
  } else if (rollback && passed.rollback && helmVersion) {
    // No local record (a fresh CI runner, a lost .relctl/): Helm's own history chose what to
    // return to, and says which version that is.
    recordReleaseOnce(context.stateDir, {
      kind: "rollback",
      environment: context.rollbackEnvironment,
      version: helmVersion,
      helmRevisions: facts.helmRevisionsOf(rollback.name),
      at: new Date().toISOString(),
      runId: context.runId,
      rolledBackFrom: context.version,
    });
  }
  return warnings;
}

/**
 * Appends a release record unless this run already left one of its kind there: `relctl resume`
 * of a run whose records were cut off writes them again, and must not add a second entry (the
 * train record is a replace, so it is idempotent already).
 */
function recordReleaseOnce(stateDir: string, record: ReleaseRecordInput): void {
  const kind = record.kind ?? "promote";
  const history = releaseHistory(stateDir, record.environment);
  if (history.some((entry) => entry.runId === record.runId && entry.kind === kind)) return;
  recordRelease(stateDir, record);
}

/**
 * The release a rollback returns to: the newest known good release of the environment that is
 * not the version being rolled back. Null when none is recorded (the rollback steps then fall
 * back to the tool's own history, like `helm rollback` to the previous revision).
 */
export function rollbackTarget(
  stateDir: string,
  environment: string,
  version: string,
): Record<string, unknown> | null {
  const { current, previous } = knownGood(stateDir, environment);
  const target: ReleaseRecord | undefined = current?.version === version ? previous : current;
  if (!target) return null;
  return {
    version: target.version,
    tag: target.tag ?? null,
    git_sha: target.gitSha,
    image_digests: target.imageDigests,
    helm_revisions: target.helmRevisions,
    run_id: target.runId,
    at: target.at,
  };
}

function headSha(cwd: string): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}
