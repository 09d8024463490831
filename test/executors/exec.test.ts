import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StepFailure, type Outputs } from "../../src/executors/contract.js";
import exec from "../../src/executors/exec.js";
import { testContext, type TestContext } from "../helpers/action-context.js";
import { tempProject } from "../helpers/cli.js";

const run = exec.actions.run!;

async function execRun(
  input: Record<string, unknown>,
  overrides: Partial<TestContext> & { declaredOutputs?: string[] } = {},
): Promise<{ outputs: Outputs; ctx: TestContext }> {
  const { declaredOutputs = [], ...rest } = overrides;
  const ctx = await testContext({
    cwd: tempProject(),
    step: { id: "step", stage: "build", declaredOutputs },
    ...rest,
  });
  return { outputs: await run.run(ctx, run.input.parse(input)), ctx };
}

async function execFailure(
  input: Record<string, unknown>,
  overrides: Partial<TestContext> & { declaredOutputs?: string[] } = {},
) {
  const error = await execRun(input, overrides).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return error;
}

describe("exec.run with real processes", () => {
  it("passes argv to the program without a shell, so shell syntax in values stays text", async () => {
    const { outputs } = await execRun({ argv: ["echo", "$(touch pwned)", "a;b", "*"] });
    expect(outputs).toMatchObject({ stdout: "$(touch pwned) a;b *", exit_code: 0 });
  });

  it("runs a shell only with shell: true", async () => {
    const { outputs } = await execRun({ command: "echo $((2 + 3)) | tr 5 7", shell: true });
    expect(outputs.stdout).toBe("7");
    expect(() => run.input.parse({ command: "echo hi" })).toThrow(/shell: true/);
  });

  it("sets env, cwd (relative to the run's directory) and stdin", async () => {
    const dir = tempProject({ "sub/marker.txt": "here\n" });
    const { outputs } = await execRun(
      {
        argv: ["sh", "-c", 'cat marker.txt; echo "$GREETING"; cat -'],
        cwd: "sub",
        env: { GREETING: "hi" },
        stdin: "from stdin",
      },
      { cwd: dir },
    );
    expect(outputs.stdout).toBe("here\nhi\nfrom stdin");
  });

  it("fails on a non-zero exit with the command, the exit code and the last lines of stderr", async () => {
    const error = await execFailure({
      argv: ["sh", "-c", "echo out; echo first >&2; echo 'disk full' >&2; exit 7"],
    });
    expect(error.message).toBe("sh exited with code 7");
    expect(error.exitCode).toBe(7);
    expect(error.command).toEqual(["sh", "-c", "echo out; echo first >&2; echo 'disk full' >&2; exit 7"]);
    expect(error.stderrTail).toBe("first\ndisk full");
    expect(error.outputs).toMatchObject({ stdout: "out", exit_code: 7 });
  });

  it("accepts the exit codes listed in ok_exit_codes", async () => {
    const { outputs } = await execRun({ argv: ["sh", "-c", "exit 3"], ok_exit_codes: [0, 3] });
    expect(outputs.exit_code).toBe(3);
  });

  it("says a program is not found and how to fix it", async () => {
    const error = await execFailure({ argv: ["relctl-no-such-program", "x"] });
    expect(error.message).toBe("relctl-no-such-program: command not found");
    expect(error.hint).toMatch(/install relctl-no-such-program or put it on PATH/);
  });

  it("reads declared outputs from $RELCTL_OUTPUT, single-line and multi-line", async () => {
    const { outputs } = await execRun(
      {
        argv: [
          "sh",
          "-c",
          'echo "digest=sha256:abc" >> "$RELCTL_OUTPUT"; printf "notes<<EOF\\nline 1\\nline 2\\nEOF\\n" >> "$RELCTL_OUTPUT"',
        ],
      },
      { declaredOutputs: ["digest", "notes"] },
    );
    expect(outputs).toMatchObject({ digest: "sha256:abc", notes: "line 1\nline 2" });
  });

  it("fails when a declared output is not written, and ignores undeclared ones with a warning", async () => {
    const error = await execFailure(
      { argv: ["sh", "-c", 'echo "other=1" >> "$RELCTL_OUTPUT"'] },
      { declaredOutputs: ["digest"] },
    );
    expect(error.message).toBe("sh did not write the declared output digest");
    expect(error.hint).toContain("RELCTL_OUTPUT");
  });

  it("kills the child when the step is aborted (timeout, failure elsewhere, Ctrl-C)", async () => {
    const dir = tempProject();
    const ctx = await testContext({ cwd: dir, step: { id: "slow", stage: "build", declaredOutputs: [] } });
    const pending = run.run(ctx, run.input.parse({ argv: ["sh", "-c", "echo $$ > pid; exec sleep 30"] }));
    const pidFile = join(dir, "pid");
    const deadline = Date.now() + 5000;
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
      if (Date.now() > deadline) throw new Error("child did not start");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const pid = Number(readFileSync(pidFile, "utf8"));
    ctx.abort(new Error("interrupted by SIGINT"));
    const error = await pending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).kind).toBe("cancelled");
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it("declares itself read-only only when the step says so, and plans the exact argv", () => {
    const readOnly = run.input.parse({ argv: ["git", "rev-parse", "HEAD"], read_only: true });
    const deploy = run.input.parse({ argv: ["helm", "upgrade", "api", 5] });
    expect(typeof run.mutates === "function" && run.mutates(readOnly)).toBe(false);
    expect(typeof run.mutates === "function" && run.mutates(deploy)).toBe(true);
    expect(run.plan(deploy)).toEqual({ summary: "run helm", argv: ["helm", "upgrade", "api", "5"] });
  });
});
