// `--json`: one event per line on stdout, nothing else there (docs/events.md is the contract).
import type { EventSink } from "../run/events.js";

export function jsonLinesReporter(write: (text: string) => void): EventSink {
  return { emit: (event) => write(`${JSON.stringify(event)}\n`) };
}
