// The PATCH kinds Kubernetes accepts, by Content-Type: JSON patch (RFC 6902), JSON merge patch
// (RFC 7386), strategic merge patch (maps merge, lists of objects merge on their merge key,
// `$patch`/`$setElementOrder`/`$retainKeys` directives) and server-side apply (simplified to one
// field manager: what the manager applied before and no longer applies is removed).
import { badRequest } from "./status.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const isMap = (value: unknown): value is JsonMap =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const clone = <T>(value: T): T => structuredClone(value);

// ---- JSON patch -------------------------------------------------------------------------------

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw badRequest(`invalid JSON pointer ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(document: Json, path: string[]): { parent: JsonMap | Json[]; key: string } {
  let current: Json = document;
  for (const key of path.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(current)
      ? current[Number(key)]
      : isMap(current)
        ? current[key]
        : undefined;
    if (next === undefined) throw badRequest(`doc is missing path: "/${path.join("/")}"`);
    current = next;
  }
  if (!isMap(current) && !Array.isArray(current))
    throw badRequest(`doc is missing path: "/${path.join("/")}"`);
  return { parent: current, key: path[path.length - 1] ?? "" };
}

function getAt(document: Json, path: string[]): Json | undefined {
  let current: Json | undefined = document;
  for (const key of path) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isMap(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function add(document: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const { parent, key } = parentOf(document, path);
  if (Array.isArray(parent)) parent.splice(key === "-" ? parent.length : Number(key), 0, value);
  else parent[key] = value;
  return document;
}

function remove(document: Json, path: string[]): Json {
  const { parent, key } = parentOf(document, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (key in parent) delete parent[key];
  else throw badRequest(`Unable to remove nonexistent key: ${key}: missing value`);
  return document;
}

export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw badRequest("a JSON patch is a list of operations");
  let document = clone(target);
  for (const operation of operations as { op: string; path: string; from?: string; value?: Json }[]) {
    const path = pointer(operation.path);
    switch (operation.op) {
      case "add":
        document = add(document, path, clone(operation.value ?? null));
        break;
      case "remove":
        document = remove(document, path);
        break;
      case "replace":
        if (path.length > 0 && getAt(document, path) === undefined)
          throw badRequest(`replace operation does not apply: doc is missing key: ${operation.path}`);
        document =
          path.length === 0
            ? clone(operation.value ?? null)
            : add(remove(document, path), path, clone(operation.value ?? null));
        break;
      case "test":
        if (JSON.stringify(getAt(document, path)) !== JSON.stringify(operation.value))
          throw badRequest(`testing value ${operation.path} failed`);
        break;
      case "move":
      case "copy": {
        const from = pointer(operation.from ?? "");
        const value = clone(getAt(document, from));
        if (value === undefined) throw badRequest(`doc is missing from path: ${operation.from}`);
        if (operation.op === "move") document = remove(document, from);
        document = add(document, path, value);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${operation.op}`);
    }
  }
  return document;
}

// ---- JSON merge patch -------------------------------------------------------------------------

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isMap(patch)) return clone(patch);
  const result: JsonMap = isMap(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---- strategic merge patch --------------------------------------------------------------------

/**
 * The patch merge keys of the core types' lists (x-kubernetes-patch-merge-key in the API's own
 * schema), by field name; ports merge on containerPort in a container and on port in a Service.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
};

function mergeKeyOf(field: string, items: Json[]): string | undefined {
  if (field === "ports") {
    const sample = items.find(isMap);
    return sample && "containerPort" in sample ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

/** Lists of strings the API merges as sets (finalizers). */
const PRIMITIVE_SET_LISTS = new Set(["finalizers"]);

function mergeList(field: string, current: Json | undefined, patch: Json[]): Json[] {
  const existing = Array.isArray(current) ? clone(current) : [];
  if (PRIMITIVE_SET_LISTS.has(field)) {
    return [...existing, ...patch.filter((item) => !existing.some((value) => value === item))];
  }
  const key = mergeKeyOf(field, [...patch, ...existing]);
  if (!key)
    return patch.filter((item) => !(isMap(item) && item.$patch === "delete")).map((item) => clone(item));
  if (patch.some((item) => isMap(item) && item.$patch === "replace")) {
    return patch.filter((item) => !(isMap(item) && item.$patch === "replace")).map((item) => clone(item));
  }
  const result = existing;
  for (const item of patch) {
    if (!isMap(item)) continue;
    const index = result.findIndex((candidate) => isMap(candidate) && candidate[key] === item[key]);
    if (item.$patch === "delete") {
      if (index !== -1) result.splice(index, 1);
    } else if (index === -1) result.push(strategicMerge(undefined, item));
    else result[index] = strategicMerge(result[index], item);
  }
  return result;
}

export function strategicMerge(target: Json | undefined, patch: Json): Json {
  if (!isMap(patch)) return clone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _replace, ...rest } = patch;
    return strategicMerge(undefined, rest);
  }
  if (patch.$patch === "delete") return {};
  const result: JsonMap = isMap(target) ? clone(target) : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$retainKeys" || key === "$patch" || key.startsWith("$setElementOrder/")) continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      const drop = new Set((Array.isArray(value) ? value : []).map((item) => JSON.stringify(item)));
      const list = result[field];
      if (Array.isArray(list)) result[field] = list.filter((item) => !drop.has(JSON.stringify(item)));
      continue;
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else if (isMap(value)) result[key] = strategicMerge(result[key], value);
    else result[key] = value;
  }
  if (retainKeys) for (const key of Object.keys(result)) if (!retainKeys.has(key)) delete result[key];
  return result;
}

// ---- server-side apply ------------------------------------------------------------------------

/** Removes from `live` the map fields `before` set and `after` no longer sets. */
function dropUnapplied(live: Json, before: Json | undefined, after: Json | undefined): Json {
  if (!isMap(live) || !isMap(before)) return live;
  const result = clone(live);
  for (const key of Object.keys(before)) {
    const next = isMap(after) ? after[key] : undefined;
    if (next === undefined) delete result[key];
    else if (isMap(before[key]) && isMap(result[key]))
      result[key] = dropUnapplied(result[key], before[key], next);
  }
  return result;
}

/**
 * The object after a field manager applies `applied`: what it applied last time and left out now
 * is gone, the rest merges as a strategic merge would (lists of objects by their merge key).
 */
export function serverSideApply(live: Json | undefined, applied: Json, lastApplied: Json | undefined): Json {
  if (live === undefined) return clone(applied);
  return strategicMerge(dropUnapplied(live, lastApplied, applied), applied);
}
