// Approvals: who agreed that this exact plan may run. Each approval names a role, a person, a
// time, and the plan it was given for (playbook digest, version, environment). A stage that
// requires approvals runs only when enough distinct people in the right roles approved the plan
// as it is now; an approval given for anything else is void, not merely old.
//
// Stored one file per approval under <stateDir>/approvals/<subject>/, where the subject is the
// run id (`relctl approve <run>`) or a plan digest (approving before the run exists).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Clock } from "../run/clock.js";
import { RelctlError, ExitCode } from "../errors.js";
import { createFileExclusive } from "./atomic.js";
import { approvalsDir, fileKey } from "./paths.js";
import { definedOnly } from "../util/objects.js";

/** A role: lower-case words joined by - (release-captain, oncall-sre). */
export const ROLE_PATTERN = /^[a-z][a-z0-9-]*$/;

export const approvalRequirementSchema = z
  .object({
    count: z.number().int().min(1).describe("how many distinct people must approve"),
    roles: z
      .array(z.string().regex(ROLE_PATTERN, "a role is lower-case words joined by -"))
      .min(1)
      .describe("roles an approver may hold; when count reaches their number, every role must approve"),
  })
  .refine((value) => new Set(value.roles).size === value.roles.length, { message: "roles must not repeat" });

/**
 * `count` distinct people must approve, each in one of `roles`; when `count` is at least the
 * number of roles, every role must be among them. `{ count: 2, roles: [release-captain,
 * oncall-sre] }` is the runbook's dual approval; `{ count: 1, roles: [a, b] }` means either.
 */
export type ApprovalRequirement = z.infer<typeof approvalRequirementSchema>;

export interface ApprovalPlan {
  planDigest: string;
  version: string;
  environment: string;
}

export interface Approval extends ApprovalPlan {
  role: string;
  /** `user.name <user.email>` from git, or $USER. */
  by: string;
  at: string;
  comment?: string;
}

const approvalSchema = z.object({
  role: z.string().min(1),
  by: z.string().min(1),
  at: z.string().min(1),
  planDigest: z.string().min(1),
  version: z.string(),
  // Empty when the stage names no environment: the approval is then for the plan and version alone.
  environment: z.string(),
  comment: z.string().optional(),
});

export interface VoidApproval {
  approval: Approval;
  reason: string;
}

export interface ApprovalCheck {
  satisfied: boolean;
  /** The approvals that count, one per person. */
  valid: Approval[];
  /** What is still needed, in words: `an approval as oncall-sre`, `1 more from release-captain or oncall-sre`. */
  missing: string[];
  missingRoles: string[];
  /** How many more approvals are needed at least. */
  needed: number;
  void: VoidApproval[];
}

/** Two spellings of one person are one person: compare the e-mail when there is one. */
export function personKey(by: string): string {
  const email = /<([^<>]+)>\s*$/.exec(by)?.[1];
  return (email ?? by).trim().toLowerCase();
}

export function checkApprovals(
  requirement: ApprovalRequirement,
  approvals: readonly Approval[],
  plan: ApprovalPlan,
): ApprovalCheck {
  const voided: VoidApproval[] = [];
  const valid: Approval[] = [];
  const roleOf = new Map<string, string>();
  // Earliest first: when one person approved twice, the first approval is the one that counts.
  const ordered = [...approvals].sort((a, b) => a.at.localeCompare(b.at));
  for (const approval of ordered) {
    const reason = planMismatch(approval, plan) ?? roleProblem(approval, requirement, roleOf);
    if (reason !== undefined) {
      voided.push({ approval, reason });
      continue;
    }
    roleOf.set(personKey(approval.by), approval.role);
    valid.push(approval);
  }

  const covered = new Set(valid.map((approval) => approval.role));
  const missingRoles =
    requirement.count >= requirement.roles.length
      ? requirement.roles.filter((role) => !covered.has(role))
      : [];
  const needed = Math.max(requirement.count - valid.length, missingRoles.length);
  const missing = missingRoles.map((role) => `an approval as ${role}`);
  const extra = needed - missingRoles.length;
  if (extra > 0) missing.push(`${extra} more from ${requirement.roles.join(" or ")}`);
  return { satisfied: needed === 0, valid, missing, missingRoles, needed, void: voided };
}

function planMismatch(approval: Approval, plan: ApprovalPlan): string | undefined {
  if (approval.planDigest !== plan.planDigest)
    return `it approved plan ${approval.planDigest}, but the plan is now ${plan.planDigest}`;
  if (approval.version !== plan.version)
    return `it approved version ${approval.version}, but the version is now ${plan.version}`;
  if (approval.environment !== plan.environment)
    return `it approved environment ${approval.environment}, not ${plan.environment}`;
  return undefined;
}

function roleProblem(
  approval: Approval,
  requirement: ApprovalRequirement,
  roleOf: ReadonlyMap<string, string>,
): string | undefined {
  if (!requirement.roles.includes(approval.role))
    return `role ${approval.role} is not one this stage asks for (${requirement.roles.join(", ")})`;
  const earlier = roleOf.get(personKey(approval.by));
  if (earlier === approval.role) return `${approval.by} already approved as ${approval.role}`;
  if (earlier !== undefined)
    return `${approval.by} already approved as ${earlier}; one person cannot fill two roles`;
  return undefined;
}

export interface StoredApprovals {
  approvals: Approval[];
  /** Files that could not be read as approvals (they count as nothing). */
  unreadable: { file: string; problem: string }[];
}

export function readApprovals(stateDir: string, subject: string): StoredApprovals {
  const dir = approvalsDir(stateDir, subject);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".json") && !name.startsWith("."));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { approvals: [], unreadable: [] };
    throw error;
  }
  const stored: StoredApprovals = { approvals: [], unreadable: [] };
  for (const name of names.sort()) {
    const file = join(dir, name);
    try {
      const parsed = approvalSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (parsed.success) stored.approvals.push(definedOnly(parsed.data));
      else
        stored.unreadable.push({
          file,
          problem: parsed.error.issues.map((issue) => issue.message).join("; "),
        });
    } catch (error) {
      stored.unreadable.push({ file, problem: (error as Error).message });
    }
  }
  return stored;
}

/**
 * Records an approval. The file is published atomically and under a name derived from the person
 * and the plan, so a second approval by the same person for the same plan (in any role, even
 * from two terminals at once) is refused instead of overwriting or doubling the first.
 */
export function recordApproval(
  stateDir: string,
  subject: string,
  approval: Approval,
  options: { requirement?: ApprovalRequirement } = {},
): Approval {
  const parsed = approvalSchema.safeParse(approval);
  if (!parsed.success) {
    throw new RelctlError(
      "E_APPROVAL_INVALID",
      ExitCode.invalid,
      `cannot record this approval: ${parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "approval"}: ${issue.message}`)
        .join("; ")}`,
      { hint: "relctl approve <run> --role <role>, e.g. --role release-captain" },
    );
  }
  const checked = definedOnly(parsed.data);
  if (options.requirement && !options.requirement.roles.includes(checked.role)) {
    throw refused(
      `role ${checked.role} is not one this stage asks for (${options.requirement.roles.join(", ")})`,
    );
  }
  const planKey = [checked.planDigest, checked.version, checked.environment].join("\0");
  const file = join(
    approvalsDir(stateDir, subject),
    `${fileKey(`${personKey(checked.by)}\0${planKey}`)}.json`,
  );
  if (!createFileExclusive(file, `${JSON.stringify(checked, null, 2)}\n`)) {
    const earlier = readApprovals(stateDir, subject).approvals.find(
      (other) => personKey(other.by) === personKey(checked.by) && planMismatch(other, checked) === undefined,
    );
    throw refused(
      `${checked.by} already approved this plan${earlier ? ` as ${earlier.role} at ${earlier.at}` : ""}; ` +
        "one person approves a plan once and cannot fill two roles",
    );
  }
  return checked;
}

function refused(message: string): RelctlError {
  return new RelctlError("E_APPROVAL_REFUSED", ExitCode.invalid, message, {
    hint: "a different person must give the other approval",
  });
}

export interface IdentitySources {
  /** Reads one git config value (`user.name`, `user.email`); undefined when unset. */
  gitConfig?: (key: string) => string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Who is approving: git's `user.name <user.email>`, else $USER (or %USERNAME%). */
export function approverIdentity(sources: IdentitySources = {}, cwd = process.cwd()): string {
  const gitConfig = sources.gitConfig ?? ((key: string) => readGitConfig(key, cwd));
  const env = sources.env ?? process.env;
  const name = gitConfig("user.name")?.trim();
  const email = gitConfig("user.email")?.trim();
  if (name && email) return `${name} <${email}>`;
  if (email) return `<${email}>`;
  const user = (env.USER ?? env.USERNAME)?.trim() || name;
  if (user) return user;
  throw new RelctlError("E_APPROVER_UNKNOWN", ExitCode.invalid, "cannot tell who is approving", {
    hint: "set git config user.name and user.email, or the USER environment variable",
  });
}

function readGitConfig(key: string, cwd: string): string | undefined {
  try {
    const value = execFileSync("git", ["config", "--get", key], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return value.trim() || undefined;
  } catch {
    return undefined;
  }
}

export function approvalsMissingError(stage: string, check: ApprovalCheck): RelctlError {
  return new RelctlError(
    "E_APPROVALS_MISSING",
    ExitCode.blocked,
    `stage ${stage} needs ${check.missing.join(" and ")} before it runs`,
    {
      hint: "ask for `relctl approve <run> --role <role>`, or wait for them with --wait",
      details: {
        valid: check.valid,
        void: check.void.map((entry) => ({ by: entry.approval.by, reason: entry.reason })),
      },
    },
  );
}

/** Polls until the approvals are there (`--wait`); rejects when `signal` aborts. */
export async function waitForApprovals(options: {
  load: () => readonly Approval[];
  requirement: ApprovalRequirement;
  plan: ApprovalPlan;
  clock: Clock;
  signal?: AbortSignal;
  intervalMs?: number;
  onWaiting?: (check: ApprovalCheck) => void;
}): Promise<ApprovalCheck> {
  let lastMissing = "";
  for (;;) {
    const check = checkApprovals(options.requirement, options.load(), options.plan);
    if (check.satisfied) return check;
    // Tell the person once per change, not once per poll.
    const missing = check.missing.join(", ");
    if (missing !== lastMissing) options.onWaiting?.(check);
    lastMissing = missing;
    await options.clock.sleep(options.intervalMs ?? 5_000, options.signal);
  }
}
