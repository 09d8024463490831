import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import {
  approvalsMissingError,
  approverIdentity,
  checkApprovals,
  readApprovals,
  recordApproval,
  waitForApprovals,
  type Approval,
  type ApprovalPlan,
} from "../../src/state/approvals.js";
import { approvalsDir } from "../../src/state/paths.js";
import { manualClock } from "../helpers/action-context.js";

const dual = { count: 2, roles: ["release-captain", "oncall-sre"] };
const plan: ApprovalPlan = { planDigest: "sha256:aaa", version: "1.4.0", environment: "production" };
const ana = "Ana Lima <ana@example.com>";
const ben = "Ben Okoro <ben@example.com>";
let minute = 0;
const approval = (role: string, by: string, changes: Partial<Approval> = {}): Approval => ({
  role,
  by,
  at: `2026-11-22T10:${String(minute++ % 60).padStart(2, "0")}:00.000Z`,
  ...plan,
  ...changes,
});
const stateDir = () => mkdtempSync(join(tmpdir(), "relctl-approvals-"));

describe("approval rules", () => {
  it("is satisfied by a release captain and an on-call SRE who are different people", () => {
    const check = checkApprovals(dual, [approval("release-captain", ana), approval("oncall-sre", ben)], plan);
    expect(check).toMatchObject({ satisfied: true, missing: [], needed: 0, void: [] });
    expect(check.valid.map((entry) => entry.by)).toEqual([ana, ben]);
  });

  it("names the missing role while only one approval is in", () => {
    const check = checkApprovals(dual, [approval("release-captain", ana)], plan);
    expect(check).toMatchObject({
      satisfied: false,
      missing: ["an approval as oncall-sre"],
      missingRoles: ["oncall-sre"],
      needed: 1,
    });
  });

  it("refuses to let one person fill both roles, even under a differently spelled name", () => {
    const check = checkApprovals(
      dual,
      [approval("release-captain", ana), approval("oncall-sre", "ana lima <ANA@example.com>")],
      plan,
    );
    expect(check.satisfied).toBe(false);
    expect(check.void).toEqual([
      {
        approval: expect.objectContaining({ role: "oncall-sre" }),
        reason:
          "ana lima <ANA@example.com> already approved as release-captain; one person cannot fill two roles",
      },
    ]);
    expect(check.missingRoles).toEqual(["oncall-sre"]);
  });

  it("does not count two approvals in the same role by the same person twice", () => {
    const check = checkApprovals(
      { count: 2, roles: ["release-captain"] },
      [approval("release-captain", ana), approval("release-captain", ana)],
      plan,
    );
    expect(check).toMatchObject({ satisfied: false, needed: 1 });
    expect(check.void[0]!.reason).toBe(`${ana} already approved as release-captain`);
  });

  it.each([
    [
      "the playbook digest",
      { planDigest: "sha256:bbb" },
      "it approved plan sha256:bbb, but the plan is now sha256:aaa",
    ],
    ["the version", { version: "1.3.9" }, "it approved version 1.3.9, but the version is now 1.4.0"],
    ["the environment", { environment: "staging" }, "it approved environment staging, not production"],
  ])("voids an approval given for a different %s", (_what, changes, reason) => {
    const check = checkApprovals(
      dual,
      [approval("release-captain", ana, changes), approval("oncall-sre", ben)],
      plan,
    );
    expect(check.satisfied).toBe(false);
    expect(check.void).toEqual([{ approval: expect.objectContaining({ by: ana }), reason }]);
  });

  it("ignores an approval in a role the stage does not ask for", () => {
    const check = checkApprovals(dual, [approval("qa", ana), approval("oncall-sre", ben)], plan);
    expect(check.void[0]!.reason).toBe(
      "role qa is not one this stage asks for (release-captain, oncall-sre)",
    );
    expect(check.satisfied).toBe(false);
  });

  it("accepts either role when one approval of several roles is required", () => {
    expect(
      checkApprovals(
        { count: 1, roles: ["release-captain", "oncall-sre"] },
        [approval("oncall-sre", ben)],
        plan,
      ).satisfied,
    ).toBe(true);
  });

  it("needs every role and the full count when more approvals than roles are required", () => {
    const three = { count: 3, roles: ["release-captain", "oncall-sre"] };
    const two = [approval("release-captain", ana), approval("oncall-sre", ben)];
    expect(checkApprovals(three, two, plan)).toMatchObject({
      satisfied: false,
      needed: 1,
      missing: ["1 more from release-captain or oncall-sre"],
    });
    expect(
      checkApprovals(three, [...two, approval("release-captain", "Cy <cy@example.com>")], plan).satisfied,
    ).toBe(true);
    expect(
      checkApprovals(
        three,
        [
          approval("release-captain", ana),
          approval("release-captain", ben),
          approval("release-captain", "Cy <cy@example.com>"),
        ],
        plan,
      ),
    ).toMatchObject({ satisfied: false, missingRoles: ["oncall-sre"], needed: 1 });
  });

  it("blocks with exit code 4 and says what is missing", () => {
    const error = approvalsMissingError("promote", checkApprovals(dual, [], plan));
    expect(error.exitCode).toBe(ExitCode.blocked);
    expect(error.message).toBe(
      "stage promote needs an approval as release-captain and an approval as oncall-sre before it runs",
    );
  });
});

describe("stored approvals", () => {
  it("records approvals one file each, atomically, and reads them back", () => {
    const dir = stateDir();
    recordApproval(dir, "20261122T101500Z-3fa2", approval("release-captain", ana));
    recordApproval(
      dir,
      "20261122T101500Z-3fa2",
      approval("oncall-sre", ben, { comment: "dashboards green" }),
    );
    const stored = readApprovals(dir, "20261122T101500Z-3fa2");
    expect(stored.unreadable).toEqual([]);
    expect(checkApprovals(dual, stored.approvals, plan).satisfied).toBe(true);
    const files = readdirSync(approvalsDir(dir, "20261122T101500Z-3fa2"));
    expect(files).toHaveLength(2);
    expect(files.every((name) => name.endsWith(".json") && !name.includes("tmp"))).toBe(true);
  });

  it("refuses a second approval by the same person for the same plan, in any role", () => {
    const dir = stateDir();
    recordApproval(dir, "run-1", approval("release-captain", ana));
    expect(() => recordApproval(dir, "run-1", approval("release-captain", ana))).toThrow(
      /already approved this plan as release-captain/,
    );
    expect(() => recordApproval(dir, "run-1", approval("oncall-sre", "Ana <ANA@example.com>"))).toThrow(
      /cannot fill two roles/,
    );
    expect(readApprovals(dir, "run-1").approvals).toHaveLength(1);
  });

  it("lets the same person approve again once the plan changed", () => {
    const dir = stateDir();
    recordApproval(dir, "run-1", approval("release-captain", ana));
    expect(() =>
      recordApproval(dir, "run-1", approval("release-captain", ana, { planDigest: "sha256:new" })),
    ).not.toThrow();
  });

  it("refuses a role the stage does not ask for when the requirement is known", () => {
    expect(() => recordApproval(stateDir(), "run-1", approval("qa", ana), { requirement: dual })).toThrow(
      /role qa is not one this stage asks for/,
    );
  });

  it("keeps approvals per subject and accepts a plan digest as subject", () => {
    const dir = stateDir();
    recordApproval(dir, "sha256:abc", approval("release-captain", ana));
    expect(readApprovals(dir, "sha256:abc").approvals).toHaveLength(1);
    expect(readApprovals(dir, "run-2").approvals).toEqual([]);
  });

  it("reports a file that is not an approval instead of counting it", () => {
    const dir = stateDir();
    recordApproval(dir, "run-1", approval("release-captain", ana));
    writeFileSync(join(approvalsDir(dir, "run-1"), "zz.json"), '{"role": 7}');
    const stored = readApprovals(dir, "run-1");
    expect(stored.approvals).toHaveLength(1);
    expect(stored.unreadable).toHaveLength(1);
    expect(stored.unreadable[0]!.file).toMatch(/zz\.json$/);
  });
});

describe("who approves", () => {
  it("is the git identity when git knows it", () => {
    const git = { "user.name": "Ana Lima", "user.email": "ana@example.com" } as Record<string, string>;
    expect(approverIdentity({ gitConfig: (key) => git[key], env: { USER: "ana" } })).toBe(
      "Ana Lima <ana@example.com>",
    );
  });

  it("falls back to $USER, and refuses to guess when there is neither", () => {
    expect(approverIdentity({ gitConfig: () => undefined, env: { USER: "ci-runner" } })).toBe("ci-runner");
    expect(() => approverIdentity({ gitConfig: () => undefined, env: {} })).toThrow(
      /cannot tell who is approving/,
    );
  });
});

describe("waiting for approvals", () => {
  it("polls until the last approval arrives and tells the person once per change", async () => {
    const arriving = [
      [approval("release-captain", ana)],
      [approval("release-captain", ana)],
      [approval("release-captain", ana), approval("oncall-sre", ben)],
    ];
    let poll = 0;
    const told: string[][] = [];
    const clock = manualClock();
    const check = await waitForApprovals({
      load: () => arriving[Math.min(poll++, arriving.length - 1)]!,
      requirement: dual,
      plan,
      clock,
      intervalMs: 30_000,
      onWaiting: (state) => told.push(state.missing),
    });
    expect(check.satisfied).toBe(true);
    expect(clock.sleeps).toEqual([30_000, 30_000]);
    expect(told).toEqual([["an approval as oncall-sre"]]);
  });

  it("stops waiting when the run is interrupted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("SIGINT"));
    await expect(
      waitForApprovals({
        load: () => [],
        requirement: dual,
        plan,
        clock: manualClock(),
        signal: controller.signal,
      }),
    ).rejects.toThrow("SIGINT");
  });
});
