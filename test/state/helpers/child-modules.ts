// Real child processes (killed with SIGKILL, racing for a lock) must run the real state modules.
// Node 20 cannot import TypeScript, so the modules they need (the entry modules and everything
// those import from src/) are transpiled (types erased, nothing else changed) into a temporary
// folder whose node_modules links to the repository's.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

// The modules the child scripts import; whatever these import from src/ is transpiled with them.
const ENTRY_MODULES = ["state/journal.ts", "state/lock.ts", "state/resume.ts"];

/** Relative imports (static and dynamic) of transpiled output, as paths of .ts sources. */
function localImports(module: string, output: string): string[] {
  const found = output.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)\.js"/g);
  return [...found].map((match) => posix.join(posix.dirname(module), `${match[1]}.ts`));
}

let built: string | undefined;

/** A folder with src/<module>.js for each module above; scripts written into it can import them. */
export function childModules(): string {
  if (built) return built;
  const out = mkdtempSync(join(tmpdir(), "relctl-child-"));
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  symlinkSync(join(repoRoot, "node_modules"), join(out, "node_modules"), "dir");
  const pending = [...ENTRY_MODULES];
  const done = new Set<string>();
  for (let module = pending.pop(); module !== undefined; module = pending.pop()) {
    if (done.has(module)) continue;
    done.add(module);
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
    pending.push(...localImports(module, outputText));
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
