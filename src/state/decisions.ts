// A person's decision on a paused gate: continue or abort. A gate that ends inconclusive with
// `on_inconclusive: {action: pause}` waits for the file
//   <stateDir>/decisions/<runId>/<stepId>.json   {"decision","by","reason","at"}
// which `relctl decide` writes (or a person, or a chat bot with access to the state directory).
// The first decision wins: a second, different one is refused, so nobody silently overrides
// a colleague's call while the gate is acting on it.
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { assertSafeSegment } from "./paths.js";

export const DECISIONS = ["continue", "abort"] as const;
export type DecisionKind = (typeof DECISIONS)[number];

const decisionSchema = z.object({
  decision: z.enum(DECISIONS),
  by: z.string().trim().min(1, "say who decided"),
  reason: z.string().trim().min(1, "say why"),
  at: z.string().optional(),
});
export type GateDecision = z.output<typeof decisionSchema>;

export type ReadDecision =
  | { state: "none" }
  | { state: "decided"; decision: GateDecision; path: string }
  | { state: "invalid"; problem: string; path: string };

export function decisionsDir(stateDir: string, runId: string): string {
  return join(stateDir, "decisions", assertSafeSegment("run id", runId));
}

export function decisionPath(stateDir: string, runId: string, stepId: string): string {
  return join(decisionsDir(stateDir, runId), `${assertSafeSegment("step id", stepId)}.json`);
}

/** Reads a decision; a missing file is "none", a malformed one is reported, never guessed at. */
export async function readDecision(stateDir: string, runId: string, stepId: string): Promise<ReadDecision> {
  const path = decisionPath(stateDir, runId, stepId);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { state: "none" };
    return { state: "invalid", problem: `cannot read it: ${(error as Error).message}`, path };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: "invalid", problem: "it is not JSON", path };
  }
  const parsed = decisionSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    return { state: "invalid", problem: problems.join("; "), path };
  }
  return { state: "decided", decision: parsed.data, path };
}

export type WriteDecisionResult =
  | { written: true; path: string; decision: GateDecision }
  /** Someone decided first; `existing` is their decision (identical or not). */
  | { written: false; path: string; existing: GateDecision };

/**
 * Records a decision for a paused gate step. Atomic (written aside, then hard-linked into
 * place, which fails if the file exists), so a reader never sees half a file and two people
 * deciding at once cannot both win.
 */
export async function writeDecision(
  stateDir: string,
  runId: string,
  stepId: string,
  input: { decision: DecisionKind; by: string; reason: string },
  now: Date = new Date(),
): Promise<WriteDecisionResult> {
  const decision = decisionSchema.parse({ ...input, at: now.toISOString() });
  const path = decisionPath(stateDir, runId, stepId);
  await mkdir(decisionsDir(stateDir, runId), { recursive: true });
  const aside = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(aside, `${JSON.stringify(decision, null, 2)}\n`, { flag: "wx" });
  try {
    await link(aside, path);
    return { written: true, path, decision };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const existing = await readDecision(stateDir, runId, stepId);
    if (existing.state !== "decided")
      throw new Error(`${path} exists but is not a decision: ${describe(existing)}`);
    return { written: false, path, existing: existing.decision };
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

function describe(read: ReadDecision): string {
  return read.state === "invalid" ? read.problem : read.state;
}
