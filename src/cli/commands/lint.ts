// `relctl lint`: validate the playbook (and vars) and print every problem at once.
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";
import { preparePlaybook } from "../prepare.js";

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function lintCommand(options: GlobalOptions, io: Io): Promise<number> {
  const { playbook, display } = await preparePlaybook(options, io);
  const steps = playbook.stages.reduce((total, stage) => total + stage.steps.length, 0);
  const summary = [
    count(playbook.stages.length, "stage"),
    count(steps, "step"),
    count(playbook.files.length, "file"),
  ];
  io.out(`${io.color.green("✓")} ${display}: ${summary.join(", ")}; no problems\n`);
  return 0;
}
