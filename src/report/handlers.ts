// Most reporters care about a few event types: they write one handler per type, and this turns
// the handlers into a sink that ignores every other event.
import type { EventSink, RunEvent } from "../run/events.js";

export type EventHandlers = Partial<{
  [K in RunEvent["type"]]: (event: Extract<RunEvent, { type: K }>) => void;
}>;

export function handlerSink(handlers: EventHandlers): EventSink {
  return {
    emit(event) {
      const handler = handlers[event.type] as ((event: RunEvent) => void) | undefined;
      handler?.(event);
    },
  };
}
