// What the GitHub Actions runner gets from relctl, through the built binary: no line a child
// printed is a workflow command (read as the runner reads it), relctl's own annotations still
// are, lint annotations land on the file's path in the checkout, and the job summary's gate
// table names each metric with the values a real Prometheus answered.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runnerCommands, type RunnerCommand } from "../helpers/actions-runner.js";
import { cliEnv, relctl, relctlBin, tempProject } from "../helpers/cli.js";
import { startServer, type RunningServer } from "../helpers/servers.js";

/** Everything a runner would act on, from both streams. */
function commandsIn(result: { stdout: string; stderr: string }): RunnerCommand[] {
  return [...runnerCommands(result.stdout), ...runnerCommands(result.stderr)];
}

// A deploy script that prints, on both streams, each way a line can speak to the runner:
// after leading white space, after a carriage return, and the older `##[…]` form mid-line.
const HOSTILE = [
  "printf '::error::fake\\n' >&2",
  "printf '   ::stop-commands::quiet\\n' >&2",
  "printf 'progress 50%%\\r::add-mask::hunter2\\n'",
  "printf 'x ##[warning]legacy form\\n' >&2",
  "printf '\\t::set-output name=version::6.6.6\\n'",
].join("; ");

const playbook = (script: string) => `apiVersion: relctl/v1
name: ci
stages:
  promote:
    steps:
      - id: deploy
        uses: exec.run
        with: { argv: [sh, -c, ${JSON.stringify(script)}] }
`;

function actionsProject(script: string) {
  const dir = tempProject({ "relctl.yaml": playbook(script) });
  const summary = join(dir, "summary.md");
  writeFileSync(summary, "");
  const env = { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: dir, GITHUB_STEP_SUMMARY: summary };
  return { dir, env, summary };
}

describe("child output under GitHub Actions", () => {
  it("is never a workflow command, and relctl's own annotation of the failure still is", async () => {
    const { dir, env } = actionsProject(`${HOSTILE}; exit 3`);
    // -v shows the command's output line by line as well as its stderr after the failure.
    const result = await relctl(["promote", "--yes", "-v"], { cwd: dir, env });
    expect(result.exitCode).toBe(1);
    const commands = commandsIn(result);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ name: "error" });
    expect(commands[0]!.properties).toMatch(/^file=relctl\.yaml,line=6,col=9,title=promote\/deploy failed$/);
    // The log still shows what the child printed, with the runner's trigger broken.
    expect(result.stdout).toContain("\\::error::fake");
    expect(result.stdout).toContain("   \\::stop-commands::quiet");
    expect(result.stdout).toContain("x ##\\[warning]legacy form");
    expect(result.stderr).toContain("progress 50%\r\\::add-mask::hunter2");
  });

  it("is never a workflow command in --json events either, which still decode to what it printed", async () => {
    const { dir, env } = actionsProject(HOSTILE);
    const result = await relctl(["promote", "--yes", "--json"], { cwd: dir, env });
    expect(result.exitCode).toBe(0);
    expect(commandsIn(result)).toEqual([]);
    const messages = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; message?: string })
      .filter((event) => event.type === "step.log")
      .map((event) => event.message);
    expect(messages).toContain("stderr: x ##[warning]legacy form");
    expect(messages).toContain("stderr: ::error::fake");
  });

  it("is written as it is to a file stdout is redirected to, which the runner never reads", async () => {
    const { dir, env } = actionsProject(HOSTILE);
    const events = join(dir, "events.jsonl");
    const fd = openSync(events, "w");
    const child = spawnSync(process.execPath, [relctlBin, "promote", "--yes", "--json"], {
      cwd: dir,
      env: cliEnv(env),
      stdio: ["ignore", fd, "pipe"],
      encoding: "utf8",
      timeout: 30_000,
    });
    closeSync(fd);
    expect(child.status, child.stderr).toBe(0);
    expect(readFileSync(events, "utf8")).toContain('"message":"stderr: x ##[warning]legacy form"');
    expect(runnerCommands(child.stderr)).toEqual([]);
  });

  it("leaves the same output alone outside GitHub Actions", async () => {
    const dir = tempProject({ "relctl.yaml": playbook(`${HOSTILE}; exit 3`) });
    const result = await relctl(["promote", "--yes"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("  ::error::fake");
  });
});

describe("lint annotations under GitHub Actions", () => {
  it("name the playbook by its path in the checkout when relctl runs in a subfolder", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "relctl-workspace-"));
    const folder = join(workspace, "deploy", "api");
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, "bad.yaml"),
      "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps:\n      - id: a\n        uses: exec.nope\n",
    );
    const env = { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: workspace };
    const result = await relctl(["lint", "-p", "bad.yaml"], { cwd: folder, env });
    expect(result.exitCode).toBe(2);
    const commands = commandsIn(result);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({
      name: "error",
      properties: "file=deploy/api/bad.yaml,line=7,col=15,title=relctl lint",
    });
    // The terminal keeps the path as the user typed it.
    expect(result.stderr).toContain("bad.yaml:7:15");
    expect(result.stderr).not.toContain("deploy/api/bad.yaml:7");
  });
});

describe("the job summary's gate table", () => {
  let prometheus: RunningServer;

  beforeAll(async () => {
    // An empty TSDB is enough: the gate's queries are constant expressions Prometheus evaluates.
    const dir = mkdtempSync(join(tmpdir(), "relctl-prometheus-"));
    writeFileSync(join(dir, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
    prometheus = await startServer({
      binary: "prometheus",
      debianPackage: "prometheus",
      readyPath: "/-/ready",
      args: (port) => [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
    });
  });
  afterAll(() => prometheus?.stop());

  it("names each metric and shows the values Prometheus answered", async () => {
    const dir = tempProject({
      "relctl.yaml": `apiVersion: relctl/v1
name: ci
stages:
  canary:
    steps:
      - id: gate-10
        uses: prometheus.gate
        with:
          url: ${prometheus.url}
          metrics:
            - name: error_rate
              query: vector(0.004)
              unit: ratio
              max: 0.01
            - name: pod_p95
              query: 'label_replace(vector(0.2), "pod", "a", "", "") or label_replace(vector(0.3), "pod", "b", "", "")'
              unit: seconds
              max: 0.5
              series: all
          abort:
            - name: error_rate_critical
              query: vector(0.004)
              unit: ratio
              max: 0.02
              for: 5m
          min_traffic:
            query: vector(12.5)
            min: 1
`,
    });
    const summaryFile = join(dir, "summary.md");
    writeFileSync(summaryFile, "");
    const env = { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: dir, GITHUB_STEP_SUMMARY: summaryFile };
    const result = await relctl(["canary", "--yes"], { cwd: dir, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = readFileSync(summaryFile, "utf8");
    const table = summary.slice(summary.indexOf("#### Gate measurements"));
    expect(table).toContain("| Step | Metric | Verdict | Value | Query | Reason | At |");
    const rows = table.split("\n").filter((line) => line.startsWith("| `canary/gate-10`"));
    const cells = rows.map((row) => row.split(" | ").map((text) => text.replace(/^\| |\s\|$/g, "")));
    expect(cells.map((row) => [row[1], row[2], row[3]])).toEqual([
      ["error_rate", "passed", "0.004"],
      ["pod_p95", "passed", '{pod="a"} 0.2<br>{pod="b"} 0.3'],
      ["error_rate_critical *(abort)*", "passed", "0.004"],
      ["min_traffic", "passed", "12.5"],
    ]);
  });
});
