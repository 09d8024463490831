// Runs the built relctl binary as a real child process, the way users and CI run it.
import { execa, type ResultPromise } from "execa";
import { existsSync, mkdtempSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const relctlBin = join(repoRoot, "bin", "relctl.js");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function assertBuilt(): void {
  if (!existsSync(join(repoRoot, "dist", "cli", "main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm test does it)");
  }
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Environment for a predictable run: no colour, not CI unless a test says so. */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, CI: undefined, ...extra };
}

export function startRelctl(args: string[], options: CliOptions = {}): ResultPromise {
  assertBuilt();
  return execa(process.execPath, [relctlBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    extendEnv: false,
    input: options.input ?? "",
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 30_000,
  });
}

export async function relctl(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const result = await startRelctl(args, options);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A temporary directory with the given files (paths relative to it). */
/** A playbook whose one stage, build, has one step that touches built.txt (the proof it ran). */
export const BUILD_TOUCHES_FILE = `apiVersion: relctl/v1
name: demo
stages:
  build:
    steps:
      - { id: make, uses: exec.run, with: { argv: [touch, built.txt] } }
`;

export function tempProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "relctl-test-"));
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

/**
 * A directory of stand-in programs that record every invocation to `calls.log`, to prove which
 * commands a run started (a dry-run must start none of the mutating ones).
 */
export function recordingBinDir(names: string[]): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "relctl-bin-"));
  const log = join(dir, "calls.log");
  for (const name of names) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${log}"\n`);
    chmodSync(file, 0o755);
  }
  return { dir, log };
}
