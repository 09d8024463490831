// Reads the root playbook and every file it includes, each checked against the file schema.
// Included files come before the file that includes them (a phase builds on what it includes),
// a file reached twice is read once, and an include cycle is an error at the include entry.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { playbookFileSchema, type PlaybookFile } from "./schema.js";
import { issuesToDiagnostics } from "./schema-issues.js";
import { locate, readSource, type SourceFile } from "./source.js";

export interface LoadedFile {
  source: SourceFile;
  data: PlaybookFile;
}

export interface FileSet {
  /** In merge order: includes before includers, root last. */
  files: LoadedFile[];
  sources: Map<string, SourceFile>;
  diagnostics: Diagnostic[];
}

export async function readPlaybookFiles(root: string, display: (file: string) => string): Promise<FileSet> {
  const set: FileSet = { files: [], sources: new Map(), diagnostics: [] };
  const done = new Set<string>();

  const visit = async (file: string, trail: string[]): Promise<void> => {
    if (done.has(file)) return;
    done.add(file);
    const read = await readSource(file, display(file));
    if ("diagnostics" in read) {
      set.diagnostics.push(...read.diagnostics);
      return;
    }
    set.sources.set(file, read.source);
    const parsed = playbookFileSchema.safeParse(withoutExtensions(read.data ?? {}));
    if (!parsed.success) {
      set.diagnostics.push(...issuesToDiagnostics(parsed.error.issues, read.source, read.data));
      return;
    }
    const includes = parsed.data.include ?? [];
    for (const [index, entry] of includes.entries()) {
      const target = resolve(dirname(file), entry);
      const where = locate(read.source, ["include", index]);
      if (trail.includes(target)) {
        const cycle = [...trail.slice(trail.indexOf(target)), target].map(display).join(" → ");
        set.diagnostics.push({ code: "include-cycle", message: `include cycle: ${cycle}`, location: where });
        continue;
      }
      if (!existsSync(target)) {
        set.diagnostics.push({
          code: "include-missing",
          message: `included file ${display(target)} does not exist`,
          location: where,
          hint: "include paths are relative to the file that includes them",
        });
        continue;
      }
      await visit(target, [...trail, target]);
    }
    set.files.push({ source: read.source, data: parsed.data });
  };

  await visit(root, [root]);
  return set;
}

/**
 * Top-level keys starting with `x-` are the playbook's own (docker-compose's convention): a
 * place for YAML anchors such as `x-defaults: &defaults`, merged into steps with `<<: *defaults`.
 */
function withoutExtensions(data: unknown): unknown {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith("x-")));
}
