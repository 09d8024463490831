// Expression rules on what an expression may read: earlier steps and needed stages, release values
// through chains, and var defaults.
import { describe, expect, it } from "vitest";
import { diagnose } from "../../helpers/playbook.js";
import { doc, echo, expectDiagnostics, scopedDoc, step } from "./cases.js";

describe("expression rules", () => {
  it.each([
    {
      name: "a step reading an earlier step it runs after",
      body: [...step("a"), ...echo("b", "${{ steps.a.outputs.stdout }} ${{ steps.a.status }}")],
    },
    {
      name: "a step reading a step it waits for through another",
      body: [
        ...step("a", "        needs: []"),
        ...step("b", "        needs: [a]"),
        ...echo("c", "${{ steps.a.outputs.exit_code }}", "        needs: [b]"),
      ],
    },
    {
      name: "a step reading a stage its stage needs through another",
      body: [
        ...step("a"),
        "  sign:",
        "    needs: [build]",
        "    steps:",
        ...step("s"),
        "  stage:",
        "    needs: [sign]",
        "    steps:",
        ...echo("t", "${{ steps.a.outputs.stdout }}"),
      ],
    },
    {
      name: "an on_failure stage reading the steps of the stage that failed",
      body: [
        ...step("a"),
        "  promote:",
        "    needs: [build]",
        "    on_failure: rollback",
        "    steps:",
        ...step("p"),
        "  rollback:",
        "    steps:",
        ...echo("r", "${{ steps.p.status }} ${{ steps.p.outputs.stdout }} ${{ steps.a.outputs.stdout }}"),
      ],
    },
    {
      name: "env, which is never checked, and a release value",
      body: [...echo("a", "${{ env.ANYTHING }} ${{ release.version }} ${{ secrets.token }}")],
    },
    {
      name: "an output read with brackets",
      body: [...step("a"), ...echo("b", '${{ steps.a.outputs["stdout"] }}')],
    },
  ])("accepts $name", async ({ body }) => {
    expect(await diagnose(scopedDoc(...body))).toEqual([]);
  });

  describe("release values", () => {
    const withRelease = (release: string[], ...body: string[]): string =>
      doc("release:", ...release, "stages:", "  build:", "    steps:", ...body);

    it("lets a step read a release value that reads an earlier step, through a chain", async () => {
      const text = withRelease(
        ["  digest: '${{ steps.image.outputs.stdout }}'", "  ref: 'img@${{ release.digest }}'"],
        ...step("image"),
        ...echo("push", "${{ release.ref }}"),
      );
      expect(await diagnose(text)).toEqual([]);
    });

    it("refuses a step reading a release value that reads a later step, through a chain", async () => {
      const text = withRelease(
        [
          "  digest: '${{ steps.image.outputs.stdout }}'", // 4
          "  ref: 'img@${{ release.digest }}'", // 5
          "  tag: '${{ release.ref }}'", // 6
        ],
        ...echo("scan", "${{ release.tag }}"), // 10–12
        ...step("image"),
      );
      expectDiagnostics(await diagnose(text), [
        {
          code: "bad-reference",
          at: "relctl.yaml:12:35",
          path: "stages.build.steps[0].with.argv[1]",
          message: "release.tag reads steps.image: step image runs after scan",
          hint: "move image before scan",
          stepId: "scan",
        },
      ]);
    });

    it("refuses a release.version that waits for a step or a secret: the run's identity is bound before it starts", async () => {
      const text = withRelease(
        [
          "  version: '${{ steps.next.outputs.stdout }}'", // 4
          "  tag: 'v${{ release.version }}'", // 5
        ],
        ...step("next"), // 9–11
        ...echo("x", "${{ release.tag }}"),
      );
      expectDiagnostics(await diagnose(text), [
        {
          code: "release-identity-from-step",
          at: "relctl.yaml:4:17",
          path: "release.version",
          message:
            "release.version reads steps.next.outputs.stdout, which is not known before the run starts",
          hint: "derive it from vars",
        },
      ]);
      const throughAnother = withRelease(
        [
          "  candidate: '${{ secrets.token }}-${{ steps.next.outputs.stdout }}'",
          "  version: '${{ release.candidate }}'",
        ],
        ...step("next"),
      );
      expect((await diagnose(throughAnother)).map((d) => [d.code, d.location.line, d.message])).toEqual([
        ["bad-reference", 4, expect.stringContaining('unknown secret "token"')],
        [
          "release-identity-from-step",
          5,
          "release.version reads step next through other release values; it must be known before the run starts",
        ],
      ]);
    });

    it("lets other release values read steps: only the version is the run's identity", async () => {
      const text = withRelease(
        ["  version: '${{ vars.version }}'", "  candidate: '${{ steps.next.outputs.stdout }}'"],
        ...step("next"),
        ...echo("x", "${{ release.candidate }} ${{ release.version }}"),
      );
      expect(
        (await diagnose(text.replace("release:", "vars:\n  version: 1.0.0\nrelease:"))).map((d) => d.code),
      ).toEqual([]);
    });

    it("reports release values that read each other in a cycle, at the first of them", async () => {
      const text = withRelease(
        ["  a: '${{ release.b }}'", "  b: '${{ release.a }}'"],
        ...echo("x", "${{ release.a }}"),
      );
      expectDiagnostics(await diagnose(text), [
        {
          code: "release-cycle",
          at: "relctl.yaml:4:6",
          path: "release.a",
          message: "release values read each other in a cycle: release.a → release.b → release.a",
        },
      ]);
    });

    it("still checks the steps release values read when some of them form a cycle", async () => {
      const text = withRelease(
        [
          "  a: '${{ release.b }}'", // 4
          "  b: '${{ release.a }}'", // 5
          "  late: '${{ steps.later.outputs.stdout }}'", // 6
        ],
        ...echo("x", "${{ release.late }}"), // 10–12
        ...step("later"),
      );
      expect(
        (await diagnose(text)).map((d) => `${d.code} ${d.location.line}:${d.location.column}`).sort(),
      ).toEqual(["bad-reference 12:35", "release-cycle 4:6"]);
    });

    it("reports an unknown step, var and release key inside a release value", async () => {
      const text = withRelease(
        ["  a: '${{ steps.nope.outputs.x }}'", "  b: '${{ vars.nope }}'", "  c: '${{ release.nope }}'"],
        ...step("x"),
      );
      expectDiagnostics(await diagnose(text), [
        { code: "bad-reference", at: "relctl.yaml:4:11", path: "release.a", message: 'unknown step "nope"' },
        { code: "bad-reference", at: "relctl.yaml:5:11", path: "release.b", message: 'unknown var "nope"' },
        {
          code: "bad-reference",
          at: "relctl.yaml:6:11",
          path: "release.c",
          message: 'unknown release value "nope"',
        },
      ]);
    });
  });

  describe("var defaults", () => {
    it.each([
      { name: "a step output", expr: "steps.build.outputs.stdout" },
      { name: "a secret", expr: "secrets.token" },
      { name: "a release value", expr: "release.version" },
    ])("refuses a default that reads $name", async ({ expr }) => {
      const text = doc(
        "vars:",
        "  image:",
        `    default: 'x-\${{ ${expr} }}'`, // 5; the reference is at column 21
        "secrets: { token: env://T }",
        "release: { version: '1' }",
        "stages:",
        "  build:",
        "    steps:",
        ...step("build"),
      );
      expectDiagnostics(await diagnose(text), [
        {
          code: "bad-reference",
          at: "relctl.yaml:5:21",
          path: "vars.image.default",
          message: `var defaults can read only vars and env, not ${expr}`,
          hint: "use a release: value",
        },
      ]);
    });

    it("reports var defaults that read each other in a cycle", async () => {
      const text = doc(
        "vars:",
        "  a: '${{ vars.b }}'",
        "  b:",
        "    default: '${{ vars.a }}-${{ env.HOME }}'",
      );
      expectDiagnostics(await diagnose(text), [
        {
          code: "var-cycle",
          at: "relctl.yaml:4:6",
          path: "vars.a",
          message: "var defaults read each other in a cycle: a → b → a",
          hint: "give one of them a plain default",
        },
      ]);
    });

    it("reports an unknown var read by a default, with a suggestion", async () => {
      const text = doc("vars:", "  service: api", "  image: '${{ vars.servise }}'");
      expectDiagnostics(await diagnose(text), [
        {
          code: "bad-reference",
          at: "relctl.yaml:5:15",
          path: "vars.image",
          message: 'unknown var "servise"',
          hint: "did you mean vars.service?",
        },
      ]);
    });

    it("accepts defaults that read vars declared later and env", async () => {
      const text = doc("vars:", "  image: '${{ vars.registry }}/${{ env.USER }}'", "  registry: ghcr.io");
      expect(await diagnose(text)).toEqual([]);
    });
  });
});
