// Validation against the file schema: unknown keys, wrong types, missing keys and invalid names.
import { describe, expect, it } from "vitest";
import { sortDiagnostics } from "../../../src/playbook/diagnostics.js";
import { diagnose, lines } from "../../helpers/playbook.js";
import { doc, expectDiagnostics, step, type Expected } from "./cases.js";

describe("the file schema", () => {
  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "a wrong apiVersion",
      text: lines("apiVersion: relctl/v2", "name: x"),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:1:13",
          path: "apiVersion",
          message: 'must be "relctl/v1", got "relctl/v2"',
        },
      ],
    },
    {
      name: "a file without apiVersion",
      text: lines("name: x"),
      expected: [
        { code: "missing-key", at: "relctl.yaml:1:1", message: 'missing required key "apiVersion"' },
      ],
    },
    {
      name: "an empty file",
      text: "",
      expected: [
        { code: "missing-key", at: "relctl.yaml:1:1", message: 'missing required key "apiVersion"' },
      ],
    },
    {
      name: "a root playbook without name",
      text: lines("apiVersion: relctl/v1", "stages: {}"),
      expected: [
        {
          code: "missing-key",
          at: "relctl.yaml:1:1",
          message: 'missing required key "name" in the playbook you run',
          hint: "add name:",
        },
      ],
    },
    {
      name: "an unknown top-level key",
      text: doc("stagse: {}"),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:3:1",
          path: "stagse",
          message: 'unknown key "stagse"',
          hint: "did you mean stages?",
        },
      ],
    },
    {
      name: "an unknown stage key",
      text: doc("stages:", "  build:", "    step: []", "    steps: []"),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:5:5",
          path: "stages.build.step",
          message: 'unknown key "step"',
          hint: "did you mean steps?",
        },
      ],
    },
    {
      name: "an unknown step key",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: exec.run",
        "        wtih: {}",
      ),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:8:9",
          path: "stages.build.steps[0].wtih",
          message: 'unknown key "wtih"',
          hint: "did you mean with?",
        },
      ],
    },
    {
      name: "an unknown step key with a zero-width space in it, shown as an escape",
      text: doc("stages:", "  build:", "    steps:", ...step("a", "        tim\u200beout: 5m")),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:9:9",
          path: "stages.build.steps[0].tim\\u200beout",
          message: 'unknown key "tim\\u200beout"',
          hint: "did you mean timeout?",
        },
      ],
    },
    {
      name: "a stage name with a bidi control character in it, shown as an escape",
      text: doc("stages:", "  bu\u202eild:", "    steps: []"),
      expected: [
        {
          code: "invalid-key",
          at: "relctl.yaml:4:3",
          path: "stages.bu\\u202eild",
          message: 'invalid name "bu\\u202eild": stage names are',
        },
      ],
    },
    {
      name: "an unknown retry key",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        ...step("a", "        retry: { attempts: 2, backof: 1s }"),
      ),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:9:31",
          path: "stages.build.steps[0].retry.backof",
          message: 'unknown key "backof"',
          hint: "did you mean backoff?",
        },
      ],
    },
    {
      name: "an unknown key in a var definition",
      text: doc("vars:", "  version:", "    requried: true"),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:5:5",
          path: "vars.version.requried",
          message: 'unknown key "requried"',
          hint: "did you mean required?",
        },
      ],
    },
    {
      name: "an unknown key in a secret definition",
      text: doc("secrets:", "  token: { from: env://T, requierd: false }"),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:4:27",
          path: "secrets.token.requierd",
          message: 'unknown key "requierd"',
          hint: "did you mean required?",
        },
      ],
    },
    {
      name: "an unknown key that resembles no allowed key",
      text: doc("stages:", "  build:", "    color: red", "    steps: []"),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:5:5",
          message: 'unknown key "color"',
          hint: "allowed here: description, needs, on_failure, environment, concurrency, approvals, canary, steps",
        },
      ],
    },
    {
      name: "a list where a map belongs",
      text: doc("stages: []"),
      expected: [
        { code: "wrong-type", at: "relctl.yaml:3:9", path: "stages", message: "expected a map, got a list" },
      ],
    },
    {
      name: "text where a list belongs",
      text: doc("stages:", "  build:", "    needs: sign", "    steps: []"),
      expected: [
        {
          code: "wrong-type",
          at: "relctl.yaml:5:12",
          path: "stages.build.needs",
          message: 'expected a list, got the text "sign"',
        },
      ],
    },
    {
      name: "text where a boolean belongs, and a list where a duration belongs",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        ...step("a", "        continue_on_error: yes", "        timeout: [1]"),
      ),
      expected: [
        {
          code: "wrong-type",
          at: "relctl.yaml:9:28",
          path: "stages.build.steps[0].continue_on_error",
          message: 'expected a boolean, got the text "yes"',
        },
        {
          code: "wrong-type",
          at: "relctl.yaml:10:18",
          path: "stages.build.steps[0].timeout",
          message: "expected a string or a number, got a list",
        },
      ],
    },
    {
      name: "a duration that does not parse",
      text: doc("stages:", "  build:", "    steps:", ...step("a", "        timeout: 5x")),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:9:18",
          path: "stages.build.steps[0].timeout",
          message: "not a duration",
        },
      ],
    },
    {
      name: "a retry object without attempts",
      text: doc("stages:", "  build:", "    steps:", ...step("a", "        retry: { backoff: 1s }")),
      expected: [
        {
          code: "missing-key",
          at: "relctl.yaml:9:16",
          path: "stages.build.steps[0].retry",
          message: 'missing required key "attempts"',
          hint: "add attempts:",
        },
      ],
    },
    {
      name: "a step without uses and id",
      text: doc("stages:", "  build:", "    steps:", "      - name: Build"),
      expected: [
        {
          code: "missing-key",
          at: "relctl.yaml:6:9",
          path: "stages.build.steps[0]",
          message: 'missing required key "id"',
          hint: "add id:",
        },
        {
          code: "missing-key",
          at: "relctl.yaml:6:9",
          path: "stages.build.steps[0]",
          message: 'missing required key "uses"',
          hint: "add uses:",
        },
      ],
    },
    {
      name: "a stage without steps",
      text: doc("stages:", "  build:", "    description: Build it"),
      expected: [
        {
          code: "missing-key",
          at: "relctl.yaml:5:5",
          path: "stages.build",
          message: 'missing required key "steps"',
          hint: "add steps:",
        },
      ],
    },
    {
      name: "a step id with capitals",
      text: doc("stages:", "  build:", "    steps:", "      - id: Build_Image", "        uses: exec.run"),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:6:13",
          path: "stages.build.steps[0].id",
          message: "step ids are lower-case letters, digits, - and _",
        },
      ],
    },
    {
      name: "uses without an action, and uses with capitals",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: exec",
        "      - id: b",
        "        uses: Exec.run",
      ),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:7:15",
          path: "stages.build.steps[0].uses",
          message: "uses is <executor>.<action>, like exec.run",
        },
        {
          code: "invalid-value",
          at: "relctl.yaml:9:15",
          path: "stages.build.steps[1].uses",
          message: "uses is <executor>.<action>",
        },
      ],
    },
    {
      name: "a stage name with capitals",
      text: doc("stages:", "  Build:", "    steps: []"),
      expected: [
        {
          code: "invalid-key",
          at: "relctl.yaml:4:3",
          path: "stages.Build",
          message: 'invalid name "Build": stage names are lower-case letters, digits, - and _',
        },
      ],
    },
    {
      name: "a var name with a space and a secret that is not a reference",
      text: doc("vars:", "  my var: 1", "secrets:", "  token: vault://kv/token"),
      expected: [
        {
          code: "invalid-key",
          at: "relctl.yaml:4:3",
          path: "vars.my var",
          message: 'invalid name "my var": var names are letters, digits, - and _',
        },
        {
          code: "invalid-value",
          at: "relctl.yaml:6:10",
          path: "secrets.token",
          message: "a secret reference is env://NAME or file://path",
        },
      ],
    },
  ])("reports $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });

  it("reports every schema problem of a file at once", async () => {
    const text = doc(
      "descripton: x", // 3
      "stages:", // 4
      "  build:", // 5
      "    needs: sign", // 6
      "    steps:", // 7
      "      - id: A", // 8
      "        uses: exec", // 9
      "        retry: 0", // 10
    );
    const diagnostics = await diagnose(text);
    expect(
      sortDiagnostics(diagnostics).map((d) => `${d.location.line}:${d.location.column} ${d.code}`),
    ).toEqual([
      "3:1 unknown-key",
      "6:12 wrong-type",
      "8:13 invalid-value",
      "9:15 invalid-value",
      "10:16 invalid-value",
    ]);
  });
});
