import { describe, expect, it } from "vitest";
import {
  neutraliseWorkflowCommands,
  workflowCommandNeutraliser,
} from "../../src/report/github-actions/neutralise.js";
import { runnerCommands } from "../helpers/actions-runner.js";

describe("neutralising workflow commands in relctl's output", () => {
  it.each([
    ["::error::fake", "\\::error::fake"],
    ["   ::stop-commands::t", "   \\::stop-commands::t"],
    ["\t\u00a0\u2003\u200b::warning::x", "\t\u00a0\u2003\u200b\\::warning::x"],
    ["ok\r::add-mask::s", "ok\r\\::add-mask::s"],
    ["a\r\n  ::error::b\n", "a\r\n  \\::error::b\n"],
    ["x ##[error]legacy ##[group]g", "x ##\\[error]legacy ##\\[group]g"],
    ["a :: b", "a :: b"],
    [":single", ":single"],
    ["# heading [link]", "# heading [link]"],
  ])("makes %j plain text for the runner", (text, expected) => {
    const neutralised = neutraliseWorkflowCommands(text);
    expect(neutralised).toBe(expected);
    expect(runnerCommands(neutralised)).toEqual([]);
  });

  it("keeps its line state across chunks, however the text is cut", () => {
    const text = "  ::error::a\nb ##[warning]c\n\r:: d\n";
    for (let cut = 0; cut <= text.length; cut++) {
      for (let second = cut; second <= text.length; second++) {
        const write = workflowCommandNeutraliser();
        const out = write(text.slice(0, cut)) + write(text.slice(cut, second)) + write(text.slice(second));
        expect(runnerCommands(out), JSON.stringify([cut, second, out])).toEqual([]);
      }
    }
  });

  it("keeps JSON lines valid and their strings unchanged", () => {
    const event = { type: "step.log", message: "stderr: x ##[error]y ::error::z" };
    const line = neutraliseWorkflowCommands(`${JSON.stringify(event)}\n`, "json");
    expect(runnerCommands(line)).toEqual([]);
    expect(JSON.parse(line)).toEqual(event);
  });
});
