// An Io that keeps what a command prints, for calling `main([...], io)` in-process.
import { Chalk } from "chalk";
import type { Io } from "../../src/cli/io.js";

export interface CapturedIo extends Io {
  stdout: () => string;
  stderr: () => string;
}

export function captureIo(env: Record<string, string | undefined> = {}): CapturedIo {
  let out = "";
  let err = "";
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    color: new Chalk({ level: 0 }),
    stdoutIsTty: false,
    stdinIsTty: false,
    env,
    stdout: () => out,
    stderr: () => err,
  };
}
