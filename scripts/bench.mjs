#!/usr/bin/env node
// relctl's speed targets, each a ratio against a baseline measured in the same run on the same
// machine (absolute timings vary too much between machines to be targets on their own).
//
//   npm run bench            # prints the table
//   npm run bench -- --check # and exits 1 when a target is missed (also --strict)
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "relctl.js");
const strict = process.argv.includes("--check") || process.argv.includes("--strict");
const runs = Number(process.env.BENCH_RUNS ?? 9);

function timeOnce(argv, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], ...options });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${argv.join(" ")} exited ${result.status}: ${result.stderr?.toString().slice(-500)}`);
  }
  return elapsed;
}

/** Median of several runs after one warm-up, so a stray slow run does not decide. */
function median(argv, options) {
  timeOnce(argv, options);
  const samples = Array.from({ length: runs }, () => timeOnce(argv, options)).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Median time of a function run in this process, after one warm-up. */
function medianOf(fn) {
  const once = () => {
    const started = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  once();
  const samples = Array.from({ length: runs }, once).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function generatedPlaybook(dir, steps, perStage, argv, stageLines = []) {
  const lines = ["apiVersion: relctl/v1", "name: generated", "vars:", "  target: bench", "stages:"];
  for (let stage = 0; stage * perStage < steps; stage++) {
    lines.push(`  stage-${stage}:`, ...stageLines, "    steps:");
    for (let index = 0; index < perStage && stage * perStage + index < steps; index++) {
      const id = `s${stage}-${index}`;
      lines.push(
        `      - id: ${id}`,
        `        name: Step ${id} for \${{ vars.target }}`,
        "        uses: exec.run",
        ...(stageLines.length > 0 ? ["        needs: []"] : []),
        `        with: { argv: ${JSON.stringify(argv)} }`,
      );
    }
  }
  const file = join(dir, `generated-${steps}-${perStage}${stageLines.length > 0 ? "-parallel" : ""}.yaml`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const dir = mkdtempSync(join(tmpdir(), "relctl-bench-"));
const results = [];
try {
  const node = median([process.execPath, "-e", "0"]);
  const version = median([process.execPath, bin, "--version"]);
  results.push({ name: "relctl --version vs node -e 0", baseline: node, measured: version, target: 2 });

  const bigPlaybook = generatedPlaybook(dir, 1000, 100, ["echo", "${{ vars.target }}"]);
  const stages = Array.from({ length: 10 }, (_, index) => `stage-${index}`);
  const plan = median([process.execPath, bin, "plan", "-p", bigPlaybook, ...stages, "--no-color"]);
  results.push({
    name: "relctl plan, 1,000 steps (absolute target 500 ms)",
    baseline: node,
    measured: plan,
    target: undefined,
    absoluteTargetMs: 500,
  });

  // The scheduler is linear: ten times the steps in one stage cost about ten times as much.
  const thousand = generatedPlaybook(dir, 1000, 1000, ["echo", "${{ vars.target }}"]);
  const tenThousand = generatedPlaybook(dir, 10000, 10000, ["echo", "${{ vars.target }}"]);
  const planOne = (file) => [process.execPath, bin, "plan", "-p", file, "stage-0", "--no-color"];
  results.push({
    name: "relctl plan, 10,000 steps in one stage vs 1,000 (linear)",
    baseline: median(planOne(thousand)),
    measured: median(planOne(tenThousand)),
    target: 11,
  });

  // Independent steps run at once up to the stage's concurrency: 100 steps of sleep 0.1 with
  // concurrency 100 cost little more than one.
  const sleepOne = generatedPlaybook(dir, 1, 1, ["sleep", "0.1"], ["    concurrency: 100"]);
  const sleepHundred = generatedPlaybook(dir, 100, 100, ["sleep", "0.1"], ["    concurrency: 100"]);
  const runOne = (file) => [process.execPath, bin, "run", "stage-0", "-p", file, "--yes", "--json"];
  const oneSleep = median(runOne(sleepOne));
  const hundredSleeps = median(runOne(sleepHundred));
  results.push({
    name: "100 independent steps of sleep 0.1 (concurrency 100), beyond one such step",
    baseline: oneSleep,
    measured: hundredSleeps,
    target: undefined,
    absoluteTargetMs: 250,
    beyondBaseline: true,
  });

  const trueSteps = generatedPlaybook(dir, 200, 200, ["/bin/true"]);
  const script = join(dir, "bench.sh");
  writeFileSync(script, `${Array.from({ length: 200 }, () => "/bin/true").join("\n")}\n`);
  const bash = median(["bash", script]);
  const exec = median([process.execPath, bin, "run", "stage-0", "-p", trueSteps, "--yes", "--json"]);
  results.push({
    name: "200 exec steps of /bin/true vs bash running them",
    baseline: bash,
    measured: exec,
    target: 2,
  });

  // Not targets: what any Node program pays for the same 200 commands, so the table shows how
  // much of the exec ratio is the platform (Node start-up, spawn, execa) and how much is relctl.
  const spawnLoop = join(dir, "spawn-loop.mjs");
  writeFileSync(
    spawnLoop,
    [
      'import { spawn } from "node:child_process";',
      "for (let i = 0; i < 200; i++) {",
      '  await new Promise((done) => spawn("/bin/true", [], { stdio: "ignore" }).on("exit", done));',
      "}",
    ].join("\n"),
  );
  results.push({
    name: "floor: a bare Node loop spawning the same 200 commands vs bash",
    baseline: bash,
    measured: median([process.execPath, spawnLoop]),
    informational: true,
  });
  const execaLoop = join(dir, "execa-loop.mjs");
  const execaUrl = pathToFileURL(join(root, "node_modules", "execa", "index.js")).href;
  writeFileSync(
    execaLoop,
    [
      `import { execa } from ${JSON.stringify(execaUrl)};`,
      'for (let i = 0; i < 200; i++) await execa("/bin/true", [], { reject: false });',
    ].join("\n"),
  );
  results.push({
    name: "floor: a bare Node loop running them through execa vs bash",
    baseline: bash,
    measured: median([process.execPath, execaLoop]),
    informational: true,
  });

  // A file:// secret of 5,000 lines (a CA bundle is 3,600) once took 15 s to register: every line
  // rebuilt a pattern of all the forms so far. Registering it and hiding it in 100 KB of output
  // must cost less than the plainest redaction there is: one String.replaceAll per line.
  const { Redactor } = await import(pathToFileURL(join(root, "dist", "run", "redact.js")).href);
  const secretLines = Array.from({ length: 5000 }, (_, index) =>
    Buffer.from(`line ${index} of the bundle`).toString("base64").slice(0, 20),
  );
  const secret = secretLines.join("\n");
  const output = `${"a build log line with nothing to hide in it\n".repeat(2200)}${secret}`;
  const naive = medianOf(() => {
    let text = output;
    for (const line of secretLines) text = text.replaceAll(line, "***");
    return text;
  });
  const redacting = medianOf(() => {
    const redactor = new Redactor();
    redactor.add(secret);
    return redactor.redact(output);
  });
  results.push({
    name: "redacting a 5,000-line secret vs a String.replaceAll per line",
    baseline: naive,
    measured: redacting,
    target: 1,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

let missed = 0;
console.log(`relctl bench (median of ${runs} runs)\n`);
for (const result of results) {
  const ratio = result.measured / result.baseline;
  if (result.informational) {
    console.log(
      `info ${result.name}\n     ${result.measured.toFixed(1)} ms vs baseline ${result.baseline.toFixed(1)} ms = ${ratio.toFixed(2)}x`,
    );
    continue;
  }
  if (result.beyondBaseline) {
    const extra = result.measured - result.baseline;
    const ok = extra <= result.absoluteTargetMs;
    if (!ok) missed++;
    console.log(
      `${ok ? "ok  " : "MISS"} ${result.name}\n     ${result.measured.toFixed(1)} ms vs baseline ${result.baseline.toFixed(1)} ms = +${extra.toFixed(1)} ms (target ≤ +${result.absoluteTargetMs} ms)`,
    );
    continue;
  }
  const ok =
    result.target !== undefined
      ? ratio <= result.target
      : result.measured < (result.absoluteTargetMs ?? Infinity);
  if (!ok) missed++;
  const goal =
    result.target !== undefined ? `target ≤ ${result.target}x` : `target < ${result.absoluteTargetMs} ms`;
  console.log(
    `${ok ? "ok  " : "MISS"} ${result.name}\n     ${result.measured.toFixed(1)} ms vs baseline ${result.baseline.toFixed(1)} ms = ${ratio.toFixed(2)}x (${goal})`,
  );
}
if (strict && missed > 0) process.exitCode = 1;
