// Ctrl-C and SIGTERM stop the run through one AbortController: the engine kills the running
// child, records the run as interrupted and returns, so bin/ can exit 130 after cleanup.
import { interrupted } from "../errors.js";

export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

export function abortOnSignals(onSignal?: (name: string) => void): InterruptHandle {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals): void => {
    onSignal?.(name);
    // A coded error (exit 130), so whatever the abort reaches (a running step, a wait for
    // approvals) ends as interrupted rather than as an internal error.
    controller.abort(interrupted(name));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
