// A step's program must not do anything before relctl has recorded its process group: if relctl
// were killed in between, nothing would know an orphan is running. So on POSIX relctl starts the
// program through a gate — `sh` waits for one line on fd 3, then execs the program in place
// (same pid, same process group) — and opens it once the journal holds the process. If relctl
// dies first, fd 3 reads end-of-file and the gate exits without running anything.
//
// The gate's shell would report a missing program itself ("exec: foo: not found", exit 127),
// so relctl looks the program up first, the way execvp does, to keep its own clear message.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { Writable } from "node:stream";

/** The gate's exit code when relctl went away before opening it. */
export const GATE_CLOSED_EXIT = 125;

const GATE_SCRIPT = `IFS= read -r go <&3 || exit ${GATE_CLOSED_EXIT}; exec 3<&-; exec "$@"`;

/** The argv that runs file with args behind the gate. */
export function gatedArgv(file: string, args: readonly string[]): [string, ...string[]] {
  return ["/bin/sh", "-c", GATE_SCRIPT, "relctl-step", file, ...args];
}

/** Lets the gated program run. */
export function openGate(gate: Writable | null | undefined): void {
  gate?.on("error", () => undefined);
  gate?.end("go\n");
}

/** Makes the gate exit without running the program. */
export function closeGate(gate: Writable | null | undefined): void {
  gate?.on("error", () => undefined);
  gate?.destroy();
}

/** Why file cannot be run as execvp would find it: ENOENT, EACCES, or undefined when it can. */
export function programProblem(
  file: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): "ENOENT" | "EACCES" | undefined {
  if (file.includes("/")) return executableProblem(isAbsolute(file) ? file : resolve(cwd, file));
  let found: "EACCES" | undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    const problem = executableProblem(resolve(cwd, dir === "" ? "." : dir, join(file)));
    if (problem === undefined) return undefined;
    if (problem === "EACCES") found = "EACCES";
  }
  return found ?? "ENOENT";
}

function executableProblem(path: string): "ENOENT" | "EACCES" | undefined {
  try {
    if (!statSync(path).isFile()) return "EACCES";
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "ENOENT" : "EACCES";
  }
}
