// `relctl lint`: validate the playbook (and vars) and print every problem at once.
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { preparePlaybook } from "../prepare.js";

export async function lintCommand(options: GlobalOptions, io: Io): Promise<number> {
  const { playbook, display } = await preparePlaybook(options, io);
  const steps = playbook.stages.reduce((count, stage) => count + stage.steps.length, 0);
  const files = playbook.files.length;
  io.out(
    `${io.color.green("✓")} ${display}: ${playbook.stages.length} stages, ${steps} steps, ${files} file${files === 1 ? "" : "s"}; no problems\n`,
  );
  return 0;
}
