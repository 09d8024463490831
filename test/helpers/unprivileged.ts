// Runs the built binary as a user that file permissions apply to. Root ignores `chmod 555`, so
// when the tests run as root (a container) relctl runs as `nobody` through setpriv, in a project
// handed over to that user; otherwise it runs as the current user.
import { execa } from "execa";
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cliEnv, relctlBin, type CliResult } from "./cli.js";

const NOBODY = 65534;
const SETPRIV = "/usr/bin/setpriv";

const isRoot = (): boolean => process.getuid?.() === 0;

/** Makes `dir` (recursively) belong to the user relctl will run as. Call before any chmod. */
export function handOver(dir: string): void {
  if (!isRoot()) return;
  if (!existsSync(SETPRIV)) {
    throw new Error(
      "these tests run as root, where permissions do not apply: they drop to nobody with setpriv (Debian package util-linux)",
    );
  }
  chownSync(dir, NOBODY, NOBODY);
  if (!lstatSync(dir).isDirectory()) return;
  for (const entry of readdirSync(dir)) handOver(join(dir, entry));
}

/** Makes a folder read-only for the user relctl runs as. */
export function readOnly(dir: string): void {
  chmodSync(dir, 0o555);
}

export async function relctlAsUser(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CliResult> {
  const [file, argv] = isRoot()
    ? [
        SETPRIV,
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, relctlBin, ...args],
      ]
    : [process.execPath, [relctlBin, ...args]];
  const result = await execa(file, argv, {
    cwd: options.cwd,
    env: cliEnv(options.env),
    extendEnv: false,
    input: "",
    reject: false,
    stripFinalNewline: false,
    timeout: 30_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
