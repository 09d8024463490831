// Shell completion, driven the way the shell drives it: the script `relctl completion bash`
// prints is loaded into a real bash, which is handed COMP_WORDS/COMP_CWORD and calls the
// function `complete -p relctl` names; COMPREPLY is what a person would be offered.
import { execa } from "execa";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { relctl, relctlBin, tempProject } from "../helpers/cli.js";

const PLAYBOOK = `apiVersion: relctl/v1
name: shop
stages:
  bake:
    steps:
      - { id: a, uses: exec.run, with: { argv: [echo, a], read_only: true } }
  taste:
    steps:
      - { id: b, uses: exec.run, with: { argv: [echo, b], read_only: true } }
`;

let script: string;
/** A PATH on which `relctl` is the built binary (and node is the one running the tests). */
let path: string;

beforeAll(async () => {
  const result = await relctl(["completion", "bash"]);
  expect(result.exitCode).toBe(0);
  script = result.stdout;
  const bin = mkdtempSync(join(tmpdir(), "relctl-completion-bin-"));
  symlinkSync(relctlBin, join(bin, "relctl"));
  path = `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`;
});

/** What bash offers for `line` with the cursor at its end (a trailing space starts a new word). */
async function complete(line: string, cwd: string): Promise<string[]> {
  const words = line.split(" ");
  const driver = `
source "$RELCTL_COMPLETION" || exit 3
spec="$(complete -p relctl)" || exit 3
function="$(sed -E 's/.*-F ([^ ]+) .*/\\1/' <<<"$spec")"
COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")})
COMP_CWORD=${words.length - 1}
COMP_LINE='${line}'
COMP_POINT=${line.length}
"$function" relctl "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const scriptFile = join(mkdtempSync(join(tmpdir(), "relctl-completion-")), "relctl.bash");
  writeFileSync(scriptFile, script);
  const result = await execa("bash", ["--norc", "--noprofile", "-c", driver], {
    cwd,
    env: { PATH: path, HOME: cwd, RELCTL_COMPLETION: scriptFile, NO_COLOR: "1" },
    extendEnv: false,
    timeout: 30_000,
  });
  return result.stdout.split("\n").filter((word) => word !== "");
}

describe("relctl completion bash", () => {
  it("completes commands, and no hidden ones", async () => {
    const dir = tempProject({ "relctl.yaml": PLAYBOOK });
    const offered = await complete("relctl ", dir);
    expect(offered).toEqual(
      expect.arrayContaining(["plan", "run", "canary", "resume", "completion", "evidence"]),
    );
    expect(offered).not.toContain("__complete");
    expect(await complete("relctl pl", dir)).toEqual(["plan"]);
    expect(await complete("relctl evidence ", dir)).toEqual(["verify"]);
  });

  it("completes the flags of the command on the line, as commander knows them", async () => {
    const dir = tempProject({ "relctl.yaml": PLAYBOOK });
    expect(await complete("relctl unlock --ev", dir)).toEqual(["--even-if-alive"]);
    expect(await complete("relctl plan --", dir)).toContain("--output");
    expect(await complete("relctl plan --", dir)).not.toContain("--even-if-alive");
    expect(await complete("relctl completion ", dir)).toEqual(["bash", "zsh", "fish"]);
    // An option's value: files for a file or key, folders for a folder.
    mkdirSync(join(dir, "relctl-state"));
    expect(await complete("relctl evidence verify --key rel", dir)).toEqual(
      expect.arrayContaining(["relctl.yaml"]),
    );
    expect(await complete("relctl --state-dir rel", dir)).toEqual(["relctl-state"]);
  });

  it("completes stage names from the playbook, also one given with -C and -p", async () => {
    const dir = tempProject({ "relctl.yaml": PLAYBOOK });
    expect((await complete("relctl run ", dir)).sort()).toEqual(["bake", "taste"]);
    expect(await complete("relctl run bake t", dir)).toEqual(["taste"]);
    expect(await complete("relctl gate ", dir)).toEqual(expect.arrayContaining(["bake", "taste"]));
    const elsewhere = tempProject({ "other.yaml": PLAYBOOK.replace("bake:", "mix:") });
    const home = tempProject();
    expect((await complete(`relctl -C ${elsewhere} -p other.yaml plan `, home)).sort()).toEqual([
      "mix",
      "taste",
    ]);
    // After an option that takes a value, its value is not a stage.
    expect(await complete(`relctl plan --output `, dir)).not.toContain("bake");
  });

  it("completes run ids from the state folder, and nothing (no error) without one", async () => {
    const dir = tempProject({ "relctl.yaml": PLAYBOOK });
    expect(await complete("relctl status ", dir)).toEqual([]);
    const run = await relctl(["run", "bake", "--yes"], { cwd: dir });
    expect(run.exitCode).toBe(0);
    const runId = /run (\d{8}T\d{6}Z-\w+)/.exec(run.stdout)![1]!;
    expect(await complete("relctl status ", dir)).toEqual([runId]);
    expect(await complete("relctl resume ", dir)).toEqual([runId]);
    // Each positional argument by its place: decide <run> <step> <decision>.
    expect(await complete("relctl decide ", dir)).toEqual([runId]);
    expect(await complete(`relctl decide ${runId} gate `, dir)).toEqual(["continue", "abort"]);
    const state = join(tempProject(), "state");
    mkdirSync(join(state, "runs", "20260101T000000Z-abcd"), { recursive: true });
    expect(await complete(`relctl status --state-dir ${state} `, dir)).toEqual(["20260101T000000Z-abcd"]);
  });

  it("offers no stages (and prints no error) when the playbook is broken", async () => {
    const dir = tempProject({ "relctl.yaml": "stages: [unclosed" });
    expect(await complete("relctl run ", dir)).toEqual([]);
    const direct = await relctl(["__complete", "stages", "--"], { cwd: dir });
    expect(direct).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
  });
});

describe("relctl completion zsh and fish", () => {
  it("prints a zsh script that zsh parses", async () => {
    const result = await relctl(["completion", "zsh"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^#compdef relctl\n/);
    const file = join(mkdtempSync(join(tmpdir(), "relctl-zsh-")), "_relctl");
    writeFileSync(file, result.stdout);
    const check = await execa("zsh", ["-n", file], { reject: false });
    if (check.exitCode === undefined) {
      throw new Error("zsh is missing: install the Debian package zsh (apt-get install zsh)");
    }
    expect(check.stderr).toBe("");
    expect(check.exitCode).toBe(0);
  });

  it("prints a fish script with a line per command (fish is not installed here: not parsed)", async () => {
    const result = await relctl(["completion", "fish"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("complete -c relctl -n '__fish_use_subcommand' -a plan");
    expect(result.stdout).toContain("(relctl __complete stages -- (commandline -opc)[2..-1] 2>/dev/null)");
  });

  it("refuses a shell it has no script for", async () => {
    const result = await relctl(["completion", "tcsh"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no completion for the shell "tcsh"');
  });
});
