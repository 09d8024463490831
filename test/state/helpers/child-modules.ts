// Real child processes (killed with SIGKILL, racing for a lock) must run the real state modules.
// Node 20 cannot import TypeScript, so the few modules they need are transpiled (types erased,
// nothing else changed) into a temporary folder whose node_modules links to the repository's.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

const MODULES = [
  "errors.ts",
  "run/redact.ts",
  "state/atomic.ts",
  "state/journal.ts",
  "state/jsonl.ts",
  "state/lock-file.ts",
  "state/lock.ts",
  "state/paths.ts",
  "state/resume.ts",
];

let built: string | undefined;

/** A folder with src/<module>.js for each module above; scripts written into it can import them. */
export function childModules(): string {
  if (built) return built;
  const out = mkdtempSync(join(tmpdir(), "relctl-child-"));
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  symlinkSync(join(repoRoot, "node_modules"), join(out, "node_modules"), "dir");
  for (const module of MODULES) {
    const source = readFileSync(join(repoRoot, "src", module), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: module,
    });
    const target = join(out, "src", module.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  built = out;
  return out;
}

const scripts = new Map<string, string>();

/**
 * Writes a child script (ESM JavaScript) next to the transpiled modules, once, and returns its
 * path. Rewriting it while another child is starting would let that child read half a file.
 */
export function childScript(name: string, source: string): string {
  const path = join(childModules(), `${name}.mjs`);
  const written = scripts.get(name);
  if (written === undefined) {
    writeFileSync(`${path}.tmp`, source);
    renameSync(`${path}.tmp`, path);
    scripts.set(name, source);
  } else if (written !== source) {
    throw new Error(`child script ${name} was already written with different source`);
  }
  return path;
}
