// What a journal line must be before `status`, `history`, `resume` and the evidence writer trust
// it: the envelope every event has, and for the types they read, the fields they read with the
// types they expect. One run whose journal was edited by hand (`"stages": "build"`) must be a
// clear "damaged at line N", not a crash inside whatever command happens to read it.
//
// Objects are loose: a field may be added within a version (docs/events.md), and an event type
// this relctl does not know passes on its envelope alone. A journal written by a newer format
// (`v` above EVENT_SCHEMA_VERSION) is refused outright: guessing at it could make resume repeat
// or skip a step.
import { z } from "zod";
import { ExitCode, RelctlError } from "../errors.js";
import {
  EVENT_SCHEMA_VERSION,
  type RunEvent,
  type RunStatus,
  type StageStatus,
  type StepStatus,
} from "../run/events.js";

const text = z.string();
const count = z.number().int().min(0);
const duration = z.number().min(0);
const where = { stage: text, step: text };

/** Every member of the union T and nothing else, so these lists cannot drift from run/events.ts. */
function allOf<T extends string>() {
  return <const A extends readonly T[]>(
    values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never),
  ) => values;
}

const STEP_STATUSES = allOf<StepStatus>()([
  "succeeded",
  "failed",
  "skipped",
  "timed_out",
  "cancelled",
  "planned",
]);
const STAGE_STATUSES = allOf<StageStatus>()(["succeeded", "failed", "cancelled", "planned"]);
const RUN_STATUSES = allOf<RunStatus>()([
  "succeeded",
  "failed",
  "rolled_back",
  "rollback_failed",
  "interrupted",
  "planned",
  "blocked",
]);

const envelope = z.looseObject({
  v: z.number().int().min(1),
  seq: z.number().int().min(1),
  at: text,
  runId: text,
  type: text,
});

// Keyed by the event types run/events.ts declares: a renamed type fails to compile here.
const bodies: Partial<Record<RunEvent["type"], z.ZodType>> = {
  "run.start": z.looseObject({
    playbook: text,
    name: text,
    stages: z.array(text),
    dryRun: z.boolean(),
    vars: z.record(z.string(), z.unknown()),
    playbookDigest: text.optional(),
    version: text.optional(),
    environment: text.optional(),
    resumed: z.boolean().optional(),
    pid: z.number().int().optional(),
    hostname: text.optional(),
  }),
  "run.records": z.looseObject({ evidence: text.optional() }),
  "run.warning": z.looseObject({ message: text, stage: text.optional() }),
  "stage.start": z.looseObject({ stage: text, role: z.enum(["requested", "on_failure"]), steps: count }),
  "step.plan": z.looseObject({ ...where, name: text, uses: text }),
  "step.start": z.looseObject({ ...where, name: text, uses: text, attempt: count }),
  "step.process": z.looseObject({
    ...where,
    program: text,
    pid: z.number().int().min(1),
    pgid: z.number().int().min(1),
    startTime: text.optional(),
    hostname: text,
    relctl: z.looseObject({ pid: z.number().int().min(1), startTime: text.optional() }),
  }),
  "step.log": z.looseObject({ ...where, level: text, message: text }),
  "step.record": z.looseObject({ ...where, kind: text, data: z.record(z.string(), z.unknown()) }),
  "step.retry": z.looseObject({ ...where, attempt: count }),
  "step.end": z.looseObject({
    ...where,
    name: text,
    status: z.enum(STEP_STATUSES),
    durationMs: duration,
    attempts: count,
    outputs: z.record(z.string(), z.unknown()).optional(),
    error: z.looseObject({ kind: text, message: text }).optional(),
    reason: text.optional(),
  }),
  "stage.end": z.looseObject({
    stage: text,
    status: z.enum(STAGE_STATUSES),
    durationMs: duration,
    failedStep: text.optional(),
  }),
  "run.end": z.looseObject({
    status: z.enum(RUN_STATUSES),
    exitCode: z.number().int(),
    durationMs: duration,
    failedStage: text.optional(),
    failedStep: text.optional(),
    message: text.optional(),
  }),
};

export type EventCheck = { ok: true; value: RunEvent } | { ok: false; problem: string };

/**
 * Checks one parsed journal line. A damaged event is a problem in words (the reader reports it
 * with its file and line); an event from a newer format throws at once.
 */
export function checkRunEvent(value: unknown, file: string, line: number): EventCheck {
  const head = envelope.safeParse(value);
  if (!head.success) return { ok: false, problem: `not a run event (${describeIssues(head.error)})` };
  if (head.data.v > EVENT_SCHEMA_VERSION) throw journalTooNew(file, line, head.data.v);
  const body = bodies[head.data.type as RunEvent["type"]];
  if (body) {
    const checked = body.safeParse(value);
    if (!checked.success) {
      return { ok: false, problem: `damaged ${head.data.type} event (${describeIssues(checked.error)})` };
    }
  }
  return { ok: true, value: value as RunEvent };
}

function journalTooNew(file: string, line: number, version: number): RelctlError {
  return new RelctlError(
    "E_STATE_TOO_NEW",
    ExitCode.invalid,
    `${file}:${line}: written by a newer relctl (event format v${version}; this relctl reads v${EVENT_SCHEMA_VERSION})`,
    {
      hint: "read this run with the relctl version that wrote it, or upgrade relctl",
      details: { file, line, version },
    },
  );
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}
