// Reporting diagnostics: every problem at once, formatting and sorting.
import { describe, expect, it } from "vitest";
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from "../../../src/playbook/diagnostics.js";
import { diagnose } from "../../helpers/playbook.js";
import { doc, step } from "./cases.js";

describe("reporting", () => {
  it("reports every problem of a playbook at once, from every rule", async () => {
    const text = doc(
      "vars:", // 3
      "  a: '${{ vars.b }}'", // 4
      "  b: '${{ vars.a }}'", // 5
      "stages:", // 6
      "  build:", // 7
      "    needs: [sing]", // 8
      "    steps:", // 9
      "      - id: one", // 10
      "        uses: exec.run", // 11
      "        with: { argv: oops }", // 12
      "      - id: one", // 13
      "        uses: exce.run", // 14
      "      - id: three", // 15
      "        uses: exec.run", // 16
      "        needs: [tow]", // 17
      "        with: { argv: ['${{ vars.c }}', '${{ steps.four.outputs.stdout }}'] }", // 18
      "      - id: four", // 19
      "        uses: wait.sleep", // 20
      "        with: { duration: 1s }", // 21
      "        outputs: [x]", // 22
      "        if: '${{ nope() }}'", // 23
    );
    const found = sortDiagnostics(await diagnose(text)).map(
      (d) => `${d.location.line}:${d.location.column} ${d.code}`,
    );
    expect(found).toEqual([
      "4:6 var-cycle",
      "8:13 unknown-stage",
      "12:23 wrong-type",
      "13:13 duplicate-step-id",
      "14:15 unknown-executor",
      "17:17 unknown-need",
      "18:29 bad-reference",
      "18:46 bad-reference",
      "22:18 outputs-not-accepted",
      "23:18 expression-syntax",
    ]);
  });

  it("formats a diagnostic as file:line:column (path) [step id]: message and hint", async () => {
    const text = doc("stages:", "  build:", "    steps:", ...step("test", "        needs: [bild]"));
    const [diagnostic] = await diagnose(text);
    expect(formatDiagnostic(diagnostic!)).toBe(
      'relctl.yaml:9:17 (stages.build.steps[0].needs[0]) [step test]: needs "bild", which is not a step of stage build\n' +
        "    hint: steps of build: test",
    );
  });

  it("formats a diagnostic without path, step and hint as file:line:column: message", () => {
    expect(
      formatDiagnostic({ code: "x", message: "broken", location: { file: "a.yaml", line: 3, column: 7 } }),
    ).toBe("a.yaml:3:7: broken");
  });

  it("sorts diagnostics by file, line and column", () => {
    const at = (file: string, line: number, column: number): Diagnostic => ({
      code: "x",
      message: `${file}:${line}:${column}`,
      location: { file, line, column },
    });
    const sorted = sortDiagnostics([
      at("b.yaml", 1, 1),
      at("a.yaml", 2, 1),
      at("a.yaml", 1, 9),
      at("a.yaml", 1, 2),
    ]);
    expect(sorted.map((d) => d.message)).toEqual(["a.yaml:1:2", "a.yaml:1:9", "a.yaml:2:1", "b.yaml:1:1"]);
  });
});
