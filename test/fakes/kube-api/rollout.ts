// A minimal Deployment controller and kubelet: a Deployment whose pod template changed gets a
// ReplicaSet for that template (or the old one back, renumbered, as `rollout undo` expects), the
// revision annotations, the old ReplicaSets scaled to 0, and the status and conditions
// `kubectl rollout status`, helm v3's --wait (ReplicaSet ready replicas) and helm v4's watcher
// (kstatus: observedGeneration, replicas, Available, Progressing=NewReplicaSetAvailable) read.
// Pods are not modelled: a ReplicaSet's replicas are ready as soon as the controller scales it, unless an
// image cannot be pulled (the fault a real cluster shows for a bad image), and a rollout stuck
// that way passes its progressDeadlineSeconds into ProgressDeadlineExceeded.
import { createHash } from "node:crypto";
import { clone, type Json } from "./patch.js";
import { findResource } from "./resources.js";
import { timestamp, type KubeObject, type Store } from "./store.js";

const DEPLOYMENTS = findResource("apps", "v1", "deployments")!;
const REPLICA_SETS = findResource("apps", "v1", "replicasets")!;
const REVISION = "deployment.kubernetes.io/revision";
const HASH_LABEL = "pod-template-hash";
const NOT_COPIED = new Set([
  REVISION,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "kubectl.kubernetes.io/last-applied-configuration",
]);
/** Kubernetes' alphabet for generated name suffixes (no vowels, no look-alikes). */
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

type Spec = {
  replicas?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { image?: string }[] } };
};

/** JSON with sorted keys: two equal templates give one hash whatever order patches left. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

function templateHash(template: unknown): string {
  const digest = createHash("sha256").update(canonical(template)).digest();
  return [...digest.subarray(0, 10)].map((byte) => ALPHABET[byte % ALPHABET.length]).join("");
}

function withoutHash(template: unknown): unknown {
  const copy = clone(template) as { metadata?: { labels?: Record<string, string> } };
  if (copy?.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
  return copy;
}

const revisionOf = (object: KubeObject): number => Number(object.metadata.annotations?.[REVISION] ?? 0);

export interface RolloutOptions {
  /** Images the fake kubelet cannot pull: their pods never become ready. */
  unpullable: (image: string) => boolean;
}

export class RolloutController {
  private readonly deadlines = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly options: RolloutOptions,
  ) {}

  /**
   * Reconciles right after the write that triggered it, before the API answers: a controller that
   * is never behind, so what a client reads next is settled (the events still come in order).
   */
  changed(namespace: string, name: string): void {
    this.reconcile(namespace, name);
  }

  stop(): void {
    for (const timer of this.deadlines.values()) clearTimeout(timer);
  }

  private ownedReplicaSets(deployment: KubeObject): KubeObject[] {
    return this.store
      .list(REPLICA_SETS, deployment.metadata.namespace)
      .filter((set) => set.metadata.ownerReferences?.some((owner) => owner.uid === deployment.metadata.uid));
  }

  private ready(template: Spec["template"]): boolean {
    return !(template?.spec?.containers ?? []).some((container) =>
      this.options.unpullable(container.image ?? ""),
    );
  }

  private reconcile(namespace: string, name: string): void {
    const deployment = this.store.get(DEPLOYMENTS, namespace, name);
    if (!deployment) {
      // Garbage collection: a deleted Deployment takes its ReplicaSets with it.
      for (const set of this.store.list(REPLICA_SETS, namespace))
        if (set.metadata.ownerReferences?.some((owner) => owner.kind === "Deployment" && owner.name === name))
          this.store.delete(REPLICA_SETS, namespace, set.metadata.name);
      return;
    }
    const spec = deployment.spec as Spec;
    if (spec.paused) return;
    const replicas = spec.replicas ?? 1;
    const owned = this.ownedReplicaSets(deployment);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    let current = owned.find(
      (set) => canonical(withoutHash((set.spec as Spec).template)) === canonical(spec.template),
    );
    let revision = current ? revisionOf(current) : maxRevision + 1;
    // An old template coming back (rollout undo) is renumbered as the newest revision.
    if (current && revision < maxRevision) revision = maxRevision + 1;

    if (!current) {
      const hash = templateHash(spec.template);
      const template = clone(spec.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
      template.metadata = {
        ...template.metadata,
        labels: { ...template.metadata?.labels, [HASH_LABEL]: hash },
      };
      current = {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${name}-${hash}`,
          namespace,
          labels: { ...spec.template?.metadata?.labels, [HASH_LABEL]: hash },
          annotations: {},
          generation: 1,
          ownerReferences: [
            {
              apiVersion: "apps/v1",
              kind: "Deployment",
              name,
              uid: deployment.metadata.uid!,
              controller: true,
              blockOwnerDeletion: true,
            } as never,
          ],
        },
        spec: {
          replicas,
          selector: { matchLabels: { ...spec.selector?.matchLabels, [HASH_LABEL]: hash } },
          template: template as Json,
        },
        status: { replicas: 0, observedGeneration: 1 },
      };
    }
    const newReady = this.ready(spec.template);
    // The controller copies the Deployment's annotations onto its ReplicaSets (rollout undo copies
    // them back), except its own bookkeeping and kubectl apply's.
    const copied = Object.fromEntries(
      Object.entries(deployment.metadata.annotations ?? {}).filter(([key]) => !NOT_COPIED.has(key)),
    );
    current.metadata.annotations = {
      ...current.metadata.annotations,
      ...copied,
      [REVISION]: String(revision),
      "deployment.kubernetes.io/desired-replicas": String(replicas),
      "deployment.kubernetes.io/max-replicas": String(replicas + 1),
    };
    (current.spec as Spec).replicas = replicas;
    current.status = {
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: newReady ? replicas : 0,
      availableReplicas: newReady ? replicas : 0,
      observedGeneration: current.metadata.generation ?? 1,
    };
    if (!newReady) delete (current.status as Record<string, unknown>).readyReplicas;
    this.store.put(REPLICA_SETS, current);

    // A rolling update keeps the old pods serving until the new ones are ready.
    let oldAvailable = 0;
    for (const set of owned) {
      if (set.metadata.name === current.metadata.name) continue;
      const keep = newReady ? 0 : ((set.status as { availableReplicas?: number })?.availableReplicas ?? 0);
      oldAvailable += keep;
      if ((set.spec as Spec).replicas !== keep) {
        (set.spec as Spec).replicas = keep;
        set.status = {
          replicas: keep,
          readyReplicas: keep,
          availableReplicas: keep,
          observedGeneration: set.metadata.generation ?? 1,
        };
        this.store.put(REPLICA_SETS, set);
      }
    }

    const available = (newReady ? replicas : 0) + oldAvailable;
    const now = timestamp();
    const deadlineKey = `${namespace}/${name}`;
    const previousConditions =
      (deployment.status as { conditions?: { type: string; reason: string }[] })?.conditions ?? [];
    const stuck =
      previousConditions.some((condition) => condition.reason === "ProgressDeadlineExceeded") &&
      (deployment.status as { observedGeneration?: number }).observedGeneration ===
        deployment.metadata.generation;
    const progressing = newReady
      ? {
          status: "True",
          reason: "NewReplicaSetAvailable",
          message: `ReplicaSet "${current.metadata.name}" has successfully progressed.`,
        }
      : stuck
        ? {
            status: "False",
            reason: "ProgressDeadlineExceeded",
            message: `ReplicaSet "${current.metadata.name}" has timed out progressing.`,
          }
        : {
            status: "True",
            reason: "ReplicaSetUpdated",
            message: `ReplicaSet "${current.metadata.name}" is progressing.`,
          };
    deployment.metadata.annotations = { ...deployment.metadata.annotations, [REVISION]: String(revision) };
    deployment.status = {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas: replicas + (newReady ? 0 : oldAvailable),
      updatedReplicas: replicas,
      readyReplicas: available,
      availableReplicas: available,
      ...(available < replicas ? { unavailableReplicas: replicas - available } : {}),
      conditions: [
        {
          type: "Available",
          status: available >= replicas ? "True" : "False",
          reason: available >= replicas ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
          message:
            available >= replicas
              ? "Deployment has minimum availability."
              : "Deployment does not have minimum availability.",
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
        { type: "Progressing", ...progressing, lastUpdateTime: now, lastTransitionTime: now },
      ],
    };
    if (
      !newReady &&
      deployment.status &&
      (deployment.status as { readyReplicas?: number }).readyReplicas === 0
    )
      delete (deployment.status as Record<string, unknown>).readyReplicas;
    this.store.put(DEPLOYMENTS, deployment);

    clearTimeout(this.deadlines.get(deadlineKey));
    this.deadlines.delete(deadlineKey);
    if (!newReady && !stuck) {
      const generation = deployment.metadata.generation;
      const timer = setTimeout(
        () => {
          this.deadlines.delete(deadlineKey);
          const latest = this.store.get(DEPLOYMENTS, namespace, name);
          if (!latest || latest.metadata.generation !== generation) return;
          const status = latest.status as { conditions?: Record<string, unknown>[] };
          status.conditions = (status.conditions ?? []).map((condition) =>
            condition.type === "Progressing"
              ? {
                  ...condition,
                  status: "False",
                  reason: "ProgressDeadlineExceeded",
                  message: `ReplicaSet "${current.metadata.name}" has timed out progressing.`,
                  lastUpdateTime: timestamp(),
                }
              : condition,
          );
          this.store.put(DEPLOYMENTS, latest);
        },
        (spec.progressDeadlineSeconds ?? 600) * 1000,
      );
      timer.unref();
      this.deadlines.set(deadlineKey, timer);
    }
  }
}
