// A run must be able to finish what it starts. What it will need after its steps — a state
// directory it can write, cosign and a readable key for --sign-evidence — is checked before the
// first step (exit 2, nothing run). What still fails after the steps (cosign refusing the key, a
// folder made read-only meanwhile) is a clear error, exit 1, with the journal and evidence where
// the last line says, and the run's journal notes it so `relctl status` does not say a silent
// "succeeded".
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pathWithFakes, pathWithoutTools } from "../executors/tool-fakes.js";
import { relctl, tempProject, type CliResult } from "../helpers/cli.js";
import { tempDir } from "../helpers/servers.js";
import { handOver, readOnly, relctlAsUser } from "../helpers/unprivileged.js";

const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;

// The step runs node by its absolute path, so it works with a PATH that has no cosign.
const playbook = (
  argv: string[] = [process.execPath, "-e", "require('fs').writeFileSync('built.txt', '')"],
) =>
  `apiVersion: relctl/v1
name: demo
stages:
  build:
    steps:
      - { id: make, uses: exec.run, with: { argv: ${JSON.stringify(argv)} } }
`;

function expectClean(result: CliResult): void {
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

function runIds(dir: string): string[] {
  const runs = join(dir, ".relctl", "runs");
  return existsSync(runs) ? readdirSync(runs) : [];
}

describe("--sign-evidence is checked before the first step", () => {
  it("refuses when cosign is not on PATH (exit 2), running nothing", async () => {
    const dir = tempProject({ "relctl.yaml": playbook(), "cosign.key": "key" });
    const result = await relctl(["build", "--yes", "--sign-evidence", "cosign.key"], {
      cwd: dir,
      env: { PATH: pathWithoutTools() },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--sign-evidence signs with cosign, which is not on PATH; nothing was run/);
    expect(result.stderr).toMatch(/hint: install cosign/);
    expectClean(result);
    expect(existsSync(join(dir, "built.txt"))).toBe(false);
    expect(runIds(dir)).toEqual([]);
  });

  it.each([
    [
      "a key file that does not exist",
      "/nonexistent/cosign.key",
      /cannot read the --sign-evidence key \/nonexistent\/cosign\.key: it does not exist/,
    ],
    ["a directory", ".", /the --sign-evidence key .* is a directory, not a key file/],
    [
      "env://VAR with VAR unset",
      "env://RELCTL_TEST_UNSET_KEY",
      /--sign-evidence env:\/\/RELCTL_TEST_UNSET_KEY: RELCTL_TEST_UNSET_KEY is not set/,
    ],
  ])("refuses %s (exit 2), running nothing", async (_, key, message) => {
    const dir = tempProject({ "relctl.yaml": playbook() });
    const result = await relctl(["build", "--yes", "--sign-evidence", key], {
      cwd: dir,
      env: { PATH: pathWithFakes() },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/hint: pass the private key/);
    expectClean(result);
    expect(existsSync(join(dir, "built.txt"))).toBe(false);
    expect(runIds(dir)).toEqual([]);
  });
});

describe("signing that fails after the steps", () => {
  it("is an error (exit 1) that says where the unsigned bundle is, and status shows it", async () => {
    const dir = tempProject({ "relctl.yaml": playbook(), "bad.key": "not a cosign key\n" });
    const env = { PATH: pathWithFakes(), RELCTL_FAKE_COSIGN_STATE: tempDir("cosign-state") };

    const result = await relctl(["build", "--yes", "--sign-evidence", "bad.key"], { cwd: dir, env });

    expect(result.exitCode, result.stderr).toBe(1);
    expectClean(result);
    expect(existsSync(join(dir, "built.txt"))).toBe(true);
    expect(result.stderr).toMatch(
      /error: the run's steps are over, but its evidence bundle could not be signed: cosign sign-blob exited with code \d+/,
    );
    expect(result.stderr).toMatch(
      /hint: the bundle .* is complete but unsigned; sign it once cosign works: cosign sign-blob/,
    );
    const [runId] = runIds(dir);
    const bundle = join(dir, ".relctl", "runs", runId!, "evidence");
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(
      `run ${runId}: journal and evidence in ${bundle} (evidence NOT signed)`,
    );
    expect(readdirSync(bundle).sort()).toEqual(["checksums.txt", "journal.jsonl", "manifest.json"]);

    const status = await relctl(["status"], { cwd: dir });
    expect(status.stdout).toMatch(
      /warning: the run's steps are over, but its evidence bundle could not be signed/,
    );
    const verified = await relctl(["evidence", "verify", bundle, "--require-signature"], { cwd: dir, env });
    expect(verified.exitCode).toBe(1);
    expect(verified.stdout).toMatch(/a verified signature is required: the bundle is not signed/);
  });
});

describe("a state directory relctl cannot write", () => {
  it("refuses before the first step when .relctl/trains is read-only, naming that folder (exit 2)", async () => {
    const dir = tempProject({ "relctl.yaml": playbook() });
    mkdirSync(join(dir, ".relctl", "trains"), { recursive: true });
    handOver(dir);
    readOnly(join(dir, ".relctl", "trains"));

    const result = await relctlAsUser(["build", "--yes"], { cwd: dir });

    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /cannot write run state to .*\/\.relctl\/trains: permission denied; nothing was run/,
    );
    expectClean(result);
    expect(existsSync(join(dir, "built.txt"))).toBe(false);
  });

  it("that becomes read-only during the run: an error (exit 1), the evidence still written, the journal noting it", async () => {
    // The step itself takes the train record's folder away, after the check before the run.
    const dir = tempProject({
      "relctl.yaml": playbook(["sh", "-c", "mkdir -p .relctl/trains && chmod 555 .relctl/trains"]),
    });
    handOver(dir);

    const result = await relctlAsUser(["build", "--yes"], { cwd: dir });

    expect(result.exitCode, result.stderr).toBe(1);
    expectClean(result);
    expect(result.stderr).toMatch(
      /error: the run's steps are over, but its records could not be written: .*\/\.relctl\/trains\/demo--[0-9a-f]+: permission denied/,
    );
    expect(result.stderr).toMatch(/hint: stages that need this run's stages will not see them as passed/);
    const [runId] = runIds(dir);
    const bundle = join(dir, ".relctl", "runs", runId!, "evidence");
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(
      `run ${runId}: journal and evidence in ${bundle}`,
    );
    const status = await relctl(["status"], { cwd: dir });
    expect(status.stdout).toMatch(/warning: the run's steps are over, but its records could not be written/);
    // The bundle holds the journal with that warning, and checks out.
    expect((await relctl(["evidence", "verify", bundle], { cwd: dir })).exitCode).toBe(0);
  });
});
