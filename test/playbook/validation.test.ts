// Unit tests of playbook validation: loadPlaybook on playbooks written to a temporary directory,
// asserting each diagnostic's code, file:line:column, YAML path, message, hint and step id.
// Line numbers in comments count from 1; HEADER is lines 1–2 (apiVersion, name).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from "../../src/playbook/diagnostics.js";
import { loadPlaybook } from "../../src/playbook/load.js";
import { MAX_PLAYBOOK_BYTES } from "../../src/playbook/source.js";
import { brief, diagnose, HEADER, lines, load, writePlaybook } from "../helpers/playbook.js";

interface Expected {
  code: string;
  /** file:line:column */
  at: string;
  path?: string;
  /** A fragment of the message. */
  message: string;
  /** A fragment of the hint. */
  hint?: string;
  stepId?: string;
}

/** Exactly these diagnostics (sorted by place), each matching its expectation. */
function expectDiagnostics(actual: Diagnostic[], expected: Expected[]): void {
  expect(sortDiagnostics(actual).map(brief)).toMatchObject(
    expected.map(({ message, hint, ...rest }) => ({
      ...rest,
      message: expect.stringContaining(message),
      ...(hint === undefined ? {} : { hint: expect.stringContaining(hint) }),
    })),
  );
}

/** A playbook: HEADER (lines 1–2), then `body` from line 3. */
const doc = (...body: string[]): string => lines(...HEADER, ...body);

/** An exec.run step that is valid on its own (3 lines; `id` value at column 13). */
const step = (id: string, ...extra: string[]): string[] => [
  `      - id: ${id}`,
  "        uses: exec.run",
  "        with: { argv: [echo] }",
  ...extra,
];

/**
 * An exec.run step that echoes `arg` (3 lines). The argument's text starts at column 31 of the
 * `with:` line, so a reference at offset n of `arg` is at column 31 + n.
 */
const echo = (id: string, arg: string, ...extra: string[]): string[] => [
  `      - id: ${id}`,
  "        uses: exec.run",
  `        with: { argv: [echo, '${arg}'] }`,
  ...extra,
];

describe("reading playbook files", () => {
  it.each([
    {
      name: "an unclosed flow sequence",
      text: doc("stages:", "  build:", "    steps: [", "  x: 1"),
      at: "relctl.yaml:6:3",
      message: "invalid YAML: Flow sequence",
    },
    {
      name: "a key written twice",
      text: lines("apiVersion: relctl/v1", "name: a", "name: b"),
      at: "relctl.yaml:3:1",
      message: "invalid YAML: Map keys must be unique",
    },
  ])("reports malformed YAML ($name) at the place of the problem", async ({ text, at, message }) => {
    expectDiagnostics(await diagnose(text), [
      { code: "yaml-syntax", at, message, hint: "check indentation, brackets and quotes" },
    ]);
  });

  it("refuses an alias bomb instead of expanding it", async () => {
    const text = lines(
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
    );
    expectDiagnostics(await diagnose(text), [
      {
        code: "yaml-alias-bomb",
        at: "relctl.yaml:1:1",
        message: "refusing a possible alias bomb",
        hint: "write the repeated values out",
      },
    ]);
  });

  it("accepts a few aliases, which are ordinary YAML", async () => {
    const text = doc("vars:", "  region: &region eu-west-1", "  backup: *region");
    expect(await diagnose(text)).toEqual([]);
  });

  it.each([
    {
      name: "a byte that is not UTF-8",
      bytes: Buffer.concat([Buffer.from("a: b"), Buffer.from([0xff, 0xfe])]),
      offset: 4,
    },
    {
      name: "a NUL byte",
      bytes: Buffer.from("apiVersion: relctl/v1\0\0"),
      offset: 21,
    },
    {
      name: "invalid UTF-8 before a NUL byte",
      bytes: Buffer.concat([Buffer.from("a: "), Buffer.from([0xc3, 0x28, 0x00])]),
      offset: 3,
    },
    {
      name: "invalid UTF-8 after a replacement character written in the file",
      bytes: Buffer.concat([Buffer.from("a: \uFFFD "), Buffer.from([0x80])]),
      offset: 7,
    },
  ])("refuses binary garbage ($name) naming the first bad byte", async ({ bytes, offset }) => {
    const { diagnostics } = await load({ "relctl.yaml": bytes });
    expectDiagnostics(diagnostics, [
      {
        code: "not-text",
        at: "relctl.yaml:1:1",
        message: `relctl.yaml is not a text file (binary data at byte ${offset})`,
        hint: "check that -p points at the playbook",
      },
    ]);
  });

  it("accepts UTF-8 text with multi-byte characters", async () => {
    expect(await diagnose(doc("description: Größe — 発行 🚀"))).toEqual([]);
  });

  it("refuses a file over 2 MiB before parsing it", async () => {
    const text = doc(`description: ${"x".repeat(MAX_PLAYBOOK_BYTES)}`);
    expectDiagnostics(await diagnose(text), [
      {
        code: "file-too-large",
        at: "relctl.yaml:1:1",
        message: "a playbook may be at most 2 MiB",
        hint: "split it with include:",
      },
    ]);
  });

  it("accepts a file of exactly 2 MiB", async () => {
    const head = doc("# padding:");
    const text = `${head}#${"x".repeat(MAX_PLAYBOOK_BYTES - head.length - 2)}\n`;
    expect(Buffer.byteLength(text)).toBe(MAX_PLAYBOOK_BYTES);
    expect(await diagnose(text)).toEqual([]);
  });

  it("reports a playbook file that cannot be read", async () => {
    const dir = writePlaybook({});
    const { diagnostics, playbook } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: dir });
    expect(playbook).toBeUndefined();
    expectDiagnostics(diagnostics, [
      { code: "file-unreadable", at: "relctl.yaml:1:1", message: "cannot read relctl.yaml: ENOENT" },
    ]);
  });

  it("shows files outside the working directory with their absolute path", async () => {
    const dir = writePlaybook({ "relctl.yaml": lines("apiVersion: relctl/v2", "name: x") });
    const elsewhere = writePlaybook({});
    const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: elsewhere });
    expect(diagnostics.map((d) => d.location.file)).toEqual([join(dir, "relctl.yaml")]);
  });
});

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
          hint: "allowed here: description, needs, on_failure, environment, approvals, canary, steps",
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
          message: "expected string or number, got a list",
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

describe("executor rules", () => {
  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "an unknown executor, with a suggestion",
      text: doc("stages:", "  build:", "    steps:", "      - id: a", "        uses: exce.run"),
      expected: [
        {
          code: "unknown-executor",
          at: "relctl.yaml:7:15",
          path: "stages.build.steps[0].uses",
          message: 'unknown executor "exce" in uses: exce.run',
          hint: "did you mean exec.run?",
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown executor without a close match, listing the executors",
      text: doc("stages:", "  build:", "    steps:", "      - id: a", "        uses: zzzz.run"),
      expected: [
        {
          code: "unknown-executor",
          at: "relctl.yaml:7:15",
          message: 'unknown executor "zzzz"',
          hint: "declare your own under executors:",
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown action, with a suggestion",
      text: doc("stages:", "  build:", "    steps:", "      - id: a", "        uses: wait.slep"),
      expected: [
        {
          code: "unknown-action",
          at: "relctl.yaml:7:15",
          message: 'executor wait has no action "slep"',
          hint: "did you mean wait.sleep?",
          stepId: "a",
        },
      ],
    },
    {
      name: "exec.run without argv",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: exec.run",
        "        with: {}",
      ),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:15",
          path: "stages.build.steps[0].with",
          message: "exec.run: give argv: [program, args…]",
          stepId: "a",
        },
      ],
    },
    {
      name: "exec.run with no with: at all",
      text: doc("stages:", "  build:", "    steps:", "      - id: a", "        uses: exec.run"),
      expected: [{ code: "invalid-value", at: "relctl.yaml:6:9", message: "give argv", stepId: "a" }],
    },
    {
      name: "exec.run with argv of the wrong type",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: exec.run",
        "        with: { argv: make }",
      ),
      expected: [
        {
          code: "wrong-type",
          at: "relctl.yaml:8:23",
          path: "stages.build.steps[0].with.argv",
          message: 'exec.run: expected a list, got the text "make"',
          stepId: "a",
        },
      ],
    },
    {
      name: "exec.run with an empty argv",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: exec.run",
        "        with: { argv: [] }",
      ),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:23",
          message: "argv needs at least the program",
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown key in with",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: exec.run",
        "        with: { argv: [make], workdir: src }",
      ),
      expected: [
        {
          code: "unknown-key",
          at: "relctl.yaml:8:31",
          path: "stages.build.steps[0].with.workdir",
          message: 'exec.run: unknown key "workdir"',
          stepId: "a",
        },
      ],
    },
    {
      name: "a command without shell: true",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: exec.run",
        "        with: { command: make all }",
      ),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:26",
          path: "stages.build.steps[0].with.command",
          message: "command runs through a shell only with shell: true",
          stepId: "a",
        },
      ],
    },
    {
      name: "wait.sleep with a duration that does not parse",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: wait.sleep",
        "        with: { duration: soon }",
      ),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:27",
          path: "stages.build.steps[0].with.duration",
          message: "wait.sleep: not a duration",
          stepId: "a",
        },
      ],
    },
    {
      name: "declared outputs on an action that does not accept them",
      text: doc(
        "stages:",
        "  build:",
        "    steps:",
        "      - id: a",
        "        uses: wait.sleep",
        "        with: { duration: 1s }",
        "        outputs: [digest]",
      ),
      expected: [
        {
          code: "outputs-not-accepted",
          at: "relctl.yaml:9:18",
          path: "stages.build.steps[0].outputs",
          message: "wait.sleep does not take declared outputs; its outputs are none",
          hint: "remove outputs:",
          stepId: "a",
        },
      ],
    },
  ])("reports $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });

  it.each([
    { name: "argv as a whole", with: "{ argv: '${{ vars.cmd }}' }", uses: "exec.run" },
    { name: "a duration", with: "{ duration: '${{ vars.hold }}' }", uses: "wait.sleep" },
    {
      name: "an ok_exit_codes item",
      with: "{ argv: [make], ok_exit_codes: ['${{ vars.code }}'] }",
      uses: "exec.run",
    },
    { name: "env as a whole", with: "{ argv: [make], env: '${{ vars.env }}' }", uses: "exec.run" },
    { name: "read_only", with: "{ argv: [make], read_only: '${{ vars.ro }}' }", uses: "exec.run" },
  ])("does not judge $name when it is an expression, known only at run time", async (input) => {
    const text = doc(
      "vars: { cmd: [make], hold: 1s, code: 0, env: {}, ro: true }",
      "stages:",
      "  build:",
      "    steps:",
      "      - id: a",
      `        uses: ${input.uses}`,
      `        with: ${input.with}`,
    );
    expect(await diagnose(text)).toEqual([]);
  });

  it("still reports a wrong value next to an expression", async () => {
    const text = doc(
      "vars: { cmd: make }",
      "stages:",
      "  build:",
      "    steps:",
      "      - id: a",
      "        uses: exec.run",
      "        with: { argv: ['${{ vars.cmd }}'], ok_exit_codes: zero }",
    );
    expectDiagnostics(await diagnose(text), [
      { code: "wrong-type", at: "relctl.yaml:9:59", message: "expected a list", stepId: "a" },
    ]);
  });

  it("records the action of every step whose uses resolved", async () => {
    const { actions } = await load({
      "relctl.yaml": doc(
        "stages:",
        "  build:",
        "    steps:",
        ...step("a"),
        "      - id: b",
        "        uses: wait.sleep",
        "        with: { duration: 1s }",
        "      - id: c",
        "        uses: nope.run",
      ),
    });
    expect([...actions.keys()]).toEqual(["a", "b"]);
    expect(Object.keys(actions.get("a")!.outputs)).toEqual(["stdout", "stderr", "exit_code"]);
  });
});

describe("user executors", () => {
  const ticketing = [
    "export default {",
    '  name: "ticketing",',
    '  description: "Tickets",',
    "  actions: {",
    "    open: {",
    '      description: "Open a ticket",',
    "      input: {",
    "        safeParse: (value) =>",
    '          typeof value.title === "string"',
    "            ? { success: true, data: value }",
    '            : { success: false, error: { issues: [{ code: "custom", path: ["title"], message: "give title: text" }] } },',
    "      },",
    '      outputs: { url: "the ticket URL" },',
    "      mutates: true,",
    '      plan: () => ({ summary: "open a ticket" }),',
    '      run: async () => ({ url: "https://tickets.example/1" }),',
    "    },",
    "  },",
    "};",
  ].join("\n");

  const playbook = (...steps: string[]) => ({
    "relctl.yaml": lines(
      "apiVersion: relctl/v1",
      "name: t",
      "include: [phases/common.yaml]",
      "stages:",
      "  build:",
      "    steps:",
      ...steps,
    ),
    "phases/common.yaml": lines("apiVersion: relctl/v1", "executors:", "  ticketing: ../tools/ticketing.mjs"),
    "tools/ticketing.mjs": ticketing,
  });

  it("loads a module relative to the file that declares it and checks with: against its schema", async () => {
    const { diagnostics, actions } = await load(
      playbook(
        "      - id: ok", // 7
        "        uses: ticketing.open", // 8
        "        with: { title: Release 1.4 }", // 9
        "      - id: bad", // 10
        "        uses: ticketing.open", // 11
        "        with: { body: x }", // 12
        ...echo("read", "${{ steps.ok.outputs.url }} ${{ steps.ok.outputs.id }}"), // 13–15
      ),
    );
    expect(actions.has("ok")).toBe(true);
    expectDiagnostics(diagnostics, [
      {
        code: "invalid-value",
        at: "relctl.yaml:12:15",
        message: "ticketing.open: give title: text",
        stepId: "bad",
      },
      {
        code: "bad-reference",
        at: "relctl.yaml:15:63",
        message: 'step ok (ticketing.open) has no output "id"',
        hint: "its outputs: url",
      },
    ]);
  });

  it("suggests a user executor and its actions for typos", async () => {
    const { diagnostics } = await load(
      playbook(
        "      - id: a",
        "        uses: tickting.open",
        "      - id: b",
        "        uses: ticketing.opne",
      ),
    );
    expectDiagnostics(diagnostics, [
      {
        code: "unknown-executor",
        at: "relctl.yaml:8:15",
        message: 'unknown executor "tickting"',
        hint: "did you mean ticketing.open?",
      },
      {
        code: "unknown-action",
        at: "relctl.yaml:10:15",
        message: 'executor ticketing has no action "opne"',
        hint: "did you mean ticketing.open?",
      },
    ]);
  });

  it("reports a module that does not export an executor at its declaration", async () => {
    const { diagnostics } = await load({
      ...playbook("      - id: a", "        uses: ticketing.open", "        with: {}"),
      "tools/ticketing.mjs": "export default 42;\n",
    });
    expectDiagnostics(diagnostics, [
      {
        code: "executor-broken",
        at: "phases/common.yaml:3:14",
        path: "executors.ticketing",
        message: "does not export an executor",
        hint: "the module's default export is { name, description, actions }",
      },
    ]);
  });
});

describe("expression rules", () => {
  const stages = (...body: string[]): string =>
    doc(
      "vars:", // 3
      "  service: api", // 4
      "  ab: 1", // 5
      "secrets:", // 6
      "  token: env://TOKEN", // 7
      "release:", // 8
      "  version: '${{ vars.service }}'", // 9
      "stages:", // 10
      "  build:", // 11
      "    steps:", // 12
      ...body, // 13…
    );

  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "an unclosed ${{ at the ${{",
      text: stages(...echo("a", "v${{ vars.service")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:32",
          path: "stages.build.steps[0].with.argv[1]",
          message: 'expression: "${{" is not closed with "}}"',
          hint: "expressions look like ${{ vars.name }}",
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown function at its name",
      text: stages(...echo("a", "${{ upcase(vars.service) }}")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:35",
          message: "expression: unknown function upcase()",
          stepId: "a",
        },
      ],
    },
    {
      name: "a character the language does not have, at the character",
      text: stages(...echo("a", "${{ vars.ab + 1 }}")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:15:43",
          message: 'expression: unexpected character "+"',
          stepId: "a",
        },
      ],
    },
    {
      name: "a syntax error in a condition written without ${{ }}, at its own column",
      text: stages(...step("a", "        if: vars.ab == 1 &&")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:16:28",
          path: "stages.build.steps[0].if",
          message: "expected a value but found the end of the expression",
          stepId: "a",
        },
      ],
    },
    {
      name: "a syntax error in a step name",
      text: stages(...step("a", "        name: 'Build ${{ vars. }}'")),
      expected: [
        {
          code: "expression-syntax",
          at: "relctl.yaml:16:32",
          path: "stages.build.steps[0].name",
          message: 'expected a property name after "."',
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown var, with a suggestion",
      text: stages(...echo("a", "${{ vars.servce }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          path: "stages.build.steps[0].with.argv[1]",
          message: 'unknown var "servce" in vars.servce',
          hint: "did you mean vars.service?",
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown var after a known one that starts the same, at the unknown one",
      text: stages(...echo("a", "${{ vars.ab }}-${{ vars.a }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:50",
          message: 'unknown var "a"',
          hint: "did you mean vars.ab?",
        },
      ],
    },
    {
      name: "an unknown var in a condition without ${{ }}, at its own column",
      text: stages(...step("a", "        if: vars.ab == 1 && vars.a")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:16:29",
          path: "stages.build.steps[0].if",
          message: 'unknown var "a"',
          stepId: "a",
        },
      ],
    },
    {
      name: "an unknown var in a quoted condition with spaces before ${{",
      text: stages(...step("a", '        if: "  ${{ vars.nope }}"')),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:16:20", message: 'unknown var "nope"', stepId: "a" },
      ],
    },
    {
      name: "an unknown var read with brackets in a double-quoted string",
      text: stages(
        "      - id: a",
        "        uses: exec.run",
        `        with: { argv: [echo, "\${{ vars['nope'] }}"] }`,
      ),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:15:35", message: 'unknown var "nope" in vars.nope' },
      ],
    },
    {
      name: "a syntax error in a release value, without a step",
      text: doc("release:", "  tag: 'v${{ vars.version ]}}'", "stages: {}"),
      expected: [
        { code: "expression-syntax", at: "relctl.yaml:4:27", path: "release.tag", message: 'unexpected "]"' },
      ],
    },
    {
      name: "an unknown var in a condition with ${{ }}",
      text: stages(...step("a", "        if: ${{ vars.nope }}")),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:16:17", message: 'unknown var "nope"', stepId: "a" },
      ],
    },
    {
      name: "an unknown var without a close match",
      text: stages(...echo("a", "${{ vars.zzzzzz }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: 'unknown var "zzzzzz"',
          hint: "declare it under vars:",
        },
      ],
    },
    {
      name: "an unknown secret, with a suggestion",
      text: stages(...echo("a", "${{ secrets.tokn }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: 'unknown secret "tokn"',
          hint: "did you mean secrets.token?",
        },
      ],
    },
    {
      name: "an unknown release key, with a suggestion",
      text: stages(...echo("a", "${{ release.versoin }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: 'unknown release value "versoin"',
          hint: "did you mean release.version?",
        },
      ],
    },
    {
      name: "an unknown step, with a suggestion",
      text: stages(...step("image"), ...echo("push", "${{ steps.imag.outputs.stdout }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'unknown step "imag" in steps.imag.outputs.stdout',
          hint: "did you mean steps.image?",
          stepId: "push",
        },
      ],
    },
    {
      name: "an unknown output of a step with declared outputs, with a suggestion",
      text: stages(
        ...step("image", "        outputs: [digest]"),
        ...echo("push", "${{ steps.image.outputs.digets }}"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:19:35",
          message: 'step image (exec.run) has no output "digets"',
          hint: "did you mean steps.image.outputs.digest?",
          stepId: "push",
        },
      ],
    },
    {
      name: "an output an exec step does not declare, telling how to declare it",
      text: stages(...step("image"), ...echo("push", "${{ steps.image.outputs.digest }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'step image (exec.run) has no output "digest"',
          hint: "declare it on step image: outputs: [digest]",
        },
      ],
    },
    {
      name: "an output of an action that has none",
      text: stages(
        "      - id: hold",
        "        uses: wait.sleep",
        "        with: { duration: 1s }",
        ...echo("b", "${{ steps.hold.outputs.done }}"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'has no output "done"',
          hint: "its outputs: none",
        },
      ],
    },
    {
      name: "a step property other than outputs and status",
      text: stages(...step("a"), ...echo("b", "${{ steps.a.result }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:18:35",
          message: 'steps.a.result: a step has outputs and status, not "result"',
          hint: "write steps.a.outputs.<name>",
        },
      ],
    },
    {
      name: "a step reading a later step",
      text: stages(...echo("a", "${{ steps.b.outputs.stdout }}"), ...step("b")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:15:35",
          message: "steps.b.outputs.stdout: step b runs after a",
          hint: "move b before a",
          stepId: "a",
        },
      ],
    },
    {
      name: "a step reading its own outputs",
      text: stages(...echo("a", "${{ steps.a.outputs.stdout }}")),
      expected: [
        { code: "bad-reference", at: "relctl.yaml:15:35", message: "step a cannot read its own outputs" },
      ],
    },
    {
      name: "a step reading a parallel sibling it does not need",
      text: stages(
        ...step("a"),
        ...step("b", "        needs: []"),
        ...echo("c", "${{ steps.b.outputs.stdout }}", "        needs: [a]"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:22:35",
          message: "step b may still be running when c starts",
          hint: "add b to the needs of c",
          stepId: "c",
        },
      ],
    },
    {
      name: "a step reading a step of a stage its stage does not need",
      text: stages(...step("a"), "  sign:", "    steps:", ...echo("s", "${{ steps.a.outputs.stdout }}")),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:20:35",
          message: "step a is in stage build, which stage sign does not need",
          hint: "add needs: [build] to stage sign",
          stepId: "s",
        },
      ],
    },
    {
      name: "a step of a stage reading a stage that only its own on_failure stage follows",
      text: stages(
        ...step("a"),
        "  sign:",
        "    on_failure: rollback",
        "    steps:",
        ...step("s"),
        "  rollback:",
        "    steps:",
        ...echo("r", "${{ steps.a.status }}"),
      ),
      expected: [
        {
          code: "bad-reference",
          at: "relctl.yaml:26:35",
          message: "step a is in stage build, which stage rollback does not need",
        },
      ],
    },
  ])("reports $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });

  it("points into block scalars, escaped strings and multi-line conditions", async () => {
    const text = doc(
      "vars: { a: 1 }", // 3
      "stages:", // 4
      "  build:", // 5
      "    steps:", // 6
      "      - id: a", // 7
      "        uses: exec.run", // 8
      "        with:", // 9
      "          argv: [cat]", // 10
      "          stdin: |", // 11
      "            one ${{ vars.a }}", // 12
      "            two ${{ vars.zz }}", // 13
      "      - id: b", // 14
      "        uses: exec.run", // 15
      '        with: { argv: ["\\t${{ vars.a }}\\t${{ vars.qq }}"] }', // 16
      "        if: |-", // 17
      "          vars.a == 1 &&", // 18
      "            vars.yy", // 19
    );
    expectDiagnostics(await diagnose(text), [
      {
        code: "bad-reference",
        at: "relctl.yaml:13:21",
        path: "stages.build.steps[0].with.stdin",
        message: '"zz"',
      },
      {
        code: "bad-reference",
        at: "relctl.yaml:16:46",
        path: "stages.build.steps[1].with.argv[0]",
        message: '"qq"',
      },
      { code: "bad-reference", at: "relctl.yaml:19:13", path: "stages.build.steps[1].if", message: '"yy"' },
    ]);
  });

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
    expect(await diagnose(stages(...body))).toEqual([]);
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

describe("includes", () => {
  const header = "apiVersion: relctl/v1";

  it("loads a valid playbook with includes without diagnostics", async () => {
    const { diagnostics, playbook } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [phases/build.yaml, phases/sign.yaml]"),
      "phases/build.yaml": lines(
        header,
        "include: [common.yaml]",
        "stages:",
        "  build:",
        "    steps:",
        ...step("image"),
      ),
      "phases/sign.yaml": lines(
        header,
        "include: [common.yaml]",
        "stages:",
        "  sign:",
        "    needs: [build]",
        "    steps:",
        ...echo("sign", "${{ vars.registry }}/${{ steps.image.outputs.stdout }}"),
      ),
      "phases/common.yaml": lines(header, "vars:", "  registry: ghcr.io"),
    });
    expect(diagnostics).toEqual([]);
    expect(playbook!.stages.map((stage) => stage.name)).toEqual(["build", "sign"]);
    expect([...playbook!.vars.keys()]).toEqual(["registry"]);
  });

  it("reads a file included twice once", async () => {
    const { diagnostics, playbook, dir } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [a.yaml, b.yaml]"),
      "a.yaml": lines(header, "include: [common.yaml]"),
      "b.yaml": lines(header, "include: [common.yaml]"),
      "common.yaml": lines(header, "vars: { region: eu }", "stages:", "  shared:", "    steps: []"),
    });
    expect(diagnostics).toEqual([]);
    expect(playbook!.files).toEqual(
      ["relctl.yaml", "common.yaml", "a.yaml", "b.yaml"].map((f) => join(dir, f)),
    );
    expect(playbook!.stages.map((stage) => stage.name)).toEqual(["shared"]);
  });

  it("reports an include cycle at the include entry that closes it", async () => {
    const { diagnostics } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [a.yaml]"),
      "a.yaml": lines(header, "include: [b.yaml]"),
      "b.yaml": lines(header, "include:", "  - a.yaml"),
    });
    expectDiagnostics(diagnostics, [
      {
        code: "include-cycle",
        at: "b.yaml:3:5",
        path: "include[0]",
        message: "include cycle: a.yaml → b.yaml → a.yaml",
      },
    ]);
  });

  it("reports a file that includes the playbook being run", async () => {
    const { diagnostics } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [sub/a.yaml]"),
      "sub/a.yaml": lines(header, "include: [../relctl.yaml]"),
    });
    expectDiagnostics(diagnostics, [
      {
        code: "include-cycle",
        at: "sub/a.yaml:2:11",
        message: "include cycle: relctl.yaml → sub/a.yaml → relctl.yaml",
      },
    ]);
  });

  it("reports a missing include relative to the including file", async () => {
    const { diagnostics } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [phases/build.yaml]"),
      "phases/build.yaml": lines(header, "include: [common.yaml, ../nope.yaml]"),
      "phases/common.yaml": lines(header),
    });
    expectDiagnostics(diagnostics, [
      {
        code: "include-missing",
        at: "phases/build.yaml:2:24",
        path: "include[1]",
        message: "included file nope.yaml does not exist",
        hint: "include paths are relative to the file that includes them",
      },
    ]);
  });

  it("reports an include that is a directory instead of failing", async () => {
    const dir = writePlaybook({
      "relctl.yaml": lines(header, "name: train", "include: [phases]"),
      "phases/build.yaml": lines(header),
    });
    const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: dir });
    expectDiagnostics(diagnostics, [
      { code: "file-unreadable", at: "phases:1:1", message: "cannot read phases: it is a directory" },
    ]);
  });

  it.each([
    {
      kind: "stage",
      key: "stages",
      a: "stages:\n  build:\n    steps: []",
      b: "stages:\n  build:\n    steps: []",
    },
    { kind: "var", key: "vars", a: "vars:\n  build: 1", b: "vars:\n  build: 2" },
    { kind: "secret", key: "secrets", a: "secrets:\n  build: env://A", b: "secrets:\n  build: env://B" },
    { kind: "release value", key: "release", a: "release:\n  build: a", b: "release:\n  build: b" },
    {
      kind: "executor",
      key: "executors",
      a: "executors:\n  build: ./a.mjs",
      b: "executors:\n  build: ./b.mjs",
    },
  ])("reports a $kind defined in two files at the second definition", async ({ kind, key, a, b }) => {
    const { diagnostics } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [a.yaml, b.yaml]"),
      "a.yaml": lines(header, a),
      "b.yaml": lines(header, b),
    });
    expectDiagnostics(
      diagnostics.filter((d) => d.code === "duplicate-definition"),
      [
        {
          code: "duplicate-definition",
          at: "b.yaml:3:3",
          path: `${key}.build`,
          message: `${kind} "build" is already defined in a.yaml`,
          hint: "rename one of them",
        },
      ],
    );
  });

  it("reports a var of the root playbook that an included file already defines", async () => {
    const { diagnostics } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [common.yaml]", "vars:", "  region: us"),
      "common.yaml": lines(header, "vars:", "  region: eu"),
    });
    expectDiagnostics(diagnostics, [
      {
        code: "duplicate-definition",
        at: "relctl.yaml:5:3",
        message: 'var "region" is already defined in common.yaml',
      },
    ]);
  });

  it("reports problems inside an included file with that file's name and lines", async () => {
    const { diagnostics } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [phases/build.yaml]"),
      "phases/build.yaml": lines(
        header,
        "stages:",
        "  build:",
        "    steps:",
        ...echo("a", "${{ vars.nope }}"),
      ),
    });
    expectDiagnostics(diagnostics, [
      {
        code: "bad-reference",
        at: "phases/build.yaml:7:35",
        path: "stages.build.steps[0].with.argv[1]",
        message: 'unknown var "nope"',
      },
    ]);
  });

  it("checks an included file against the schema, without requiring a name", async () => {
    const { diagnostics } = await load({
      "relctl.yaml": lines(header, "name: train", "include: [a.yaml]"),
      "a.yaml": lines("apiVersion: relctl/v2", "stagse: {}"),
    });
    expectDiagnostics(diagnostics, [
      { code: "invalid-value", at: "a.yaml:1:13", message: 'must be "relctl/v1"' },
      {
        code: "unknown-key",
        at: "a.yaml:2:1",
        message: 'unknown key "stagse"',
        hint: "did you mean stages?",
      },
    ]);
  });
});

describe("the normalised playbook", () => {
  const files = {
    "relctl.yaml": lines(
      "apiVersion: relctl/v1",
      "name: train",
      "description: Weekly train",
      "include: [phases/build.yaml]",
      "vars:",
      "  service: api",
      "  version:",
      "    required: true",
      "    description: Version to release",
      "secrets:",
      "  token: env://TOKEN",
      "  webhook: { from: env://HOOK, required: false }",
      "release:",
      "  tag: 'v${{ vars.version }}'",
      "stages:",
      "  promote:",
      "    needs: [build]",
      "    on_failure: rollback",
      "    environment: production",
      "    steps:",
      "      - id: first",
      "        uses: exec.run",
      "        with: { argv: [echo] }",
      "        retry: 3",
      "        timeout: 20m",
      "      - id: second",
      "        name: The second step",
      "        uses: exec.run",
      "        with: { argv: [echo] }",
      "        retry: { attempts: 5, backoff: 10s }",
      "        timeout: 90",
      "        if: true",
      "      - id: third",
      "        uses: exec.run",
      "        with: { argv: [echo] }",
      "        needs: []",
      "        retry: { attempts: 2, backoff: 500ms, factor: 3, max_backoff: 1h30m }",
      "        if: vars.service == 'api'",
      "        continue_on_error: true",
      "        outputs: [digest]",
      "      - id: fourth",
      "        uses: wait.sleep",
      "        with: { duration: 1s }",
      "        needs: [first, third]",
      "        if: false",
      "  rollback:",
      "    steps: []",
    ),
    "phases/build.yaml": lines(
      "apiVersion: relctl/v1",
      "executors:",
      "  ticketing: ../tools/ticketing.mjs",
      "stages:",
      "  build:",
      "    steps:",
      "      - id: image",
      "        uses: exec.run",
      "        with: { argv: [docker, build, .] }",
    ),
  };

  it("has no diagnostics", async () => {
    expect((await load(files)).diagnostics).toEqual([]);
  });

  it("orders stages with the included files' stages first", async () => {
    const { playbook } = await load(files);
    expect(playbook!.stages.map((stage) => stage.name)).toEqual(["build", "promote", "rollback"]);
    expect(playbook!.name).toBe("train");
    expect(playbook!.description).toBe("Weekly train");
  });

  it("keeps stage needs, on_failure and environment", async () => {
    const { playbook } = await load(files);
    const promote = playbook!.stages.find((stage) => stage.name === "promote")!;
    expect(promote).toMatchObject({ needs: ["build"], onFailure: "rollback", environment: "production" });
    expect(playbook!.stages[0]).toMatchObject({ name: "build", needs: [], onFailure: undefined });
  });

  it("makes a step without needs wait for the one before it, and needs: [] wait for none", async () => {
    const { playbook } = await load(files);
    const steps = playbook!.stages[1]!.steps;
    expect(steps.map((step) => [step.id, step.dependsOn, step.explicitNeeds])).toEqual([
      ["first", [], false],
      ["second", ["first"], false],
      ["third", [], true],
      ["fourth", ["first", "third"], true],
    ]);
  });

  it("turns retry shorthand and retry objects into a policy with defaults", async () => {
    const { playbook } = await load(files);
    const [first, second, third, fourth] = playbook!.stages[1]!.steps;
    expect(first!.retry).toEqual({ attempts: 3, backoffMs: 1_000, factor: 2, maxBackoffMs: 60_000 });
    expect(second!.retry).toEqual({ attempts: 5, backoffMs: 10_000, factor: 2, maxBackoffMs: 60_000 });
    expect(third!.retry).toEqual({ attempts: 2, backoffMs: 500, factor: 3, maxBackoffMs: 5_400_000 });
    expect(fourth!.retry).toEqual({ attempts: 1, backoffMs: 1_000, factor: 2, maxBackoffMs: 60_000 });
  });

  it("turns timeouts into milliseconds, a bare number being seconds", async () => {
    const { playbook } = await load(files);
    expect(playbook!.stages[1]!.steps.map((step) => step.timeoutMs)).toEqual([
      1_200_000,
      90_000,
      undefined,
      undefined,
    ]);
  });

  it("fills in names, conditions, outputs and the other step fields", async () => {
    const { playbook, dir } = await load(files);
    const [first, second, third, fourth] = playbook!.stages[1]!.steps;
    expect(first).toMatchObject({
      id: "first",
      name: "first",
      uses: "exec.run",
      executor: "exec",
      action: "run",
      with: { argv: ["echo"] },
      if: undefined,
      continueOnError: false,
      declaredOutputs: [],
      stage: "promote",
      index: 0,
      origin: { file: join(dir, "relctl.yaml"), path: ["stages", "promote", "steps", 0] },
    });
    expect(second).toMatchObject({ name: "The second step", if: undefined, index: 1 });
    expect(third).toMatchObject({
      if: "vars.service == 'api'",
      continueOnError: true,
      declaredOutputs: ["digest"],
    });
    expect(fourth).toMatchObject({ uses: "wait.sleep", executor: "wait", action: "sleep", if: "false" });
    expect(playbook!.stages[0]!.steps[0]!.origin.file).toBe(join(dir, "phases/build.yaml"));
  });

  it("normalises vars, secrets, release values and executors", async () => {
    const { playbook, dir } = await load(files);
    expect(playbook!.vars.get("service")).toMatchObject({ default: "api", required: false, defaultSub: [] });
    expect(playbook!.vars.get("version")).toMatchObject({
      default: undefined,
      required: true,
      description: "Version to release",
      defaultSub: ["default"],
      origin: { path: ["vars", "version"] },
    });
    expect(playbook!.secrets.get("token")).toMatchObject({ from: "env://TOKEN", required: true });
    expect(playbook!.secrets.get("webhook")).toMatchObject({ from: "env://HOOK", required: false });
    expect(playbook!.release.get("tag")).toMatchObject({ template: "v${{ vars.version }}" });
    // An executor module is relative to the file that declares it.
    expect(playbook!.executors.get("ticketing")).toMatchObject({ module: join(dir, "tools/ticketing.mjs") });
    expect(playbook!.files).toEqual([join(dir, "relctl.yaml"), join(dir, "phases/build.yaml")]);
  });
});

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
