import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFailed } from "vitest";
import { Redactor } from "../../src/run/redact.js";
import { openJournal, readJournal, readJournalFile } from "../../src/state/journal.js";
import { JsonLinesCorruptError } from "../../src/state/jsonl.js";
import { journalPath } from "../../src/state/paths.js";
import { childScript } from "./helpers/child-modules.js";
import { eventFactory, sampleRun } from "./events.js";

const stateDir = () => mkdtempSync(join(tmpdir(), "relctl-journal-"));

// The kill tests choose their moments (and the writer its line sizes) from a seeded PRNG:
// RELCTL_TEST_SEED=<n> replays a failure, otherwise every run draws a fresh seed.
const SEED = seedFromEnv(process.env.RELCTL_TEST_SEED);
const REPLAY = `RELCTL_TEST_SEED=${SEED}`;

function seedFromEnv(value: string | undefined): number {
  if (value === undefined || value === "") return randomInt(2 ** 32);
  if (!/^\d+$/.test(value) || Number(value) >= 2 ** 32)
    throw new Error(`RELCTL_TEST_SEED must be an integer from 0 to 2^32-1, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** mulberry32: a tiny seeded PRNG, numbers in [0, 1). The writer child below has the same. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomInt32 = (random: () => number) => Math.floor(random() * 2 ** 32);

/** The test's PRNG; the seed is printed if the test fails, however it fails. */
function seeded(): () => number {
  onTestFailed(() => console.log(`seed ${SEED}: replay with ${REPLAY}`));
  return mulberry32(SEED);
}

// Writes events until killed. Sizes vary up to 2 MiB (drawn from the seed it is given) so a
// kill can land inside a long write(); each seq is printed only after emit() returned, i.e.
// after its fsync. With a fourth argument N it writes N events, then the first half of the next
// line (what a write cut short by a crash leaves behind), says "torn" and waits for the kill.
const writer = () =>
  childScript(
    "journal-writer",
    `import { appendFileSync } from "node:fs";
import { openJournal } from "./src/state/journal.js";
const [stateDir, runId, seed, tearAt] = process.argv.slice(2);
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(Number(seed));
const journal = openJournal(stateDir, runId);
const event = (seq, size) => ({ v: 1, seq, at: new Date().toISOString(), runId, type: "step.log", stage: "s", step: "x", level: "info", message: "m".repeat(size) });
for (let seq = 1; ; seq++) {
  const size = seq % 7 === 0 ? 2 * 1024 * 1024 : Math.floor(random() * 4000);
  if (tearAt !== undefined && seq > Number(tearAt)) {
    const line = JSON.stringify(event(seq, size)) + "\\n";
    appendFileSync(journal.file, line.slice(0, Math.floor(line.length / 2)));
    process.stdout.write("torn\\n");
    setInterval(() => {}, 1000);
    break;
  }
  journal.emit(event(seq, size));
  process.stdout.write(seq + "\\n");
}
`,
  );

/** Starts the writer, kills it with SIGKILL once `ready` holds, returns the last acknowledged seq. */
async function killWhileWriting(
  dir: string,
  runId: string,
  options: { seed: number; delayMs?: number; tearAt?: number },
): Promise<number> {
  const args = [
    writer(),
    dir,
    runId,
    String(options.seed),
    ...(options.tearAt !== undefined ? [String(options.tearAt)] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let acked = 0;
  let buffer = "";
  const ready = new Promise<void>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === "torn") resolve();
        else acked = Math.max(acked, Number(line));
      }
      if (acked > 0 && options.tearAt === undefined) resolve();
    });
  });
  await ready;
  await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return acked;
}

describe("the run journal", () => {
  it("keeps every event that was fsync'd before a kill -9 at a random moment, in order and without gaps", async () => {
    const random = seeded();
    const dir = stateDir();
    // Drawn up front, in order, so the seed alone decides them.
    const kills = [0, 1, 2, 3, 4, 5].map((index) => ({
      runId: `run-${index}`,
      seed: randomInt32(random),
      delayMs: Math.floor(random() * 40),
    }));
    const results = await Promise.all(
      kills.map(async (kill) => {
        const acked = await killWhileWriting(dir, kill.runId, kill);
        return { kill, acked, read: readJournal(dir, kill.runId) };
      }),
    );
    for (const { kill, acked, read } of results) {
      const context = `${kill.runId} killed ${kill.delayMs}ms after its first event (${REPLAY})`;
      expect(acked, context).toBeGreaterThan(0);
      const seqs = read.events.map((event) => event.seq);
      expect(seqs, context).toEqual(seqs.map((_, index) => index + 1));
      expect(seqs.length, context).toBeGreaterThanOrEqual(acked);
      // Whatever the kill interrupted can only be the last line.
      if (read.torn) expect(read.torn.line, context).toBe(seqs.length + 1);
    }
  });

  it("reads a journal whose writer was killed in the middle of a line: the torn line is reported and ignored, nothing before it is lost", async () => {
    const random = seeded();
    const dir = stateDir();
    const seed = randomInt32(random);
    const tearAt = 3 + Math.floor(random() * 10);
    const acked = await killWhileWriting(dir, "torn-run", { seed, tearAt });

    const read = readJournal(dir, "torn-run");

    const context = `torn after event ${tearAt} (${REPLAY})`;
    expect(acked, context).toBe(tearAt);
    expect(
      read.events.map((event) => event.seq),
      context,
    ).toEqual(Array.from({ length: tearAt }, (_, index) => index + 1));
    expect(read.torn, context).toMatchObject({ line: tearAt + 1 });
    expect(read.torn!.preview, context).toMatch(/^\{"v":1,"seq":/);
  });

  it("reports a torn last line and ignores it", () => {
    const dir = stateDir();
    const journal = openJournal(dir, "r1");
    const [first, second] = sampleRun("r1");
    journal.emit(first!);
    journal.close();
    appendFileSync(journalPath(dir, "r1"), JSON.stringify(second).slice(0, 40));

    const read = readJournal(dir, "r1");

    expect(read.events).toEqual([first]);
    expect(read.torn).toMatchObject({ line: 2, bytes: 40 });
  });

  it("cuts the torn line off when the journal is reopened, so the next event starts on its own line", () => {
    const dir = stateDir();
    const events = sampleRun("r1");
    const journal = openJournal(dir, "r1");
    journal.emit(events[0]!);
    journal.close();
    appendFileSync(journalPath(dir, "r1"), '{"v":1,"seq":2,"at":"20');

    const resumed = openJournal(dir, "r1");
    expect(resumed.repaired).toMatchObject({ line: 2 });
    expect(resumed.lastSeq).toBe(1);
    resumed.emit(events[1]!);
    resumed.close();

    const read = readJournal(dir, "r1");
    expect(read.torn).toBeUndefined();
    expect(read.events.map((event) => event.seq)).toEqual([1, 2]);
  });

  it("cuts a torn line that ends inside a multi-byte character at the right byte", () => {
    const dir = stateDir();
    const e = eventFactory("r1");
    const journal = openJournal(dir, "r1");
    journal.emit(e({ type: "run.warning", message: "first ✓" }));
    journal.close();
    const line = Buffer.from(JSON.stringify(e({ type: "run.warning", message: "ünïcödé ✓✓✓" })));
    appendFileSync(journalPath(dir, "r1"), line.subarray(0, line.indexOf("✓") + 1));

    const resumed = openJournal(dir, "r1");
    resumed.emit(e({ type: "run.warning", message: "third" }));
    resumed.close();

    const read = readJournal(dir, "r1");
    expect(read.torn).toBeUndefined();
    expect(read.events.map((event) => (event.type === "run.warning" ? event.message : ""))).toEqual([
      "first ✓",
      "third",
    ]);
  });

  it("rejects a damaged line in the middle and names it", () => {
    const dir = stateDir();
    const lines = sampleRun("r1").map((event) => JSON.stringify(event));
    lines[3] = lines[3]!.slice(0, 30);
    const file = journalPath(dir, "r1");
    const journal = openJournal(dir, "r1");
    journal.close();
    writeFileSync(file, `${lines.join("\n")}\n`);

    expect(() => readJournal(dir, "r1")).toThrow(JsonLinesCorruptError);
    expect(() => readJournal(dir, "r1")).toThrow(`${file}:4: not valid JSON`);
  });

  it("rejects a line that is JSON but not a run event", () => {
    const dir = stateDir();
    const file = join(dir, "journal.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify(sampleRun()[0])}\n{"hello":"world"}\n${JSON.stringify(sampleRun()[1])}\n`,
    );
    expect(() => readJournalFile(file)).toThrow(/journal\.jsonl:2: not a run event/);
  });

  it("has each event on disk, one line each, by the time emit returns", () => {
    const dir = stateDir();
    const journal = openJournal(dir, "r1");
    const events = sampleRun("r1");
    events.forEach((event, index) => {
      journal.emit(event);
      const lines = readFileSync(journalPath(dir, "r1"), "utf8").split("\n");
      expect(lines).toHaveLength(index + 2);
      expect(JSON.parse(lines[index]!)).toEqual(event);
    });
    journal.close();
    expect(() => journal.emit(events[0]!)).toThrow(/closed/);
  });

  it("passes events through the redactor it is given, so a secret never reaches the file", () => {
    const dir = stateDir();
    const secret = "s3cr3t-t0ken-value";
    const redactor = new Redactor();
    redactor.add(secret);
    const journal = openJournal(dir, "r1", { redactor });
    for (const event of sampleRun("r1", secret)) journal.emit(event);
    journal.close();
    const bytes = readFileSync(journalPath(dir, "r1"), "utf8");
    expect(bytes).not.toContain(secret);
    expect(bytes).toContain("***");
  });

  it("refuses a run id that is a path", () => {
    expect(() => openJournal(stateDir(), "../escape")).toThrow(/invalid run id/);
  });

  it("tells a missing run apart from a damaged one", () => {
    expect(() => readJournal(stateDir(), "nope")).toThrow(/no run nope/);
  });

  it("numbers a resumed run's events after the last one on disk", () => {
    const dir = stateDir();
    const e = eventFactory("r1");
    const journal = openJournal(dir, "r1");
    journal.emit(e({ type: "run.warning", message: "one" }));
    journal.emit(e({ type: "run.warning", message: "two" }));
    journal.close();
    expect(openJournal(dir, "r1").lastSeq).toBe(2);
  });
});
