// One crash-and-resume trial: run a playbook through the built relctl, SIGKILL relctl (relctl
// alone: its steps live on as orphans, as after an OOM kill or a lost CI runner's agent) at
// moments a seeded generator picks, resume until the run is done, and report what the ledger
// and the run state show. crash-resume.test.ts asserts on the report.
//
// Every step is step.sh: it appends `start <run> <step> <pid>` and `end …` to the ledger around a
// grandchild that sleeps for as long as the file `hold` says, and before starting it checks that
// no earlier attempt of itself (or that attempt's grandchild) still runs — if one does, it writes
// `overlap` to the ledger: a step ran beside its own orphan.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { cliEnv, relctlBin, tempProject } from "../helpers/cli.js";
import { isRunning } from "../helpers/processes.js";

export const STEP_IDS = ["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10"];

const STEP_SCRIPT = `id=$1; run=$2
alive() { s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ -n "$s" ] && [ "$s" != Z ]; }
for pid in $(cat "pids/$id" 2>/dev/null); do
  if alive "$pid"; then echo "overlap $run $id $pid" >> ledger; fi
done
echo $$ > "pids/$id"; echo $$ >> all-pids
echo "start $run $id $$" >> ledger
sh -c 'echo $$ >> "pids/$1"; echo $$ >> all-pids; exec sleep "$2"' grandchild "$id" "$(cat hold)"
echo "end $run $id $$" >> ledger
`;

// s06 runs beside s05 (both need s04), so a kill can leave two orphans at once.
function playbook(): string {
  const steps = STEP_IDS.map((id) => {
    const needs = id === "s06" ? "\n        needs: [s04]" : id === "s07" ? "\n        needs: [s05, s06]" : "";
    return `      - id: ${id}
        uses: exec.run${needs}
        with: { argv: [sh, step.sh, ${id}, "\${{ run.id }}"] }`;
  });
  return `apiVersion: relctl/v1
name: crash-trial
stages:
  build:
    environment: staging
    steps:
${steps.join("\n")}
`;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Trigger =
  | { kind: "ledger"; line: number }
  | { kind: "journal"; line: number }
  /** A long hold, killed as the first step of this invocation starts: a sure orphan. */
  | { kind: "orphan" };

export interface Invocation {
  args: string[];
  trigger?: Trigger;
  killed: boolean;
  exitCode?: number;
  stderr: string;
}

export interface TrialReport {
  seed: number;
  dir: string;
  invocations: Invocation[];
  ledger: string[];
  /** The run that completed (undefined when none did). */
  runId?: string;
  runIds: string[];
  journal: JournalEvent[];
  /** Orphan refusals: what relctl named, and whether that pid was a step process of that step. */
  refusals: { step: string; pid: number; known: boolean }[];
  stillRunning: number[];
  /** Records of the completed run: its evidence bundle and the train record of its stage. */
  evidence: boolean;
  trainRecord: boolean;
}

export interface JournalEvent {
  type: string;
  step?: string;
  status?: string;
  attempts?: number;
  pid?: number;
}

const SHORT_HOLDS = ["0", "0.02", "0.05", "0.1", "0.2"];
const MAX_INVOCATIONS = 12;

export async function crashTrial(seed: number): Promise<TrialReport> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const dir = tempProject({ "relctl.yaml": playbook(), "step.sh": STEP_SCRIPT, hold: "0.05" });
  mkdirSync(join(dir, "pids"));
  const shortHold = pick(SHORT_HOLDS);
  const kills = random() < 0.5 ? 1 : 2;
  const invocations: Invocation[] = [];
  const refusals: TrialReport["refusals"] = [];
  let stopOrphans = false;

  for (let index = 0; index < MAX_INVOCATIONS; index++) {
    const resumable = resumableRun(dir);
    const args = resumable ? ["resume", resumable, "--yes"] : ["build", "--yes"];
    if (stopOrphans) args.push("--stop-orphans");
    let trigger: Trigger | undefined;
    if (index < kills) {
      const roll = random();
      trigger =
        roll < 0.25
          ? { kind: "orphan" }
          : roll < 0.6
            ? { kind: "ledger", line: 1 + Math.floor(random() * 2 * STEP_IDS.length) }
            : { kind: "journal", line: 1 + Math.floor(random() * 3.5 * STEP_IDS.length) };
    }
    writeHold(dir, trigger?.kind === "orphan" ? "30" : shortHold);
    const invocation = await invoke(dir, args, trigger);
    invocations.push(invocation);
    stopOrphans = false;
    if (invocation.killed) continue;
    if (invocation.exitCode === 4 && /is still running as pid/.test(invocation.stderr)) {
      refusals.push(...namedOrphans(dir, invocation.stderr));
      stopOrphans = true;
      continue;
    }
    break;
  }

  const runIds = listRunIds(dir);
  const runId = runIds.find((id) => runEnded(dir, id) === "succeeded");
  const journal = runId ? readJournal(dir, runId) : [];
  return {
    seed,
    dir,
    invocations,
    ledger: lines(join(dir, "ledger")),
    runId,
    runIds,
    journal,
    refusals,
    stillRunning: stepPids(dir).filter(isRunning),
    evidence: runId !== undefined && hasEvidence(dir, runId),
    trainRecord: runId !== undefined && hasTrainRecord(dir, runId),
  };
}

async function invoke(dir: string, args: string[], trigger: Trigger | undefined): Promise<Invocation> {
  const ledgerAtStart = lines(join(dir, "ledger")).length;
  const journalFile = (): string | undefined => {
    const id = latestRun(dir);
    return id ? join(dir, ".relctl", "runs", id, "journal.jsonl") : undefined;
  };
  const journalAtStart = countLines(journalFile());
  const child: ResultPromise = execa(process.execPath, [relctlBin, ...args], {
    cwd: dir,
    env: cliEnv(),
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    // A hang guard only: a resume that waits on a 30 s orphan is a failure the test reports.
    timeout: 60_000,
  });
  let exited = false;
  void child.finally(() => (exited = true));
  let killed = false;
  if (trigger) {
    while (!exited) {
      if (reached(trigger, dir, ledgerAtStart, journalAtStart, journalFile())) {
        killed = child.kill("SIGKILL");
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const result = await child;
  return {
    args,
    ...(trigger ? { trigger } : {}),
    killed: killed && result.signal === "SIGKILL",
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    stderr: String(result.stderr ?? ""),
  };
}

function reached(
  trigger: Trigger,
  dir: string,
  ledgerAtStart: number,
  journalAtStart: number,
  journal: string | undefined,
): boolean {
  if (trigger.kind === "journal") return countLines(journal) - journalAtStart >= trigger.line;
  const fresh = lines(join(dir, "ledger")).slice(ledgerAtStart);
  if (trigger.kind === "ledger") return fresh.length >= trigger.line;
  return fresh.some((line) => line.startsWith("start "));
}

/** The pids relctl named in an orphan refusal, and whether each was a process of that step. */
function namedOrphans(dir: string, stderr: string): TrialReport["refusals"] {
  const found: TrialReport["refusals"] = [];
  for (const match of stderr.matchAll(/step (\S+) of run \S+ is still running as pid (\d+)/g)) {
    const step = match[1]!;
    const pid = Number(match[2]);
    const known = lines(join(dir, "ledger")).some(
      (line) => line.startsWith("start ") && line.endsWith(` ${step} ${pid}`),
    );
    found.push({ step, pid, known });
  }
  return found;
}

/** Read by each step as it starts; written before relctl runs, so never while a step reads it. */
function writeHold(dir: string, seconds: string): void {
  writeFileSync(join(dir, "hold"), seconds);
}

function resumableRun(dir: string): string | undefined {
  const id = latestRun(dir);
  if (!id) return undefined;
  const events = readJournal(dir, id);
  // Killed before run.start reached the journal: nothing to resume, start a new run.
  return events.some((event) => event.type === "run.start") ? id : undefined;
}

function latestRun(dir: string): string | undefined {
  return listRunIds(dir).at(-1);
}

function listRunIds(dir: string): string[] {
  const runs = join(dir, ".relctl", "runs");
  return existsSync(runs) ? readdirSync(runs).sort() : [];
}

function runEnded(dir: string, runId: string): string | undefined {
  return readJournal(dir, runId).findLast((event) => event.type === "run.end")?.status;
}

function readJournal(dir: string, runId: string): JournalEvent[] {
  const file = join(dir, ".relctl", "runs", runId, "journal.jsonl");
  if (!existsSync(file)) return [];
  // Whole lines only: a kill may have torn the last one.
  return readFileSync(file, "utf8")
    .split("\n")
    .slice(0, -1)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as JournalEvent];
      } catch {
        return [];
      }
    });
}

function hasEvidence(dir: string, runId: string): boolean {
  const runDir = join(dir, ".relctl", "runs", runId);
  return readdirSync(runDir).some(
    (name) => name.startsWith("evidence") && existsSync(join(runDir, name, "manifest.json")),
  );
}

function hasTrainRecord(dir: string, runId: string): boolean {
  const trains = join(dir, ".relctl", "trains");
  if (!existsSync(trains)) return false;
  return readdirSync(trains, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
    .some((entry) => {
      const train = JSON.parse(readFileSync(join(entry.parentPath, entry.name), "utf8")) as {
        stages?: Record<string, { runId?: string }>;
      };
      return train.stages?.build?.runId === runId;
    });
}

/** Every step process and grandchild any attempt started. */
function stepPids(dir: string): number[] {
  return lines(join(dir, "all-pids")).map(Number);
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

function countLines(file: string | undefined): number {
  if (!file || !existsSync(file)) return 0;
  return readFileSync(file, "utf8").split("\n").length - 1;
}
