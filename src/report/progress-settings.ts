// Whether running steps are redrawn in place, and how often a long step says it is still running
// where they are not: decided from the terminal and the environment, once per run.
import { parseDuration } from "../util/duration.js";

export interface ProgressSettings {
  live: boolean;
  columns: () => number;
  heartbeatMs?: number;
}

export function progressSettings(io: {
  stdoutIsTty: boolean;
  env: Record<string, string | undefined>;
}): ProgressSettings {
  // TERM=dumb cannot move the cursor: lines are only appended there, as in a CI log.
  const live = io.stdoutIsTty && io.env.TERM !== "dumb";
  // RELCTL_HEARTBEAT=2m: a CI system that kills a job after minutes of silence gets a line sooner.
  const heartbeat = io.env.RELCTL_HEARTBEAT;
  const heartbeatMs = heartbeat === undefined ? undefined : parseDuration(heartbeat);
  return {
    live,
    columns: () => process.stdout.columns ?? 80,
    ...(heartbeatMs !== undefined && heartbeatMs > 0 ? { heartbeatMs } : {}),
  };
}
