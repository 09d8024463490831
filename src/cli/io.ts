// Where output goes: stdout carries the main (or machine-readable) output, stderr carries logs
// and errors. Colour only on a TTY, never with NO_COLOR, TERM=dumb or --no-color.
// Under GitHub Actions both streams are filtered so that no line a child printed can be read by
// the runner as a workflow command; relctl's own commands go through `workflow` instead.
import { Chalk, type ChalkInstance } from "chalk";
import { fstatSync } from "node:fs";
import { isGitHubActions } from "../report/github-actions/commands.js";
import { workflowCommandNeutraliser } from "../report/github-actions/neutralise.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * Writes relctl's own GitHub Actions workflow commands (annotations), unfiltered. Only set
   * under GitHub Actions, where `out` and `err` neutralise anything that looks like a command.
   */
  workflow?(text: string): void;
  color: ChalkInstance;
  stdoutIsTty: boolean;
  stdinIsTty: boolean;
  env: Record<string, string | undefined>;
}

export function colourWanted(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  flag: boolean,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

export function processIo(colorFlag: boolean, json = false): Io {
  const env = process.env;
  const io: Io = {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    color: new Chalk({ level: colourWanted(process.stdout, env, colorFlag) ? 1 : 0 }),
    stdoutIsTty: process.stdout.isTTY === true,
    stdinIsTty: process.stdin.isTTY === true,
    env,
  };
  if (!isGitHubActions(env)) return io;
  return underGitHubActions(io, { json, outToFile: isRegularFile(1), errToFile: isRegularFile(2) });
}

/**
 * The same Io with `workflow` set and both streams neutralised (stdout as JSON lines with
 * --json), except a stream redirected to a file (`> plan.json`), which the runner never reads.
 */
export function underGitHubActions(
  io: Io,
  streams: { json: boolean; outToFile?: boolean; errToFile?: boolean },
): Io {
  const out = workflowCommandNeutraliser(streams.json ? "json" : "text");
  const err = workflowCommandNeutraliser("text");
  const raw = io.err;
  return {
    ...io,
    out: streams.outToFile ? io.out : (text) => io.out(out(text)),
    err: streams.errToFile ? raw : (text) => raw(err(text)),
    workflow: raw,
  };
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
