// Where output goes: stdout carries the main (or machine-readable) output, stderr carries logs
// and errors. Colour only on a TTY, never with NO_COLOR, TERM=dumb or --no-color.
import { Chalk, type ChalkInstance } from "chalk";

export interface Io {
  out(text: string): void;
  err(text: string): void;
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

export function processIo(colorFlag: boolean): Io {
  const env = process.env;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    color: new Chalk({ level: colourWanted(process.stdout, env, colorFlag) ? 1 : 0 }),
    stdoutIsTty: process.stdout.isTTY === true,
    stdinIsTty: process.stdin.isTTY === true,
    env,
  };
}
