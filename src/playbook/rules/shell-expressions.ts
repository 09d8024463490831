// A `${{ }}` inside a shell script is pasted into it as text before the shell reads it: a value
// with a space, a quote or a `;` changes the command (`rm -rf ${{ vars.dir }}` with dir "a b").
// Lint warns at each such expression and shows the safe form: pass the value through `env:`
// and write "$NAME" in the script, where the shell takes it as one word and never as syntax.
import type { Diagnostic } from "../diagnostics.js";
import { ExpressionError, parseTemplate } from "../expr/index.js";
import type { Playbook, StepDef, YamlPath } from "../model.js";
import type { Locator } from "./locator.js";

/** Programs that run their `-c` argument as a script. */
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"]);

export function shellScriptWarnings(playbook: Playbook, where: Locator): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const stage of playbook.stages) {
    for (const step of stage.steps) {
      for (const script of shellScripts(step)) warnAbout(script, step, where, warnings);
    }
  }
  // A canary repeats its template steps at every weight: one warning per place.
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const { file, line, column } = warning.location;
    const key = `${file}:${line}:${column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Script {
  text: string;
  sub: YamlPath;
  /** How the script reaches the shell, for the message. */
  via: string;
}

/** The strings of a step that a shell reads as a script. */
function shellScripts(step: StepDef): Script[] {
  const input = step.with;
  if (input === null || typeof input !== "object" || Array.isArray(input)) return [];
  const scripts: Script[] = [];
  const { command, shell, argv } = input as Record<string, unknown>;
  if (shell === true && typeof command === "string") {
    scripts.push({ text: command, sub: ["with", "command"], via: "shell: true" });
  }
  if (Array.isArray(argv) && typeof argv[0] === "string" && SHELLS.has(programName(argv[0]))) {
    // `sh -c script [name args…]`: only the script is parsed; the arguments after it are $0, $1…
    const flag = argv.findIndex(
      (item, index) => index > 0 && typeof item === "string" && /^-[a-z]*c[a-z]*$/.test(item),
    );
    const script: unknown = flag > 0 ? argv[flag + 1] : undefined;
    if (typeof script === "string") {
      scripts.push({
        text: script,
        sub: ["with", "argv", flag + 1],
        via: `${programName(argv[0])} ${String(argv[flag])}`,
      });
    }
  }
  return scripts;
}

function programName(program: string): string {
  return program.slice(program.lastIndexOf("/") + 1);
}

function warnAbout(script: Script, step: StepDef, where: Locator, warnings: Diagnostic[]): void {
  if (!script.text.includes("${{")) return;
  let parts;
  try {
    parts = parseTemplate(script.text).parts;
  } catch (error) {
    if (error instanceof ExpressionError) return; // reported as a syntax error
    throw error;
  }
  for (const part of parts) {
    if (part.kind !== "expr") continue;
    const written = `\${{${part.source}}}`;
    const name = envName(part.source);
    warnings.push({
      code: "shell-expression",
      message: `${written.replace(/\s+/g, " ")} is pasted into a shell script (${script.via}) unquoted: a value with a space, quote or ; changes the command`,
      location: where.text(step.origin, script.sub, written, part.offset),
      hint: `pass it through env: (env: { ${name}: "${written.trim()}" }) and write "$${name}" in the script; or use argv: without a shell`,
      stepId: step.id,
    });
  }
}

/** A name for the environment variable the hint suggests: vars.image_tag → IMAGE_TAG. */
function envName(expression: string): string {
  const last = /([A-Za-z_][A-Za-z0-9_-]*)\s*$/.exec(expression.trim())?.[1] ?? "VALUE";
  return last.replace(/-/g, "_").toUpperCase();
}
