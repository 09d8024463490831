// on_failure chains: a failed on_failure stage must never lead back to the stage it recovers, nor
// hand over to a stage of the release itself; a stage that only alerts after a failed rollback is fine.
import { describe, expect, it } from "vitest";
import { diagnose } from "../../helpers/playbook.js";
import { doc, expectDiagnostics, type Expected } from "./cases.js";

describe("on_failure chains", () => {
  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "two stages that are each other's on_failure, at the link that closes the cycle",
      text: doc(
        "stages:", // 3
        "  build:", // 4
        "    on_failure: rollback", // 5
        "    steps: []", // 6
        "  rollback:", // 7
        "    on_failure: build", // 8
        "    steps: []", // 9
      ),
      expected: [
        {
          code: "on-failure-cycle",
          at: "relctl.yaml:8:17",
          path: "stages.rollback.on_failure",
          message:
            "on_failure stages lead back in a cycle: build → rollback → build; a failed rollback would run build again",
          hint: "remove on_failure from rollback",
        },
      ],
    },
    {
      name: "a longer cycle through three stages",
      text: doc(
        "stages:", // 3
        "  deploy:", // 4
        "    on_failure: rollback", // 5
        "    steps: []", // 6
        "  rollback:", // 7
        "    on_failure: page", // 8
        "    steps: []", // 9
        "  page:", // 10
        "    on_failure: deploy", // 11
        "    steps: []", // 12
      ),
      expected: [
        {
          code: "on-failure-cycle",
          at: "relctl.yaml:11:17",
          path: "stages.page.on_failure",
          message: "deploy → rollback → page → deploy",
          hint: "remove on_failure from page",
        },
      ],
    },
    {
      name: "a stage that is its own on_failure, once (not again as a cycle)",
      text: doc("stages:", "  rollback:", "    on_failure: rollback", "    steps: []"),
      expected: [{ code: "on-failure-self", at: "relctl.yaml:5:17", message: "its own on_failure stage" }],
    },
    {
      name: "an on_failure stage whose own on_failure is a stage the release needs",
      text: doc(
        "stages:", // 3
        "  build:", // 4
        "    steps: []", // 5
        "  deploy:", // 6
        "    needs: [build]", // 7
        "    on_failure: rollback", // 8
        "    steps: []", // 9
        "  rollback:", // 10
        "    on_failure: build", // 11
        "    steps: []", // 12
      ),
      expected: [
        {
          code: "on-failure-forward",
          at: "relctl.yaml:11:17",
          path: "stages.rollback.on_failure",
          message:
            "stage rollback is the on_failure stage of deploy, so its own on_failure must not be build, a stage of the release (other stages need it): a failed rollback would run build",
          hint: "point on_failure of rollback at a stage that only alerts or cleans up",
        },
      ],
    },
    {
      name: "an on_failure stage handing over to a stage that has an on_failure of its own",
      text: doc(
        "stages:", // 3
        "  canary:", // 4
        "    on_failure: rollback", // 5
        "    steps: []", // 6
        "  rollback:", // 7
        "    on_failure: promote", // 8
        "    steps: []", // 9
        "  promote:", // 10
        "    on_failure: page", // 11
        "    steps: []", // 12
        "  page:", // 13
        "    steps: []", // 14
      ),
      expected: [
        {
          code: "on-failure-forward",
          at: "relctl.yaml:8:17",
          message:
            "its own on_failure must not be promote, a stage of the release (it has its own on_failure, page)",
        },
      ],
    },
  ])("reports $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });

  it("accepts a rollback whose own on_failure only alerts", async () => {
    const text = doc(
      "stages:",
      "  build:",
      "    steps: []",
      "  deploy:",
      "    needs: [build]",
      "    on_failure: rollback",
      "    steps: []",
      "  rollback:",
      "    on_failure: page-oncall",
      "    steps: []",
      "  page-oncall:",
      "    steps: []",
    );
    expect(await diagnose(text)).toEqual([]);
  });
});
