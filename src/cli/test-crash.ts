// TEST-ONLY: RELCTL_TEST_CRASH_AT=<point> makes relctl SIGKILL itself at that point, so the crash
// tests hit an exact moment (the journal says the run ended; nothing after it is written) instead
// of racing a kill against the run. It can only make relctl die, as `kill -9` can: it skips no
// check and changes no decision. Not for production use; not part of the documented interface.
export type CrashPoint = "after-run-end";

export function crashPointReached(point: CrashPoint, env: Record<string, string | undefined>): void {
  if (env.RELCTL_TEST_CRASH_AT === point) process.kill(process.pid, "SIGKILL");
}
