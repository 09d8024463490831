import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startRelctl, tempProject } from "../helpers/cli.js";

const playbook = `apiVersion: relctl/v1
name: long
stages:
  build:
    on_failure: rollback
    steps:
      - id: slow
        uses: exec.run
        with:
          argv: [sh, -c, 'echo $$ > child.pid; exec sleep 30']
      - id: after
        uses: exec.run
        with: { argv: [touch, after.txt] }
  rollback:
    steps:
      - id: undo
        uses: exec.run
        with: { argv: [touch, rolled-back.txt] }
`;

async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) || readFileSync(path, "utf8").trim() === "") {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("interrupts", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s stops the running child, records the run as interrupted and exits 130",
    async (signal) => {
      const dir = tempProject({ "relctl.yaml": playbook });
      const run = startRelctl(["build", "--yes", "--json"], { cwd: dir });
      const pidFile = join(dir, "child.pid");
      await waitForFile(pidFile);
      const childPid = Number(readFileSync(pidFile, "utf8"));
      expect(isAlive(childPid)).toBe(true);

      run.kill(signal);
      const result = await run;

      expect(result.exitCode).toBe(130);
      expect(isAlive(childPid)).toBe(false);
      const events = String(result.stdout)
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { type: string; status?: string; step?: string });
      expect(events.find((event) => event.type === "step.end" && event.step === "slow")?.status).toBe(
        "cancelled",
      );
      expect(events.at(-1)).toMatchObject({ type: "run.end", status: "interrupted", exitCode: 130 });
      expect(existsSync(join(dir, "after.txt"))).toBe(false);
      expect(existsSync(join(dir, "rolled-back.txt"))).toBe(false);
    },
  );
});
