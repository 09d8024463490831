// The run's lock names the step processes running under it (`steps` in the lock file), next to
// its holder, so whoever finds the lock stale (its relctl was killed -9) can tell whether a step
// of it still runs before taking the target over. Kept up to date from the run's events: a
// step.process adds its process, the step's end removes the step's.
//
// The lock is rewritten atomically, and only while it still names this run and this process as
// its holder: a lock that was force-unlocked and taken by another run is not ours to touch.
import type { EventSink, RunEvent } from "../run/events.js";
import { writeFileAtomic } from "./atomic.js";
import type { HeldLock } from "./lock.js";
import { parseInfo, readRaw, type LockInfo } from "./lock-file.js";
import { parseStepProcess, stepProcessOf, type StepProcess } from "./orphans.js";

/** The step processes a lock file lists ([] for a lock without any, or an older relctl's). */
export function lockSteps(info: LockInfo | undefined): StepProcess[] {
  const steps = (info as { steps?: unknown } | undefined)?.steps;
  return Array.isArray(steps) ? steps.flatMap((entry) => parseStepProcess(entry) ?? []) : [];
}

/** An event sink that keeps the `steps` of the run's locks in step with its running processes. */
export function lockStepsSink(locks: readonly HeldLock[]): EventSink {
  const running: StepProcess[] = [];
  const write = (): void => {
    for (const lock of locks) rewrite(lock, running);
  };
  return {
    emit(event: RunEvent) {
      if (event.type === "step.process") {
        running.push(stepProcessOf(event));
        write();
      } else if (event.type === "step.end") {
        const before = running.length;
        for (let index = running.length - 1; index >= 0; index--) {
          const entry = running[index]!;
          if (entry.stage === event.stage && entry.step === event.step) running.splice(index, 1);
        }
        if (running.length !== before) write();
      }
    },
  };
}

function rewrite(lock: HeldLock, steps: readonly StepProcess[]): void {
  const current = parseInfo(readRaw(lock.file));
  if (!current || current.runId !== lock.info.runId || current.pid !== lock.info.pid) return;
  const { steps: _previous, ...holder } = current as LockInfo & { steps?: unknown };
  const next = steps.length > 0 ? { ...holder, steps } : holder;
  writeFileAtomic(lock.file, `${JSON.stringify(next)}\n`);
}
