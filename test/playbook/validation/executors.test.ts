// Executor rules: uses: names a known executor and action, with: fits the action's schema, and
// user executors load from modules declared under executors:.
import { describe, expect, it } from "vitest";
import { diagnose, lines, load } from "../../helpers/playbook.js";
import { doc, echo, expectDiagnostics, step, type Expected } from "./cases.js";

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
      name: "a misspelled input the action would otherwise drop, with a suggestion",
      text: doc(
        "stages:",
        "  promote:",
        "    steps:",
        "      - id: up",
        "        uses: helm.upgrade",
        "        with:",
        "          release: api",
        "          chart: ./charts/api",
        "          namepsace: prod",
      ),
      expected: [
        {
          code: "unknown-input",
          at: "relctl.yaml:11:11",
          path: "stages.promote.steps[0].with.namepsace",
          message: 'helm.upgrade has no input "namepsace"',
          hint: "did you mean namespace?",
          stepId: "up",
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
