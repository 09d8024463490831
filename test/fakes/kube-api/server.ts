// A Kubernetes API on loopback for the helm and kubectl tests: plain HTTP (a kubeconfig's
// `server: http://127.0.0.1:PORT`), JSON only, serving discovery, OpenAPI v3, CRUD, the patch
// kinds and watch for the types in resources.ts, with the rollout controller in rollout.ts.
// No authentication or admission beyond the defaults and checks in objects.ts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import { coreVersions, group, groupList, resourceList, version } from "./discovery.js";
import { admit } from "./objects.js";
import { document, groupVersionOfPath, index } from "./openapi.js";
import { jsonPatch, mergePatch, serverSideApply, strategicMerge, type Json } from "./patch.js";
import { findResource, groupVersion, qualifiedName, RESOURCES, type ResourceType } from "./resources.js";
import { RolloutController } from "./rollout.js";
import { fieldSelector, labelSelector } from "./selectors.js";
import { decodeProtobuf } from "./protobuf.js";
import { alreadyExists, ApiError, badRequest, conflict, notFound } from "./status.js";
import { Store, type KubeObject } from "./store.js";

export interface KubeApiOptions {
  /** Namespaces that exist from the start (default and kube-system always do). */
  namespaces?: string[];
  /** Images whose pods never become ready (default: any image with "unpullable" in it). */
  unpullable?: (image: string) => boolean;
}

export interface KubeApi {
  url: string;
  host: string;
  store: Store;
  /** method, path and query, Content-Type of every request, oldest first. */
  requests: { method: string; url: string; contentType: string }[];
  /** The object as stored, or undefined. */
  get(
    apiVersion: string,
    plural: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  list(apiVersion: string, plural: string, namespace: string | undefined): KubeObject[];
  close(): Promise<void>;
}

const NAMESPACES = findResource("", "v1", "namespaces")!;

interface Target {
  resource: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

function send(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

/** /api/v1/namespaces/ns/deployments/name → which resource, namespace and name. */
function target(segments: string[]): Target | undefined {
  let group: string;
  let rest: string[];
  if (segments[0] === "api" && segments.length >= 3) {
    group = "";
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 4) {
    group = segments[1]!;
    rest = segments.slice(3);
  } else return undefined;
  const versionSegment = segments[0] === "api" ? segments[1]! : segments[2]!;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const resource = findResource(group, versionSegment, rest[2]!);
    return resource && { resource, namespace: rest[1], name: rest[3], subresource: rest[4] };
  }
  const resource = findResource(group, versionSegment, rest[0]!);
  if (!resource) return undefined;
  return { resource, namespace: undefined, name: rest[1], subresource: rest[2] };
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (contentType.startsWith("application/vnd.kubernetes.protobuf")) return decodeProtobuf(raw);
  const body = raw.toString("utf8");
  if (body.trim() === "") throw badRequest("the request has no body");
  try {
    return contentType.includes("yaml") ? parseYaml(body) : JSON.parse(body);
  } catch (error) {
    throw badRequest(
      `the body is not ${contentType.includes("yaml") ? "YAML" : "JSON"}: ${(error as Error).message}`,
    );
  }
}

export async function startKubeApi(options: KubeApiOptions = {}): Promise<KubeApi> {
  const store = new Store();
  const controller = new RolloutController(store, {
    unpullable: options.unpullable ?? ((image) => image.includes("unpullable")),
  });
  const requests: KubeApi["requests"] = [];
  const watches = new Set<ServerResponse>();
  for (const name of new Set(["default", "kube-system", ...(options.namespaces ?? [])]))
    store.put(NAMESPACES, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });

  const notFoundOf = (t: Target, name: string) =>
    notFound(qualifiedName(t.resource), name, t.resource.plural, t.resource.group);

  function requireNamespace(t: Target): void {
    if (t.resource.namespaced && t.namespace && !store.get(NAMESPACES, undefined, t.namespace))
      throw notFound("namespaces", t.namespace, "namespaces", "");
  }

  function afterWrite(t: Target, object: KubeObject): void {
    if (t.resource.kind === "Deployment")
      controller.changed(object.metadata.namespace!, object.metadata.name);
    if (t.resource.kind === "Namespace" && !store.get(NAMESPACES, undefined, object.metadata.name)) {
      // Deleting a namespace deletes what is in it.
      for (const resource of RESOURCES.filter((candidate) => candidate.namespaced)) {
        for (const item of store.list(resource, object.metadata.name))
          store.delete(resource, object.metadata.name, item.metadata.name);
      }
    }
  }

  function asObject(t: Target, value: unknown): KubeObject {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw badRequest("the body is not an object");
    const object = value as KubeObject;
    object.apiVersion ??= groupVersion(t.resource);
    object.kind ??= t.resource.kind;
    object.metadata ??= { name: "" };
    if (t.resource.namespaced) {
      if (object.metadata.namespace && t.namespace && object.metadata.namespace !== t.namespace)
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      object.metadata.namespace = t.namespace;
    }
    return object;
  }

  function write(
    t: Target,
    object: KubeObject,
    previous: KubeObject | undefined,
    dryRun: boolean,
  ): KubeObject {
    const admitted = admit(object, previous);
    if (dryRun)
      return { ...admitted, metadata: { ...admitted.metadata, uid: previous?.metadata.uid ?? "dry-run" } };
    const stored = store.put(t.resource, admitted);
    afterWrite(t, stored);
    return stored;
  }

  function patched(
    t: Target,
    existing: KubeObject | undefined,
    body: Buffer,
    contentType: string,
    query: URLSearchParams,
  ): KubeObject {
    const type = contentType.split(";")[0]!.trim();
    const patch = parseBody(body, type);
    if (type === "application/apply-patch+yaml") {
      const manager = query.get("fieldManager");
      if (!manager) throw badRequest("PATCH: fieldManager is required for apply requests");
      const key = `${manager}\0${t.resource.plural}\0${Store.objectKey(t.namespace, t.name!)}`;
      const result = serverSideApply(existing as Json | undefined, patch as Json, store.applied.get(key));
      if (query.get("dryRun") !== "All") store.applied.set(key, patch as Json);
      return asObject(t, result);
    }
    if (!existing) throw notFoundOf(t, t.name!);
    if (type === "application/json-patch+json") return asObject(t, jsonPatch(existing as Json, patch));
    if (type === "application/merge-patch+json")
      return asObject(t, mergePatch(existing as Json, patch as Json));
    if (type === "application/strategic-merge-patch+json")
      return asObject(t, strategicMerge(existing as Json, patch as Json));
    throw new ApiError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }

  function watch(t: Target, query: URLSearchParams, response: ServerResponse): void {
    const labels = labelSelector(query.get("labelSelector"));
    const fields = fieldSelector(query.get("fieldSelector"));
    const matches = (object: KubeObject) =>
      (t.namespace === undefined || object.metadata.namespace === t.namespace) &&
      labels(object.metadata.labels) &&
      fields(object);
    response.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    // Clients wait for the headers before they read events: send them now, not with the first one.
    response.flushHeaders();
    watches.add(response);
    const line = (type: string, object: unknown) => response.write(`${JSON.stringify({ type, object })}\n`);
    const since = query.get("resourceVersion");
    const initial = query.get("sendInitialEvents") === "true" || !since || since === "0";
    let from = Number(since || 0);
    if (initial) {
      from = Number(store.resourceVersion);
      for (const object of store.list(t.resource, t.namespace).filter(matches)) line("ADDED", object);
      if (query.get("sendInitialEvents") === "true")
        line("BOOKMARK", {
          kind: t.resource.kind,
          apiVersion: groupVersion(t.resource),
          metadata: {
            resourceVersion: store.resourceVersion,
            annotations: { "k8s.io/initial-events-end": "true" },
          },
        });
    }
    const stop = store.watch(from, (event) => {
      if (event.resource === t.resource && matches(event.object)) line(event.type, event.object);
    });
    const finish = () => {
      stop();
      watches.delete(response);
      clearTimeout(timer);
      if (!response.writableEnded) response.end();
    };
    const timer = setTimeout(finish, Number(query.get("timeoutSeconds") ?? 1800) * 1000);
    timer.unref();
    response.on("close", finish);
  }

  function handleResource(
    t: Target,
    method: string,
    query: URLSearchParams,
    body: Buffer,
    contentType: string,
    response: ServerResponse,
  ): void {
    const dryRun = query.get("dryRun") === "All";
    if (t.subresource && t.subresource !== "status") throw notFoundOf(t, `${t.name}/${t.subresource}`);
    if (t.name === undefined) {
      if (method === "GET") {
        if (query.get("watch") === "true" || query.get("watch") === "1") return watch(t, query, response);
        const labels = labelSelector(query.get("labelSelector"));
        const fields = fieldSelector(query.get("fieldSelector"));
        const items = store
          .list(t.resource, t.namespace)
          .filter((object) => labels(object.metadata.labels) && fields(object));
        return send(response, 200, {
          kind: `${t.resource.kind}List`,
          apiVersion: groupVersion(t.resource),
          metadata: { resourceVersion: store.resourceVersion },
          items,
        });
      }
      if (method === "POST") {
        requireNamespace(t);
        const object = asObject(t, parseBody(body, contentType));
        if (!object.metadata.name && typeof object.metadata.generateName === "string")
          object.metadata.name = `${object.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
        if (store.get(t.resource, t.namespace, object.metadata.name))
          throw alreadyExists(
            qualifiedName(t.resource),
            object.metadata.name,
            t.resource.plural,
            t.resource.group,
          );
        return send(response, 201, write(t, object, undefined, dryRun));
      }
      throw new ApiError(
        405,
        "MethodNotAllowed",
        `the server does not allow this method on the requested resource`,
      );
    }
    const existing = store.get(t.resource, t.namespace, t.name);
    switch (method) {
      case "GET":
        if (!existing) throw notFoundOf(t, t.name);
        return send(response, 200, existing);
      case "PUT": {
        if (!existing) throw notFoundOf(t, t.name);
        const object = asObject(t, parseBody(body, contentType));
        const sent = object.metadata.resourceVersion;
        if (sent && sent !== existing.metadata.resourceVersion)
          throw conflict(qualifiedName(t.resource), t.name);
        if (t.subresource === "status") {
          if (!dryRun) store.put(t.resource, { ...existing, status: object.status });
          return send(response, 200, store.get(t.resource, t.namespace, t.name));
        }
        return send(response, 200, write(t, object, existing, dryRun));
      }
      case "PATCH": {
        requireNamespace(t);
        const object = patched(t, existing, body, contentType, query);
        object.metadata.name = t.name;
        return send(response, existing ? 200 : 201, write(t, object, existing, dryRun));
      }
      case "DELETE": {
        if (!existing) throw notFoundOf(t, t.name);
        if (dryRun) return send(response, 200, existing);
        const gone = store.delete(t.resource, t.namespace, t.name)!;
        afterWrite(t, gone);
        return send(response, 200, gone);
      }
      default:
        throw new ApiError(
          405,
          "MethodNotAllowed",
          "the server does not allow this method on the requested resource",
        );
    }
  }

  function route(request: IncomingMessage, response: ServerResponse, body: Buffer, host: string): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    const contentType = request.headers["content-type"] ?? "application/json";
    const segments = url.pathname.split("/").filter(Boolean);
    const path = segments.join("/");
    if (method === "GET") {
      if (path === "version") return send(response, 200, version());
      if (path === "api") return send(response, 200, coreVersions(host));
      if (path === "apis") return send(response, 200, groupList());
      if (segments[0] === "apis" && segments.length === 2) {
        const found = group(segments[1]!);
        if (found) return send(response, 200, { kind: "APIGroup", apiVersion: "v1", ...found });
      }
      const listing =
        segments[0] === "api" && segments.length === 2
          ? resourceList(segments[1]!)
          : segments[0] === "apis" && segments.length === 3
            ? resourceList(`${segments[1]}/${segments[2]}`)
            : undefined;
      if (listing) return send(response, 200, listing);
      if (path === "openapi/v3") return send(response, 200, index());
      if (segments[0] === "openapi" && segments[1] === "v3") {
        const gv = groupVersionOfPath(segments.slice(2).join("/"));
        const doc = gv && document(gv);
        if (doc) return send(response, 200, doc);
      }
    }
    const t = target(segments);
    if (!t) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    handleResource(t, method, url.searchParams, body, contentType, response);
  }

  let host = "";
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({
        method: request.method ?? "",
        url: request.url ?? "",
        contentType: request.headers["content-type"] ?? "",
      });
      try {
        route(request, response, Buffer.concat(chunks), host);
      } catch (error) {
        const apiError =
          error instanceof ApiError
            ? error
            : new ApiError(500, "InternalError", String((error as Error).stack ?? error));
        if (!response.headersSent) send(response, apiError.code, apiError.toStatus());
        else response.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  const resource = (apiVersion: string, plural: string) => {
    const [groupName, versionName] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const found = findResource(groupName!, versionName!, plural);
    if (!found) throw new Error(`the fake API serves no ${plural} in ${apiVersion}`);
    return found;
  };
  return {
    url: `http://${host}`,
    host,
    store,
    requests,
    get: (apiVersion, plural, namespace, name) => store.get(resource(apiVersion, plural), namespace, name),
    list: (apiVersion, plural, namespace) => store.list(resource(apiVersion, plural), namespace),
    close: () =>
      new Promise((resolve) => {
        controller.stop();
        for (const open of watches) open.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
