// OpenAPI v3, as far as the clients read it: the index (/openapi/v3: group version → document
// URL with a hash) and one document per group version whose PATCH operations carry the
// x-kubernetes-group-version-kind extension and the fieldValidation query parameter. That is how
// kubectl and helm learn that the server validates fields itself (server-side field validation),
// so they send fieldValidation=Strict instead of fetching the OpenAPI v2 protobuf to validate on
// the client. No schemas are served: without them kubectl's apply builds its strategic merge
// patches from its compiled-in types, as it does against servers without OpenAPI v3.
import { createHash } from "node:crypto";
import { SERVER_VERSION } from "./discovery.js";
import { groupVersion, groupVersions, RESOURCES, type ResourceType } from "./resources.js";

const pathOf = (gv: string): string => (gv.includes("/") ? `apis/${gv}` : `api/${gv}`);

const QUERY = (name: string) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } });

function operations(resource: ResourceType) {
  const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
  const base = `/${pathOf(groupVersion(resource))}${resource.namespaced ? "/namespaces/{namespace}" : ""}/${resource.plural}`;
  const operation = (action: string, parameters: string[]) => ({
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    parameters: parameters.map(QUERY),
    responses: { "200": { description: "OK" } },
  });
  const writes = ["dryRun", "fieldManager", "fieldValidation"];
  return {
    [base]: {
      get: operation("list", ["labelSelector", "fieldSelector", "watch", "resourceVersion"]),
      post: operation("post", writes),
    },
    [`${base}/{name}`]: {
      get: operation("get", []),
      put: operation("put", writes),
      patch: {
        ...operation("patch", [...writes, "force"]),
        requestBody: {
          content: {
            "application/json-patch+json": {},
            "application/merge-patch+json": {},
            "application/apply-patch+yaml": {},
          },
        },
      },
      delete: operation("delete", ["dryRun", "propagationPolicy"]),
    },
  };
}

export function document(gv: string) {
  const resources = RESOURCES.filter((resource) => groupVersion(resource) === gv);
  if (resources.length === 0) return undefined;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: SERVER_VERSION.gitVersion },
    paths: Object.assign({}, ...resources.map(operations)) as Record<string, unknown>,
    components: { schemas: {} },
  };
}

const hashOf = (gv: string): string =>
  createHash("sha512")
    .update(JSON.stringify(document(gv)))
    .digest("hex")
    .slice(0, 64)
    .toUpperCase();

export function index() {
  return {
    paths: Object.fromEntries(
      groupVersions().map((gv) => [
        pathOf(gv),
        { serverRelativeURL: `/openapi/v3/${pathOf(gv)}?hash=${hashOf(gv)}` },
      ]),
    ),
  };
}

/** "apis/apps/v1" → "apps/v1", "api/v1" → "v1". */
export function groupVersionOfPath(path: string): string | undefined {
  const match = /^(?:api\/(v\d\w*)|apis\/([^/]+\/[^/]+))$/.exec(path);
  return match?.[1] ?? match?.[2];
}
