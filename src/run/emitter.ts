// Stamps every event with the stream's version, its position, the time and the run id, and
// redacts it, before any reporter sees it. This is the one door events leave the engine by,
// so no reporter can receive a secret or a value that is not plain JSON.
import { Unresolved } from "../playbook/expr/index.js";
import type { Clock } from "./clock.js";
import { EVENT_SCHEMA_VERSION, type EventSink, type RunEvent, type RunEventBody } from "./events.js";
import type { Redactor } from "./redact.js";

export type Emit = (body: RunEventBody) => void;

export function createEmitter(options: {
  runId: string;
  sink: EventSink;
  redactor: Redactor;
  clock: Clock;
  /** A resumed run continues the numbering of its journal. */
  lastSeq?: number;
}): Emit {
  let seq = options.lastSeq ?? 0;
  return (body) => {
    const event = {
      v: EVENT_SCHEMA_VERSION,
      seq: ++seq,
      at: options.clock.now().toISOString(),
      runId: options.runId,
      ...(options.redactor.redactDeep(toPlain(body)) as RunEventBody),
    } as RunEvent;
    options.sink.emit(event);
  };
}

/** Plain JSON data: run-time values become their ⟨display⟩, errors their message. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Unresolved) return value.display;
  if (value instanceof Error) return value.message;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === "bigint") return value.toString();
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) copy[key] = toPlain(item);
    return copy;
  }
  return value;
}
