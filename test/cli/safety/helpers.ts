// What the release-safety end-to-end tests share: a project with a playbook, the built binary
// run in it (also as a process group that can be killed -9 like a lost CI runner), the run state
// it leaves in .relctl/, and people with their own git identity.
import { execa, type ResultPromise } from "execa";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { listRuns } from "../../../src/state/run-summary.js";
import { join, relative } from "node:path";
import { cliEnv, relctl, relctlBin, tempProject, type CliResult } from "../../helpers/cli.js";

export { loopbackServer, type LoopbackServer } from "../../executors/loopback.js";
export { relctl, tempProject, type CliResult };

/** One run event as the journal and --json hold it (only the fields the tests read). */
export interface Event {
  seq: number;
  type: string;
  runId: string;
  stage?: string;
  step?: string;
  status?: string;
  exitCode?: number;
  resumed?: boolean;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A project directory with `relctl.yaml` (and more files); runs relctl in it. */
export interface Project {
  dir: string;
  state: string;
  run(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  /** Starts relctl in its own process group, so killGroup() takes its steps down with it. */
  start(args: string[], env?: Record<string, string | undefined>): ResultPromise;
  write(path: string, content: string): void;
  read(path: string): string;
  /** Lines of a file the playbook's steps append to ([] when it does not exist yet). */
  lines(path: string): string[];
  runIds(): string[];
  journal(runId?: string): Event[];
}

export function project(playbook: string, files: Record<string, string> = {}): Project {
  const dir = tempProject({ "relctl.yaml": playbook, ...files });
  const state = join(dir, ".relctl");
  const self: Project = {
    dir,
    state,
    run: (args, env = {}) => relctl(args, { cwd: dir, env }),
    start: (args, env = {}) =>
      execa(process.execPath, [relctlBin, ...args], {
        cwd: dir,
        env: cliEnv(env),
        extendEnv: false,
        detached: true,
        reject: false,
        stdin: "ignore",
        timeout: 30_000,
      }),
    write: (path, content) => writeFileSync(join(dir, path), content),
    read: (path) => readFileSync(join(dir, path), "utf8"),
    lines: (path) =>
      existsSync(join(dir, path)) ? readFileSync(join(dir, path), "utf8").split("\n").filter(Boolean) : [],
    // Oldest first by start time: ids of two runs started in one second sort at random.
    runIds: () =>
      listRuns(state)
        .map((run) => run.runId)
        .reverse(),
    journal: (runId) => {
      const id = runId ?? onlyRun(self);
      const file = join(state, "runs", id, "journal.jsonl");
      if (!existsSync(file)) return [];
      // Only whole lines: the last one may still be being written.
      return readFileSync(file, "utf8")
        .split("\n")
        .slice(0, -1)
        .map((line) => JSON.parse(line) as Event);
    },
  };
  return self;
}

function onlyRun(project: Project): string {
  const ids = project.runIds();
  if (ids.length !== 1) throw new Error(`expected exactly one run, found ${ids.length}: ${ids.join(", ")}`);
  return ids[0]!;
}

/**
 * SIGKILL relctl and every step it started: what a lost CI runner or a power cut does. Each step
 * runs in a process group of its own, so relctl is stopped first (it starts nothing more), the
 * groups of its descendants are found, and then all of them are killed.
 */
export function killGroup(child: ResultPromise): void {
  const pid = child.pid!;
  process.kill(pid, "SIGSTOP");
  const groups = new Set([pid, ...descendants(pid).map(processGroupOf)]);
  for (const group of groups) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

/** The processes below pid (Linux /proc), children first. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    const fields = statFields(Number(name));
    if (fields) parents.set(Number(name), Number(fields[1]));
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function processGroupOf(pid: number): number {
  return Number(statFields(pid)?.[2] ?? pid);
}

/** Fields 3… of /proc/<pid>/stat (state, ppid, pgrp, …), or undefined when it is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The --json events a finished relctl printed. */
export function events(result: { stdout: unknown }): Event[] {
  return String(result.stdout)
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Event);
}

/** The run id in a refusal (`… nothing was run (run 20261122T101500Z-3fa2)`). */
export function runIdIn(text: string): string {
  const match = /\b(\d{8}T\d{6}Z-[0-9a-f]{4})\b/.exec(text);
  if (!match) throw new Error(`no run id in: ${text}`);
  return match[1]!;
}

/**
 * A person, as relctl tells who approves: git's user.name and user.email from a global config
 * of their own (and no system config), so the machine's git identity never leaks in.
 */
export function person(name: string, email: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "relctl-person-"));
  const config = join(dir, "gitconfig");
  writeFileSync(config, `[user]\n\tname = ${name}\n\temail = ${email}\n`);
  return { GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: "1", HOME: dir };
}

/** Every file under `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

export function readJsonLines<T = Record<string, unknown>>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
