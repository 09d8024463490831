// Reading the request bodies client-go's typed clients send as Kubernetes protobuf
// (application/vnd.kubernetes.protobuf): helm's release storage writes its Secrets that way.
// The envelope is "k8s\0" and a runtime.Unknown {typeMeta, raw}; raw is the typed message. Only
// the messages helm writes are decoded (Secret, ConfigMap with their ObjectMeta); answers are
// always JSON, which the clients accept whatever they sent.
import { ApiError, badRequest } from "./status.js";

type Field = { number: number; wire: number; value: bigint | Buffer };

function varint(buffer: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buffer[offset++];
    if (byte === undefined) throw badRequest("truncated protobuf");
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, offset];
    shift += 7n;
  }
}

function fields(buffer: Buffer): Field[] {
  const found: Field[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [tag, next] = varint(buffer, offset);
    offset = next;
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [value, after] = varint(buffer, offset);
      found.push({ number, wire, value });
      offset = after;
    } else if (wire === 2) {
      const [length, after] = varint(buffer, offset);
      const end = after + Number(length);
      found.push({ number, wire, value: buffer.subarray(after, end) });
      offset = end;
    } else if (wire === 1) offset += 8;
    else if (wire === 5) offset += 4;
    else throw badRequest(`unsupported protobuf wire type ${wire}`);
  }
  return found;
}

const bytesOf = (field: Field): Buffer => field.value as Buffer;
const text = (field: Field): string => bytesOf(field).toString("utf8");

function mapEntries(list: Field[], number: number, asBase64: boolean): Record<string, string> | undefined {
  const entries = list.filter((field) => field.number === number);
  if (entries.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const parts = fields(bytesOf(entry));
    const key = parts.find((part) => part.number === 1);
    const value = parts.find((part) => part.number === 2);
    map[key ? text(key) : ""] = value ? (asBase64 ? bytesOf(value).toString("base64") : text(value)) : "";
  }
  return map;
}

function objectMeta(buffer: Buffer): Record<string, unknown> {
  const list = fields(buffer);
  const string = (number: number) => {
    const field = list.find((candidate) => candidate.number === number);
    return field ? text(field) : undefined;
  };
  const meta: Record<string, unknown> = {
    name: string(1),
    generateName: string(2),
    namespace: string(3),
    uid: string(5),
    resourceVersion: string(6),
    labels: mapEntries(list, 11, false),
    annotations: mapEntries(list, 12, false),
  };
  const finalizers = list.filter((field) => field.number === 14).map(text);
  if (finalizers.length > 0) meta.finalizers = finalizers;
  for (const key of Object.keys(meta)) if (meta[key] === undefined || meta[key] === "") delete meta[key];
  return meta;
}

/** The JSON form of a protobuf-encoded Secret or ConfigMap. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.subarray(0, 4).toString("latin1") !== "k8s\0")
    throw badRequest("not a Kubernetes protobuf message");
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(
    bytesOf(unknown.find((field) => field.number === 1) ?? { number: 1, wire: 2, value: Buffer.alloc(0) }),
  );
  const apiVersion = typeMeta.find((field) => field.number === 1);
  const kindField = typeMeta.find((field) => field.number === 2);
  const kind = kindField ? text(kindField) : "";
  const raw = fields(
    bytesOf(unknown.find((field) => field.number === 2) ?? { number: 2, wire: 2, value: Buffer.alloc(0) }),
  );
  const metadataField = raw.find((field) => field.number === 1);
  const object: Record<string, unknown> = {
    apiVersion: apiVersion ? text(apiVersion) : "v1",
    kind,
    metadata: metadataField ? objectMeta(bytesOf(metadataField)) : {},
  };
  if (kind === "Secret") {
    object.data = mapEntries(raw, 2, true);
    const type = raw.find((field) => field.number === 3);
    if (type) object.type = text(type);
    object.stringData = mapEntries(raw, 4, false);
    const immutable = raw.find((field) => field.number === 5);
    if (immutable) object.immutable = immutable.value === 1n;
  } else if (kind === "ConfigMap") {
    object.data = mapEntries(raw, 2, false);
    object.binaryData = mapEntries(raw, 3, true);
  } else {
    throw new ApiError(415, "UnsupportedMediaType", `the fake API reads no protobuf ${kind}: send JSON`);
  }
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
