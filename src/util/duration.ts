// Durations in playbooks read like Prometheus and Go durations ("500ms", "30s", "5m", "1h30m").
// A bare number means seconds, the unit release runbooks think in.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * The longest relctl waits on anything a playbook sets: a step's timeout, a retry's backoff, a
 * canary hold, a pause, a gate's timing, a request's timeout. Node's timers end at 2^31-1 ms
 * (about 24.8 days; a longer one fires at once), and a release step that waits weeks is a
 * mistake, so lint refuses more than this with the rest of the playbook.
 */
export const MAX_WAIT_MS = 24 * UNIT_MS.d!;
/** MAX_WAIT_MS as a playbook writes it. */
export const MAX_WAIT = "24d";
/** What to do about a wait over the limit, for diagnostics. */
export const MAX_WAIT_HINT = `relctl waits at most ${MAX_WAIT}; for a longer pause end the run here and start the next stage later`;

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as string]!;
  return total;
}

/** What is wrong with a wait, and what to do about it. */
export interface WaitProblem {
  message: string;
  hint: string;
}

/**
 * Why relctl cannot wait `ms` (a parsed duration), or undefined when it can: longer than
 * MAX_WAIT, or 0 where the wait must be longer than that (a timeout). `written` is the value as
 * the playbook wrote it, echoed in the message.
 */
export function waitProblem(
  ms: number,
  options: { positive?: boolean; written?: string | number } = {},
): WaitProblem | undefined {
  if (options.positive && ms <= 0) {
    return {
      message: "must be longer than 0s",
      hint: "give a timeout longer than 0s, or leave it out for none",
    };
  }
  if (ms <= MAX_WAIT_MS) return undefined;
  const { written } = options;
  const shown =
    typeof written === "string"
      ? written.trim()
      : typeof written === "number"
        ? `${written}s`
        : formatDuration(ms);
  return { message: `${shown} is longer than relctl waits: at most ${MAX_WAIT}`, hint: MAX_WAIT_HINT };
}

/** Short human form for output: 850ms, 1.2s, 3m05s, 1h02m, 2d03h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days}d${String(hours).padStart(2, "0")}h`;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, "0")}m`;
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}
