// `relctl unlock --force --reason "…" [--environment env] [--even-if-alive]`: remove a target's
// lock. Who and why are recorded in the lock audit before the lock goes. A holder still alive on
// this host is refused unless --even-if-alive says so too.
import { ExitCode, RelctlError, usageError } from "../../errors.js";
import { approverIdentity } from "../../state/approvals.js";
import { forceUnlock } from "../../state/lock.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { preparePlaybook } from "../prepare.js";
import { stateDirOf, writingState } from "../state-context.js";

export async function unlockCommand(
  unlock: { force?: boolean; reason?: string; environment?: string; evenIfAlive?: boolean },
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  if (!unlock.force)
    throw usageError(
      "unlock removes a lock another run may hold: pass --force",
      'relctl unlock --force --reason "…"',
    );
  if (!unlock.reason?.trim()) throw usageError('--force needs --reason "…": the unlock is recorded with it');
  const { playbook, cwd } = await preparePlaybook(options, io);
  const target = { playbook: playbook.name, environment: unlock.environment ?? "default" };
  const stateDir = stateDirOf(options);
  const by = approverIdentity({ env: io.env }, cwd);
  const result = await writingState(stateDir, () =>
    forceUnlock(stateDir, target, { by, reason: unlock.reason!, evenIfAlive: unlock.evenIfAlive === true }),
  );
  if (!result.wasLocked) {
    throw new RelctlError(
      "E_NOT_LOCKED",
      ExitCode.invalid,
      `${target.playbook} on ${target.environment} is not locked`,
      {
        hint: "pass --environment for a stage with an environment: (production, staging)",
      },
    );
  }
  const holder = result.removed
    ? ` (was run ${result.removed.runId}, pid ${result.removed.pid} on ${result.removed.hostname})`
    : "";
  io.out(`${io.color.yellow("!")} unlocked ${target.playbook} on ${target.environment}${holder}; recorded\n`);
  return 0;
}
