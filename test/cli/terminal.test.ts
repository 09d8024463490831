import { describe, expect, it } from "vitest";
import { relctl, tempProject } from "../helpers/cli.js";

const playbook = `apiVersion: relctl/v1
name: colours
stages:
  build:
    steps:
      - id: hello
        uses: exec.run
        with: { argv: [echo, hi], read_only: true }
`;
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI = /\u001b\[\d+m/;

describe("colour", () => {
  it("is off when stdout is not a terminal", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const result = await relctl(["build"], { cwd: dir, env: { NO_COLOR: undefined } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toMatch(ANSI);
  });

  it("is on when forced, and NO_COLOR and --no-color turn it off again", async () => {
    const dir = tempProject({ "relctl.yaml": playbook });
    const forced = await relctl(["build"], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toMatch(ANSI);
    const noColor = await relctl(["build"], { cwd: dir, env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toMatch(ANSI);
    const flag = await relctl(["build", "--no-color"], {
      cwd: dir,
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
    });
    expect(flag.stdout).not.toMatch(ANSI);
  });
});
