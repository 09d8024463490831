// Reads the root playbook and every file it includes, each checked against the file schema.
// Included files come before the file that includes them (a phase builds on what it includes),
// a file reached twice is read once, and an include cycle is an error at the include entry.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { OWN_KEY, playbookFileSchema, type PlaybookFile } from "./schema.js";
import { issuesToDiagnostics } from "./schema-issues.js";
import type { SourceLocation } from "../errors.js";
import { locate, PLAYBOOK_FILE, readSource, type SourceFile } from "./source.js";

/** A file named by an include: entry; one it cannot read is reported at that entry. */
const INCLUDED_FILE = {
  ...PLAYBOOK_FILE,
  label: "the included file",
  check: "check the path in this include: entry",
};

export interface LoadedFile {
  source: SourceFile;
  data: PlaybookFile;
  /**
   * When broken steps were left out: per stage (and `<stage>/canary`), the original index of each
   * step kept, so origins still point at the right list item.
   */
  keptSteps?: Map<string, number[]>;
}

export interface FileSet {
  /** In merge order: includes before includers, root last. */
  files: LoadedFile[];
  sources: Map<string, SourceFile>;
  diagnostics: Diagnostic[];
  /** Names whose definitions failed the schema: later rules stay quiet about them. */
  broken: BrokenNames;
}

export interface BrokenNames {
  stages: Set<string>;
  steps: Set<string>;
  vars: Set<string>;
  secrets: Set<string>;
  release: Set<string>;
  executors: Set<string>;
}

/** A BrokenNames with nothing broken yet. */
export function noneBroken(): BrokenNames {
  return {
    stages: new Set(),
    steps: new Set(),
    vars: new Set(),
    secrets: new Set(),
    release: new Set(),
    executors: new Set(),
  };
}

const SECTIONS = ["stages", "vars", "secrets", "release", "executors"] as const;

export async function readPlaybookFiles(root: string, display: (file: string) => string): Promise<FileSet> {
  const set: FileSet = {
    files: [],
    sources: new Map(),
    diagnostics: [],
    broken: noneBroken(),
  };
  const done = new Set<string>();

  const visit = async (file: string, trail: string[], origin?: SourceLocation): Promise<void> => {
    if (done.has(file)) return;
    done.add(file);
    const read = await readSource(
      file,
      display(file),
      origin ? { kind: INCLUDED_FILE, origin } : { kind: PLAYBOOK_FILE },
    );
    if ("diagnostics" in read) {
      set.diagnostics.push(...read.diagnostics);
      return;
    }
    set.sources.set(file, read.source);
    const data = withoutExtensions(read.data ?? {});
    let parsed = playbookFileSchema.safeParse(data);
    let keptSteps: Map<string, number[]> | undefined;
    if (!parsed.success) {
      set.diagnostics.push(...issuesToDiagnostics(parsed.error.issues, read.source, read.data));
      // Keep checking the rest of the file, without the parts that are broken, so one typo
      // does not hide every other problem nor cause a cascade of follow-on errors.
      const kept = new Map<string, number[]>();
      const salvaged = salvage(data, parsed.error.issues, set.broken, kept);
      parsed = salvaged === undefined ? parsed : playbookFileSchema.safeParse(salvaged);
      if (!parsed.success) return;
      keptSteps = kept;
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
      await visit(target, [...trail, target], where);
    }
    set.files.push({ source: read.source, data: parsed.data, ...(keptSteps ? { keptSteps } : {}) });
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
  return Object.fromEntries(Object.entries(data).filter(([key]) => !OWN_KEY.test(key)));
}

/** The file without the entries that carry schema issues; their names are recorded as broken. */
function salvage(
  data: unknown,
  issues: readonly { path: PropertyKey[]; code: string; keys?: string[] }[],
  broken: BrokenNames,
  keptSteps: Map<string, number[]>,
): Record<string, unknown> | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  if (Object.keys(data).length === 0) return undefined; // an empty file: nothing to salvage
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const section of SECTIONS) {
    const value = copy[section];
    if (value !== null && typeof value === "object" && !Array.isArray(value)) copy[section] = { ...value };
  }
  for (const issue of issues) {
    const [section, name] = issue.path;
    if (issue.path.length === 0) {
      if (issue.code !== "unrecognized_keys") return undefined;
      for (const key of issue.keys ?? []) delete copy[key];
      continue;
    }
    if (section === "apiVersion") {
      copy.apiVersion = "relctl/v1"; // reported already; the rest can still be checked
      continue;
    }
    const entries = copy[String(section)];
    if (
      section === "stages" &&
      name !== undefined &&
      isRecord(entries) &&
      dropStep(entries, issue.path, broken, keptSteps)
    ) {
      continue;
    }
    if ((SECTIONS as readonly PropertyKey[]).includes(section!) && name !== undefined && isRecord(entries)) {
      const kind = section as (typeof SECTIONS)[number];
      broken[kind].add(String(name));
      if (kind === "stages") for (const id of rawStepIds(entries[String(name)])) broken.steps.add(id);
      delete entries[String(name)];
    } else {
      delete copy[String(section)];
    }
  }
  return copy;
}

/**
 * A problem inside one step leaves the step out (and only it): the rest of its stage is still
 * checked. Returns false when the issue is not inside a step.
 */
function dropStep(
  stages: Record<string, unknown>,
  path: PropertyKey[],
  broken: BrokenNames,
  keptSteps: Map<string, number[]>,
): boolean {
  const [, name, list, index] = path;
  const canary = list === "canary" && index === "steps";
  const at = canary ? path[4] : list === "steps" ? index : undefined;
  if (typeof at !== "number") return false;
  const stage = stages[String(name)];
  if (!isRecord(stage)) return false;
  const owner: Record<string, unknown> | undefined = canary
    ? isRecord(stage.canary)
      ? { ...stage.canary }
      : undefined
    : { ...stage };
  const steps = owner?.steps;
  if (!owner || !Array.isArray(steps)) return false;
  const key = canary ? `${String(name)}/canary` : String(name);
  const original = keptSteps.get(key) ?? steps.map((_, position) => position);
  const position = original.indexOf(at);
  if (position === -1) return true; // already left out for another problem
  const step: unknown = steps[position];
  if (isRecord(step) && typeof step.id === "string") broken.steps.add(step.id);
  owner.steps = steps.filter((_, other) => other !== position);
  keptSteps.set(
    key,
    original.filter((_, other) => other !== position),
  );
  stages[String(name)] = canary ? { ...stage, canary: owner } : owner;
  return true;
}

function rawStepIds(stage: unknown): string[] {
  if (!isRecord(stage)) return [];
  const lists = [stage.steps, isRecord(stage.canary) ? stage.canary.steps : undefined];
  return lists.flatMap((list) =>
    Array.isArray(list)
      ? list.flatMap((step) => (isRecord(step) && typeof step.id === "string" ? [step.id] : []))
      : [],
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
