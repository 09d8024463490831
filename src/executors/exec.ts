// The exec executor: run a program from an argv list. A shell only when the playbook says
// `shell: true` explicitly, so values from vars and outputs are never parsed as shell syntax.
// Declared outputs come back through the file named by $RELCTL_OUTPUT, like GitHub Actions'
// $GITHUB_OUTPUT, so a command can hand a digest or a version to later steps.
import { readFile, writeFile } from "node:fs/promises";
import { devNull } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { lastLines, STDERR_TAIL_LINES } from "../util/text.js";
import { defineAction, StepFailure, type Executor } from "./contract.js";
import { parseOutputFile } from "./exec/output-file.js";

const argvItem = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const input = z
  .strictObject({
    argv: z
      .array(argvItem)
      .min(1, "argv needs at least the program")
      .optional()
      .describe("program and arguments")
      .meta({
        examples: [
          ["npm", "ci"],
          ["./scripts/build.sh", "${{ vars.service }}"],
        ],
      }),
    command: z.string().min(1).optional().describe("a shell script; needs shell: true"),
    shell: z.boolean().default(false).describe("run `command` with /bin/sh -c"),
    cwd: z.string().optional().describe("working directory, relative to the run's directory"),
    env: z.record(z.string(), argvItem).default({}).describe("extra environment variables"),
    stdin: z.string().optional().describe("text written to the program's standard input"),
    ok_exit_codes: z.array(z.number().int()).default([0]).describe("exit codes that count as success"),
    read_only: z
      .boolean()
      .default(false)
      .describe("the command changes nothing: it may also run during plan and --dry-run"),
  })
  .superRefine((value, ctx) => {
    if (value.argv === undefined && value.command === undefined) {
      ctx.addIssue({ code: "custom", message: "give argv: [program, args…] (or command: with shell: true)" });
    }
    if (value.argv !== undefined && value.command !== undefined) {
      ctx.addIssue({ code: "custom", message: "give either argv or command, not both" });
    }
    if (value.command !== undefined && !value.shell) {
      ctx.addIssue({
        code: "custom",
        path: ["command"],
        message: "command runs through a shell only with shell: true (prefer argv, which no shell parses)",
      });
    }
    if (value.shell && value.command === undefined) {
      ctx.addIssue({ code: "custom", path: ["shell"], message: "shell: true needs command:" });
    }
  });

type Input = z.output<typeof input>;

function commandOf(value: Input): string[] {
  return value.command !== undefined ? ["/bin/sh", "-c", value.command] : value.argv!;
}

const run = defineAction({
  description: "Run a program (argv list; a shell only with shell: true)",
  input,
  outputs: {
    stdout: "standard output, trailing newline trimmed",
    stderr: "standard error, trailing newline trimmed",
    exit_code: "the exit code",
  },
  acceptsDeclaredOutputs: true,
  mutates: (value) => !value.read_only,
  dryRunSafe: (value) => value.read_only,
  plan: (value) => {
    const argv = commandOf(value);
    const details: Record<string, unknown> = {};
    if (value.cwd !== undefined) details.cwd = value.cwd;
    if (Object.keys(value.env).length > 0) details.env = Object.keys(value.env).join(", ");
    if (value.stdin !== undefined) details.stdin = `${value.stdin.length} characters`;
    return { summary: `run ${argv[0]}`, argv, ...(Object.keys(details).length > 0 ? { details } : {}) };
  },
  async run(ctx, value) {
    const argv = commandOf(value);
    // Only a step that declares outputs gets a file to write them to; others write to nowhere.
    const wantsOutputs = ctx.step.declaredOutputs.length > 0;
    const outputFile = wantsOutputs ? join(ctx.tempDir, "output") : devNull;
    if (wantsOutputs) await writeFile(outputFile, "");
    const result = await ctx.exec.run(argv, {
      cwd: value.cwd === undefined ? ctx.cwd : resolve(ctx.cwd, value.cwd),
      env: { ...value.env, RELCTL_OUTPUT: outputFile },
      input: value.stdin,
      signal: ctx.signal,
      onLine: (stream, line) => ctx.log.debug(`${stream}: ${line}`),
    });
    const outputs: Record<string, unknown> = {
      stdout: trimNewline(result.stdout),
      stderr: trimNewline(result.stderr),
      exit_code: result.exitCode,
    };
    if (!value.ok_exit_codes.includes(result.exitCode)) {
      throw new StepFailure(
        result.signal
          ? `${argv[0]} was killed by ${result.signal}`
          : `${argv[0]} exited with code ${result.exitCode}`,
        {
          command: argv,
          exitCode: result.exitCode,
          stderrTail: lastLines(result.stderr, STDERR_TAIL_LINES),
          outputs,
        },
      );
    }
    const written = wantsOutputs
      ? parseOutputFile(await readFile(outputFile, "utf8"))
      : new Map<string, string>();
    for (const [name, text] of written) {
      if (ctx.step.declaredOutputs.includes(name)) outputs[name] = text;
      else
        ctx.log.warn(
          `ignored output "${name}" written to $RELCTL_OUTPUT: declare it with outputs: [${name}]`,
        );
    }
    const missing = ctx.step.declaredOutputs.filter((name) => !written.has(name));
    if (missing.length > 0) {
      throw new StepFailure(
        `${argv[0]} did not write the declared output${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
        {
          command: argv,
          exitCode: result.exitCode,
          stderrTail: lastLines(result.stderr, STDERR_TAIL_LINES),
          hint: `write name=value lines to the file in $RELCTL_OUTPUT, e.g. echo "${missing[0]}=…" >> "$RELCTL_OUTPUT"`,
          outputs,
        },
      );
    }
    return outputs;
  },
});

function trimNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

const exec: Executor = {
  name: "exec",
  description: "Run programs",
  actions: { run },
};

export default exec;
