// Structure rules: unique step ids, needs of steps and stages, cycles and on_failure stages.
import { describe, it } from "vitest";
import { diagnose } from "../../helpers/playbook.js";
import { doc, expectDiagnostics, step, type Expected } from "./cases.js";

describe("structure rules", () => {
  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "a step id used twice in one stage, at the second",
      text: doc("stages:", "  build:", "    steps:", ...step("a"), ...step("a")),
      expected: [
        {
          code: "duplicate-step-id",
          at: "relctl.yaml:9:13",
          path: "stages.build.steps[1].id",
          message: 'step id "a" is already used in stage build',
          hint: "step ids are unique in the whole playbook",
          stepId: "a",
        },
      ],
    },
    {
      name: "a step id used in two stages, at the second",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        ...step("image"),
        "  sign:",
        "    steps:",
        ...step("image"),
      ),
      expected: [
        {
          code: "duplicate-step-id",
          at: "relctl.yaml:11:13",
          path: "stages.sign.steps[0].id",
          message: 'step id "image" is already used in stage build',
          stepId: "image",
        },
      ],
    },
    {
      name: "a step that needs an unknown step, with a suggestion",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        ...step("compile"),
        ...step("test", "        needs: [compiel]"),
      ),
      expected: [
        {
          code: "unknown-need",
          at: "relctl.yaml:12:17",
          path: "stages.build.steps[1].needs[0]",
          message: 'needs "compiel", which is not a step of stage build',
          hint: "did you mean compile?",
          stepId: "test",
        },
      ],
    },
    {
      name: "a step that needs a step of another stage",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        ...step("image"),
        "  sign:",
        "    steps:",
        ...step("sign", "        needs: [image]"),
      ),
      expected: [
        {
          code: "unknown-need",
          at: "relctl.yaml:14:17",
          message: 'needs "image", which is not a step of stage sign',
          hint: "steps of sign: sign",
          stepId: "sign",
        },
      ],
    },
    {
      name: "a one-letter need without suggesting another one-letter step",
      text: doc("stages:", "  build:", "    steps:", ...step("b"), ...step("c", "        needs: [a]")),
      expected: [
        { code: "unknown-need", at: "relctl.yaml:12:17", message: 'needs "a"', hint: "steps of build: b, c" },
      ],
    },
    {
      name: "a step that needs itself",
      text: doc("stages:", "  build:", "    steps:", ...step("a", "        needs: [a]")),
      expected: [
        { code: "unknown-need", at: "relctl.yaml:9:17", message: "step a needs itself", stepId: "a" },
      ],
    },
    {
      name: "steps that need each other in a cycle",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        ...step("a", "        needs: [c]"),
        ...step("b", "        needs: [a]"),
        ...step("c", "        needs: [b]"),
      ),
      expected: [
        {
          code: "needs-cycle",
          at: "relctl.yaml:9:16",
          path: "stages.build.steps[0].needs",
          message: "steps of stage build wait for each other in a cycle: a → c → b → a",
          hint: "remove one of the needs",
          stepId: "a",
        },
      ],
    },
    {
      name: "a stage that needs an unknown stage, with a suggestion",
      text: doc("stages:", "  freeze:", "    steps: []", "  build:", "    needs: [freez]", "    steps: []"),
      expected: [
        {
          code: "unknown-stage",
          at: "relctl.yaml:7:13",
          path: "stages.build.needs[0]",
          message: 'needs "freez", which is not a stage of this playbook',
          hint: "did you mean freeze?",
        },
      ],
    },
    {
      name: "a stage that needs itself",
      text: doc("stages:", "  build:", "    needs: [build]", "    steps: []"),
      expected: [{ code: "unknown-stage", at: "relctl.yaml:5:13", message: "stage build needs itself" }],
    },
    {
      name: "stages that need each other in a cycle",
      text: doc(
        "stages:",
        "  build:",
        "    needs: [sign]",
        "    steps: []",
        "  sign:",
        "    needs: [build]",
        "    steps: []",
      ),
      expected: [
        {
          code: "needs-cycle",
          at: "relctl.yaml:5:12",
          path: "stages.build.needs",
          message: "stages need each other in a cycle: build → sign → build",
          hint: "a stage can only need stages that come before it",
        },
      ],
    },
    {
      name: "an on_failure that names an unknown stage, with a suggestion",
      text: doc(
        "stages:",
        "  build:",
        "    on_failure: rollbak",
        "    steps: []",
        "  rollback:",
        "    steps: []",
      ),
      expected: [
        {
          code: "unknown-stage",
          at: "relctl.yaml:5:17",
          path: "stages.build.on_failure",
          message: 'on_failure names "rollbak", which is not a stage of this playbook',
          hint: "did you mean rollback?",
        },
      ],
    },
    {
      name: "an on_failure with no close match, listing the stages",
      text: doc("stages:", "  build:", "    on_failure: undo", "    steps: []"),
      expected: [
        {
          code: "unknown-stage",
          at: "relctl.yaml:5:17",
          message: 'on_failure names "undo"',
          hint: "stages: build",
        },
      ],
    },
    {
      name: "a stage that is its own on_failure stage",
      text: doc("stages:", "  rollback:", "    on_failure: rollback", "    steps: []"),
      expected: [
        {
          code: "on-failure-self",
          at: "relctl.yaml:5:17",
          path: "stages.rollback.on_failure",
          message: "stage rollback cannot be its own on_failure stage",
          hint: "point on_failure at a rollback stage",
        },
      ],
    },
  ])("reports $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });
});
