// Several reporters read the same stream; one sink hands every event to each of them.
import type { EventSink, RunEvent } from "../run/events.js";

export function fanOut(sinks: readonly EventSink[]): EventSink {
  return {
    emit(event: RunEvent) {
      for (const sink of sinks) sink.emit(event);
    },
  };
}
