// The API's storage: objects by resource type, namespace and name, one resourceVersion counter
// for everything (as etcd's revision), and the event log that watches replay from a
// resourceVersion and then follow.
import { randomUUID } from "node:crypto";
import { clone, type Json } from "./patch.js";
import type { ResourceType } from "./resources.js";

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatchEvent {
  type: EventType;
  resource: ResourceType;
  object: KubeObject;
  resourceVersion: number;
}

type Listener = (event: WatchEvent) => void;

const keyOf = (resource: ResourceType) => `${resource.group}/${resource.plural}`;

/** Kubernetes prints timestamps in RFC 3339 to the second. */
export const timestamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export class Store {
  private revision = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly log: WatchEvent[] = [];
  private readonly listeners = new Set<Listener>();
  /** What each field manager last applied (server-side apply), by object. */
  readonly applied = new Map<string, Json>();

  get resourceVersion(): string {
    return String(this.revision);
  }

  private table(resource: ResourceType): Map<string, KubeObject> {
    let table = this.objects.get(keyOf(resource));
    if (!table) {
      table = new Map();
      this.objects.set(keyOf(resource), table);
    }
    return table;
  }

  static objectKey(namespace: string | undefined, name: string): string {
    return `${namespace ?? ""}/${name}`;
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.table(resource).get(Store.objectKey(namespace, name));
    return found && clone(found);
  }

  list(resource: ResourceType, namespace: string | undefined): KubeObject[] {
    return [...this.table(resource).values()]
      .filter((object) => namespace === undefined || object.metadata.namespace === namespace)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((object) => clone(object));
  }

  /** Stores a new object or a new version of one; stamps uid, times and resourceVersion. */
  put(resource: ResourceType, object: KubeObject): KubeObject {
    const key = Store.objectKey(object.metadata.namespace, object.metadata.name);
    const existing = this.table(resource).get(key);
    const stored = clone(object);
    this.revision++;
    stored.metadata.resourceVersion = String(this.revision);
    stored.metadata.uid = existing?.metadata.uid ?? stored.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? timestamp();
    this.table(resource).set(key, stored);
    this.emit({
      type: existing ? "MODIFIED" : "ADDED",
      resource,
      object: stored,
      resourceVersion: this.revision,
    });
    return clone(stored);
  }

  delete(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = Store.objectKey(namespace, name);
    const existing = this.table(resource).get(key);
    if (!existing) return undefined;
    this.table(resource).delete(key);
    this.revision++;
    const gone = {
      ...clone(existing),
      metadata: { ...existing.metadata, resourceVersion: String(this.revision) },
    };
    this.emit({ type: "DELETED", resource, object: gone, resourceVersion: this.revision });
    return clone(gone);
  }

  private emit(event: WatchEvent): void {
    this.log.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Events after `since` (replayed first), then every new one, until the returned stop is called. */
  watch(since: number, listener: Listener): () => void {
    for (const event of this.log) if (event.resourceVersion > since) listener(event);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
