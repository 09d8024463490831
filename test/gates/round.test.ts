import { describe, expect, it } from "vitest";
import { combineRound } from "../../src/gates/round.js";
import { measured, T } from "./builders.js";

describe("combining the measurements of one evaluation", () => {
  it("passes when every metric passes", () => {
    expect(combineRound(T, [measured("passed"), measured("passed", { name: "p95" })])).toMatchObject({
      verdict: "passed",
      reason: "every metric passes",
    });
  });

  it.each([
    [["passed", "inconclusive", "error"], "error"],
    [["error", "failed", "inconclusive"], "failed"],
    [["passed", "inconclusive"], "inconclusive"],
  ] as const)("takes the worst verdict of %j: %s", (verdicts, expected) => {
    const round = combineRound(
      T,
      verdicts.map((verdict, index) => measured(verdict, { name: `m${index}` })),
    );
    expect(round.verdict).toBe(expected);
  });

  it("names the deciding metric and its reason", () => {
    const round = combineRound(T, [
      measured("passed"),
      measured("failed", { name: "p95", reason: "1.2s > 500ms" }),
    ]);
    expect(round.reason).toBe("p95: 1.2s > 500ms");
  });

  it("lets an unmet precondition decide alone, so a ratio from two requests does not count as a failure", () => {
    const round = combineRound(T, [
      measured("failed", { reason: "50% > 1%" }),
      measured("inconclusive", {
        name: "min_traffic",
        role: "min_traffic",
        reason: "traffic 0.03 < min_traffic 1",
      }),
    ]);
    expect(round).toMatchObject({
      verdict: "inconclusive",
      reason: "min_traffic: traffic 0.03 < min_traffic 1",
    });
  });

  it("does not count an abort criterion out of its bounds as a failed evaluation (its own `for` decides)", () => {
    const round = combineRound(T, [
      measured("passed"),
      measured("failed", { name: "critical", role: "abort" }),
    ]);
    expect(round.verdict).toBe("passed");
  });

  it("counts an abort criterion that cannot be measured as an error", () => {
    const round = combineRound(T, [
      measured("passed"),
      measured("error", { name: "critical", role: "abort", reason: "query error: x" }),
    ]);
    expect(round).toMatchObject({ verdict: "error", reason: "critical: query error: x" });
  });

  it("marks an evaluation decided by a retry policy as not counted", () => {
    expect(combineRound(T, [measured("inconclusive", { counted: false })])).toMatchObject({
      verdict: "inconclusive",
      counted: false,
    });
  });
});
