// `relctl doctor`: the outside tools a playbook needs, whether they are installed, their
// versions, and how to install what is missing. Needed tools that are missing or unsupported
// make it exit 1; other tools are listed for information. --json prints one JSON object.
import { ExitCode } from "../../errors.js";
import { runDoctor, type ToolReport, type ToolUse } from "../../release/doctor.js";
import { createProcessRunner } from "../../run/process-runner.js";
import type { ProcessRunner } from "../../run/process.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";

export { toolUsesOfSteps } from "../../release/doctor.js";

/**
 * `uses` are the playbook's steps (see toolUsesOfSteps); without them doctor lists every tool it
 * knows and needs none.
 */
export async function doctorCommand(
  options: GlobalOptions,
  io: Io,
  uses: readonly ToolUse[] = [],
  runner: ProcessRunner = createProcessRunner(),
): Promise<number> {
  const report = await runDoctor(uses, { runner, env: io.env });
  if (options.json) {
    io.out(`${JSON.stringify(report)}\n`);
    return report.ok ? ExitCode.ok : ExitCode.stepFailed;
  }
  const width = Math.max(...report.tools.map((tool) => tool.name.length));
  const needed = report.tools.filter((tool) => tool.neededBy.length > 0);
  const others = report.tools.filter((tool) => tool.neededBy.length === 0);
  if (needed.length > 0) io.out("Needed by the playbook:\n");
  for (const tool of needed) io.out(line(tool, width, io));
  if (others.length > 0) io.out(`${needed.length > 0 ? "\nOther tools:\n" : ""}`);
  for (const tool of others) io.out(line(tool, width, io));
  if (!report.ok) {
    const broken = needed.filter((tool) => tool.state !== "ok").map((tool) => tool.name);
    io.err(
      `${io.color.red("✗")} the playbook needs ${broken.join(", ")}; install ${broken.length === 1 ? "it" : "them"} first\n`,
    );
  } else if (needed.length > 0) {
    io.out(`\n${io.color.green("✓")} every tool the playbook needs is installed\n`);
  }
  return report.ok ? ExitCode.ok : ExitCode.stepFailed;
}

function line(tool: ToolReport, width: number, io: Io): string {
  const { color } = io;
  const needed = tool.neededBy.length > 0;
  const mark = tool.state === "ok" ? color.green("✓") : needed ? color.red("✗") : color.dim("-");
  const name = tool.name.padEnd(width);
  const version = tool.state === "ok" ? (tool.version ?? "version unknown") : tool.state;
  const by = needed ? ` (${tool.neededBy.join(", ")})` : "";
  const lines = [`${mark} ${name}  ${version}${tool.path ? color.dim(`  ${tool.path}`) : ""}${by}\n`];
  if (tool.problem && tool.state !== "ok") lines.push(`  ${" ".repeat(width)}  ${tool.problem}\n`);
  if (tool.state !== "ok" && (needed || tool.state !== "missing")) {
    lines.push(`  ${" ".repeat(width)}  install: ${tool.install}\n`);
  }
  return lines.join("");
}
