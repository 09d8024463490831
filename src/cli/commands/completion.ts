// `relctl completion bash|zsh|fish` prints a completion script; the hidden `relctl __complete
// stages|runs -- <words>` is what those scripts call to name the playbook's stages and the
// state's runs. It reads only what it must and fails silently: a broken playbook or a missing
// state folder completes nothing, it never prints an error into the person's prompt.
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { usageError } from "../../errors.js";
import { findPlaybookFile, loadPlaybook } from "../../playbook/load.js";
import { resolveStateDir, runsDir } from "../../state/paths.js";
import { bashScript, zshScript } from "../completion/bash.js";
import { fishScript } from "../completion/fish.js";
import { completionSpecs } from "../completion/spec.js";
import type { Io } from "../io.js";

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export function completionCommand(shell: string, program: Command, io: Io): Promise<number> {
  const script = SCRIPTS[shell as keyof typeof SCRIPTS];
  if (!script) {
    throw usageError(`no completion for the shell "${shell}"`, "give one of: bash, zsh, fish");
  }
  io.out(script(completionSpecs(program)));
  return Promise.resolve(0);
}

/** The value of an option among the words typed so far (`-C dir`, `--cwd=dir`); the last wins. */
function optionValue(words: readonly string[], names: readonly string[]): string | undefined {
  let value: string | undefined;
  words.forEach((word, index) => {
    for (const name of names) {
      if (word === name && index + 1 < words.length) value = words[index + 1];
      else if (word.startsWith(`${name}=`)) value = word.slice(name.length + 1);
    }
  });
  return value;
}

export async function completeWords(kind: string, words: readonly string[], io: Io): Promise<number> {
  try {
    const cwd = resolve(optionValue(words, ["-C", "--cwd"]) ?? process.cwd());
    const names =
      kind === "stages" ? await stageNames(words, cwd) : kind === "runs" ? runIds(words, cwd) : [];
    if (names.length > 0) io.out(`${names.join("\n")}\n`);
  } catch {
    // Completion offers nothing rather than an error.
  }
  return 0;
}

async function stageNames(words: readonly string[], cwd: string): Promise<string[]> {
  const file = findPlaybookFile(optionValue(words, ["-p", "--playbook"]), cwd);
  const { playbook } = await loadPlaybook(file, { cwd });
  return playbook?.stages.map((stage) => stage.name) ?? [];
}

/** Newest first, as `relctl history` lists them (run ids start with their UTC time). */
function runIds(words: readonly string[], cwd: string): string[] {
  const stateDir = resolveStateDir(cwd, optionValue(words, ["--state-dir"]));
  return readdirSync(runsDir(stateDir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .reverse();
}
