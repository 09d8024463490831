// What the API server does to an object before storing it: the defaults Kubernetes fills in
// (a Deployment's replicas and strategy, a Service's type and cluster IP, a Secret's type and
// stringData), the validation that rejects what a cluster would, and generation bookkeeping.
import { invalid } from "./status.js";
import type { KubeObject } from "./store.js";
import { objectSelector } from "./selectors.js";

type Map_ = Record<string, unknown>;
const mapAt = (object: Map_, key: string): Map_ => {
  if (typeof object[key] !== "object" || object[key] === null) object[key] = {};
  return object[key] as Map_;
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

let nextClusterIp = 10;

const STATUS_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Pod", "Service"]);

function defaultDeployment(object: KubeObject): void {
  const spec = mapAt(object, "spec");
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } };
}

function validateWorkload(object: KubeObject, causes: { field: string; message: string }[]): void {
  const spec = (object.spec ?? {}) as Map_;
  const template = (spec.template ?? {}) as { metadata?: { labels?: Record<string, string> }; spec?: Map_ };
  if (!spec.selector) causes.push({ field: "spec.selector", message: "Required value" });
  else if (!objectSelector(spec.selector)(template.metadata?.labels))
    causes.push({
      field: "spec.template.metadata.labels",
      message: `Invalid value: ${JSON.stringify(template.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
    });
  const containers = (template.spec?.containers ?? []) as { name?: string; image?: string }[];
  if (containers.length === 0)
    causes.push({ field: "spec.template.spec.containers", message: "Required value" });
  containers.forEach((container, index) => {
    if (!container.name)
      causes.push({ field: `spec.template.spec.containers[${index}].name`, message: "Required value" });
    if (!container.image)
      causes.push({ field: `spec.template.spec.containers[${index}].image`, message: "Required value" });
  });
}

function defaultService(
  object: KubeObject,
  previous: KubeObject | undefined,
  causes: { field: string; message: string }[],
): void {
  const spec = mapAt(object, "spec");
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  const kept = (previous?.spec as Map_ | undefined)?.clusterIP;
  // The API keeps an allocated IP when an update leaves it out.
  if (spec.type !== "ExternalName") spec.clusterIP ??= kept ?? `10.96.0.${nextClusterIp++}`;
  if (spec.clusterIP !== undefined) spec.clusterIPs ??= [spec.clusterIP];
  const ports = (spec.ports ?? []) as Map_[];
  if (ports.length === 0 && spec.type !== "ExternalName" && spec.clusterIP !== "None")
    causes.push({ field: "spec.ports", message: "Required value" });
  for (const port of ports) {
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
  }
}

/** Fills in the defaults and rejects an invalid object (422), as the API server does on write. */
export function admit(object: KubeObject, previous: KubeObject | undefined): KubeObject {
  const causes: { field: string; message: string }[] = [];
  const name = object.metadata?.name;
  if (!name)
    causes.push({ field: "metadata.name", message: "Required value: name or generateName is required" });
  else if (!DNS_SUBDOMAIN.test(name) || name.length > 253)
    causes.push({
      field: "metadata.name",
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    });
  switch (object.kind) {
    case "Deployment":
      defaultDeployment(object);
      validateWorkload(object, causes);
      break;
    case "ReplicaSet":
    case "StatefulSet":
    case "DaemonSet":
      validateWorkload(object, causes);
      break;
    case "Service":
      defaultService(object, previous, causes);
      break;
    case "Secret": {
      object.type ??= "Opaque";
      const stringData = object.stringData as Record<string, string> | undefined;
      if (stringData) {
        const data = mapAt(object, "data");
        for (const [key, value] of Object.entries(stringData))
          data[key] = Buffer.from(value).toString("base64");
        delete object.stringData;
      }
      break;
    }
  }
  if (causes.length > 0) throw invalid(object.kind, name ?? "", causes);
  // generation counts changes of the desired state (spec), not of metadata or status.
  const specChanged = JSON.stringify(previous?.spec) !== JSON.stringify(object.spec);
  object.metadata.generation = previous ? (previous.metadata.generation ?? 1) + (specChanged ? 1 : 0) : 1;
  // Status belongs to the controllers (the status subresource): a write of the object keeps it.
  if (STATUS_KINDS.has(object.kind)) {
    if (previous?.status === undefined) delete object.status;
    else object.status = previous.status;
  }
  return object;
}
