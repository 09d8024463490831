// The resource types the loopback Kubernetes API serves: what discovery lists, what the router
// accepts, and what the OpenAPI documents describe. Only the kinds helm's release storage, the
// test charts and kubectl's rollout commands touch.
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** The URL segment: deployments. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
}

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function type(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[] = [],
): ResourceType {
  return { group, version, kind, plural, singular: kind.toLowerCase(), namespaced, shortNames };
}

export const RESOURCES: ResourceType[] = [
  type("", "v1", "Namespace", "namespaces", false, ["ns"]),
  type("", "v1", "ConfigMap", "configmaps", true, ["cm"]),
  type("", "v1", "Secret", "secrets", true),
  type("", "v1", "Service", "services", true, ["svc"]),
  type("", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"]),
  type("", "v1", "Pod", "pods", true, ["po"]),
  type("apps", "v1", "Deployment", "deployments", true, ["deploy"]),
  type("apps", "v1", "ReplicaSet", "replicasets", true, ["rs"]),
  type("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"]),
  type("apps", "v1", "DaemonSet", "daemonsets", true, ["ds"]),
];

/** "v1" for the core group, else "apps/v1". */
export const groupVersion = (resource: Pick<ResourceType, "group" | "version">): string =>
  resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;

/** "deployments.apps", "secrets": how the API names a resource in its error messages. */
export const qualifiedName = (resource: ResourceType): string =>
  resource.group === "" ? resource.plural : `${resource.plural}.${resource.group}`;

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find(
    (resource) => resource.group === group && resource.version === version && resource.plural === plural,
  );
}

export function resourceOfKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((resource) => groupVersion(resource) === apiVersion && resource.kind === kind);
}

export const groupVersions = (): string[] => [...new Set(RESOURCES.map(groupVersion))];

export function discoveryResources(resource: ResourceType) {
  return {
    name: resource.plural,
    singularName: resource.singular,
    namespaced: resource.namespaced,
    kind: resource.kind,
    verbs: VERBS,
    ...(resource.shortNames.length > 0 ? { shortNames: resource.shortNames } : {}),
    storageVersionHash: Buffer.from(resource.kind).toString("base64").slice(0, 11),
  };
}
