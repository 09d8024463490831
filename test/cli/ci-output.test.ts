// What CI maintainers see through the binary: metrics pushed to a real Pushgateway and written
// as a textfile, and GitHub Actions annotations, job summary and step outputs.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relctl, tempProject } from "../helpers/cli.js";
import { startPushgateway, type RunningServer } from "../helpers/servers.js";

const playbook = `apiVersion: relctl/v1
name: ci
stages:
  promote:
    environment: production
    on_failure: rollback
    steps:
      - id: image
        uses: exec.run
        outputs: [digest]
        with: { argv: [sh, -c, 'echo "digest=sha256:abc" >> "$RELCTL_OUTPUT"'] }
      - id: deploy
        uses: exec.run
        with: { argv: [sh, -c, "\${{ vars.deploy }}"] }
  rollback:
    steps:
      - { id: undo, uses: exec.run, with: { argv: ["true"] } }
vars:
  deploy: "exit 0"
`;

let gateway: RunningServer;

beforeAll(async () => {
  gateway = await startPushgateway();
});
afterAll(() => gateway?.stop());

describe("relctl's own metrics from the command line", () => {
  it("pushes them to a Pushgateway with --pushgateway and writes them with --metrics-textfile", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(
      ["promote", "--yes", "--pushgateway", gateway.url, "--metrics-textfile", "relctl.prom"],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(0);
    const scraped = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(scraped).toMatch(
      /relctl_run_duration_seconds\{[^}]*environment="production"[^}]*status="succeeded"/,
    );
    expect(scraped).toMatch(
      /relctl_last_successful_release_timestamp_seconds\{[^}]*environment="production"[^}]*\} \d/,
    );
    expect(scraped).toMatch(/relctl_step_duration_seconds_count\{[^}]*action="run"[^}]*executor="exec"/);
    const textfile = readFileSync(join(dir, "relctl.prom"), "utf8");
    expect(textfile).toMatch(/relctl_run_rollbacks\{[^}]*\} 0/);
  });

  it("counts a rollback, and a Pushgateway that is down is a warning, not a failed release", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(
      [
        "promote",
        "--yes",
        "--var",
        "deploy=exit 9",
        "--pushgateway",
        "http://127.0.0.1:9",
        "--metrics-textfile",
        "m.prom",
      ],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/warning: .*127\.0\.0\.1:9/);
    expect(readFileSync(join(dir, "m.prom"), "utf8")).toMatch(/relctl_run_rollbacks\{[^}]*\} 1/);
  });
});

describe("under GitHub Actions", () => {
  it("annotates the failed step's line, writes the job summary and the step outputs", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const summary = join(dir, "summary.md");
    const output = join(dir, "output.txt");
    writeFileSync(summary, "");
    writeFileSync(output, "");
    const env = { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output };
    const failed = await relctl(["promote", "--yes", "--var", "deploy=echo broken >&2; exit 3"], {
      cwd: dir,
      env,
    });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(
      /::error file=relctl\.yaml,line=12,col=9,title=[^:]*deploy[^:]*::.*exited with code 3/,
    );
    expect(readFileSync(summary, "utf8")).toMatch(/deploy/);
    expect(readFileSync(output, "utf8")).toMatch(/^image_digest<<(\S+)\nsha256:abc\n\1$/m);
  });

  it("annotates each problem of an invalid playbook on its line, and a refusal with its code", async () => {
    const dir = tempProject({
      "relctl.yaml":
        "apiVersion: relctl/v1\nname: x\nstages:\n  build:\n    steps:\n      - id: a\n        uses: exec.nope\n",
    });
    const invalid = await relctl(["build", "--yes"], { cwd: dir, env: { GITHUB_ACTIONS: "true" } });
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toContain(
      '::error file=relctl.yaml,line=7,col=15,title=relctl lint::executor exec has no action "nope"',
    );
    const refused = await relctl(["build"], {
      cwd: tempProject({ "relctl.yaml": playbook.replace("promote", "build") }),
      env: { GITHUB_ACTIONS: "true", CI: "true" },
    });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      /::error title=relctl%3A E_USAGE::.*refusing to go on without confirmation/,
    );
  });
});
