// Ctrl-C, SIGTERM and SIGHUP (a closed terminal or SSH session) stop the run through one
// AbortController: the engine stops the running steps' process groups, records the run as
// interrupted and returns, so bin/ can exit 130 after cleanup.
import { interrupted } from "../errors.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

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
  for (const name of SIGNALS) process.on(name, handler);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of SIGNALS) process.off(name, handler);
    },
  };
}
