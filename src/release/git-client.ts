// The one way relctl talks to git: simple-git running argv arrays (never a shell string), with
// every non-zero exit turned into a GitCommandError that keeps the exit code and stderr.
// simple-git 4 strips GIT_* variables from the environment unless told otherwise; relctl passes
// the environment it was started with and keeps the few variables a release needs: identity and
// dates (who tags, reproducible tests) and the SSH/askpass settings CI uses to push.
import { existsSync } from "node:fs";
import { GitError, simpleGit, type SimpleGit } from "simple-git";
import { StepFailure } from "../executors/contract.js";
import { lastLines, STDERR_TAIL_LINES } from "../util/text.js";

const PASSED_ENVIRONMENT = [
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "GIT_COMMITTER_DATE",
  "GIT_SSH_COMMAND",
  "GIT_SSH",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
  "GIT_TERMINAL_PROMPT",
];
/** Guarded by simple-git (an editor, pager or config path can run code) and not needed here. */
const DROPPED_ENVIRONMENT = new Set(["editor", "visual", "pager", "prefix"]);

export class GitCommandError extends GitError {
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number, stdout: string, stderr: string) {
    super(undefined, (stderr || stdout).trim() || `git ${args[0] ?? ""} exited with ${exitCode}`);
    this.name = "GitCommandError";
    this.args = args;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export interface GitClient {
  /** The repository's working directory. */
  readonly dir: string;
  /** Runs `git ...args`; resolves stdout, rejects GitCommandError on a non-zero exit. */
  run(args: readonly string[]): Promise<string>;
  /** Runs `git ...args`; resolves stdout, or undefined when git exits non-zero. */
  tryRun(args: readonly string[]): Promise<string | undefined>;
}

export interface OpenOptions {
  dir: string;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

export function openGit(options: OpenOptions): GitClient {
  if (!existsSync(options.dir)) {
    throw new StepFailure(`repository directory ${options.dir} does not exist`, {
      hint: "set `repo:` (or --repo) to the directory of the git checkout",
    });
  }
  let git: SimpleGit = simpleGit({
    baseDir: options.dir,
    ...(options.signal ? { abort: options.signal } : {}),
    allowEnvironment: PASSED_ENVIRONMENT,
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeAskPass: true },
    errors: (error, result) => {
      if (result.exitCode === 0) return error;
      const stdout = Buffer.concat(result.stdOut).toString("utf8");
      const stderr = Buffer.concat(result.stdErr).toString("utf8");
      const fallback = error instanceof Error ? error.message : "";
      return new GitCommandError([], result.exitCode, stdout, stderr || fallback);
    },
  });
  git = git.env(childEnvironment(options.env));
  const run = async (args: readonly string[]): Promise<string> => {
    try {
      return await git.raw([...args]);
    } catch (error) {
      if (options.signal?.aborted) {
        throw new StepFailure(`git ${args[0] ?? ""} was cancelled`, { kind: "cancelled", cause: error });
      }
      if (error instanceof GitCommandError) {
        throw new GitCommandError(args, error.exitCode, error.stdout, error.stderr);
      }
      throw new GitCommandError(args, -1, "", error instanceof Error ? error.message : String(error));
    }
  };
  return {
    dir: options.dir,
    run,
    async tryRun(args) {
      try {
        return await run(args);
      } catch (error) {
        if (error instanceof GitCommandError) return undefined;
        throw error;
      }
    },
  };
}

function childEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const allowed = new Set(PASSED_ENVIRONMENT.map((name) => name.toLowerCase()));
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if ((key.startsWith("git_") || DROPPED_ENVIRONMENT.has(key)) && !allowed.has(key)) continue;
    result[name] = value;
  }
  // Never wait for a password prompt nobody will answer.
  result.GIT_TERMINAL_PROMPT ??= "0";
  return result;
}

/** A StepFailure for a git command that failed, keeping its argv, exit code and stderr. */
export function gitFailure(message: string, error: unknown, hint?: string): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof GitCommandError) {
    return new StepFailure(message, {
      command: ["git", ...error.args],
      ...(error.exitCode >= 0 ? { exitCode: error.exitCode } : {}),
      stderrTail: lastLines(error.stderr || error.stdout, STDERR_TAIL_LINES),
      ...(hint === undefined ? {} : { hint }),
      cause: error,
    });
  }
  return new StepFailure(message, { ...(hint === undefined ? {} : { hint }), cause: error });
}
