// Node's timers hold at most 2^31-1 ms (about 24.8 days): a longer delay fires after 1 ms, with
// only a TimeoutOverflowWarning. The timers relctl sets for waits go through here, so a long one
// is waited in pieces and never fires early, whatever slipped past validation.

/** The longest delay one Node timer holds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `callback` after `ms`, however long; returns a function that cancels it. */
export function setLongTimeout(callback: () => void, ms: number): () => void {
  let remaining = Math.max(0, ms);
  let timer: NodeJS.Timeout;
  const schedule = (): void => {
    const piece = Math.min(remaining, MAX_TIMER_MS);
    timer = setTimeout(() => {
      remaining -= piece;
      if (remaining > 0) schedule();
      else callback();
    }, piece);
  };
  schedule();
  return () => clearTimeout(timer);
}
