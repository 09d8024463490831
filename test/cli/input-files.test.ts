// Files a user names on the command line, through the built binary: the playbook (-p), the vars
// file (--vars-file) and the changelog (--file). Whatever they are (a device, a FIFO, a file
// relctl may not read, bytes that are not UTF-8) relctl answers at once, with exit 2, where and
// what to do, and no stack trace.
import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { relctl, tempProject } from "../helpers/cli.js";
import { handOver, relctlAsUser } from "../helpers/unprivileged.js";

const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;
const PLAYBOOK = [
  "apiVersion: relctl/v1",
  "name: files",
  "vars:",
  "  service: api",
  "stages:",
  "  build:",
  "    steps:",
  "      - id: a",
  "        uses: exec.run",
  "        with: { argv: [echo] }",
  "",
].join("\n");

/** A project with the playbook and a FIFO called `pipe` that nothing writes to. */
function project(files: Record<string, string> = {}): string {
  const dir = tempProject({ "relctl.yaml": PLAYBOOK, ...files });
  execFileSync("mkfifo", [join(dir, "pipe")]);
  return dir;
}

/** Runs relctl and checks the common promise: exit 2, soon, no stack trace, nothing on stdout. */
async function refused(args: string[], dir: string): Promise<string> {
  const result = await relctl(args, { cwd: dir, timeoutMs: 10_000 });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stdout).toBe("");
  return result.stderr;
}

describe.runIf(process.platform !== "win32")("files named on the command line", () => {
  it.each([
    { command: "lint -p /dev/zero", says: "cannot read /dev/zero: it is a character device" },
    { command: "lint -p /dev/urandom", says: "cannot read /dev/urandom: it is a character device" },
    { command: "lint -p pipe", says: "pipe:1:1: cannot read pipe: it is a named pipe (FIFO)" },
    {
      command: "lint --vars-file /dev/zero",
      says: "cannot read the vars file /dev/zero: it is a character device",
    },
    { command: "lint --vars-file pipe", says: "cannot read the vars file pipe: it is a named pipe" },
    { command: "changelog --file /dev/zero", says: "cannot read /dev/zero: it is a character device" },
    { command: "changelog --file pipe", says: "cannot read pipe: it is a named pipe (FIFO)" },
    {
      command: "changelog --file /dev/zero --cut 1.0.0",
      says: "cannot read /dev/zero: it is a character device",
    },
  ])("refuses `relctl $command` at once instead of hanging or filling memory", async ({ command, says }) => {
    expect(await refused(command.split(" "), project())).toContain(says);
  });

  it("names the vars file, not the playbook, in the line that ends the report", async () => {
    const dir = project({ "prod.yaml": "servce: web\n" });
    const stderr = await refused(["lint", "--vars-file", "prod.yaml"], dir);
    expect(stderr).toContain('prod.yaml:1:1 (servce): the playbook has no var "servce"');
    expect(stderr).toContain("error: prod.yaml has 1 problem; nothing was run");
  });

  it("says a missing vars file does not exist, in words", async () => {
    const stderr = await refused(["lint", "--vars-file", "nope.yaml"], project());
    expect(stderr).toContain("nope.yaml:1:1: cannot read the vars file nope.yaml: no such file");
    expect(stderr).not.toContain("ENOENT");
  });

  it("says a vars file it may not read is permission denied", async () => {
    const dir = project({ "prod.yaml": "service: web\n" });
    handOver(dir);
    chmodSync(join(dir, "prod.yaml"), 0o000);
    const result = await relctlAsUser(["lint", "--vars-file", "prod.yaml"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("cannot read the vars file prod.yaml: permission denied");
    expect(result.stderr).toContain("hint: check its permissions");
  });

  it("reports a changelog that is not UTF-8 at the line and column of the bad byte", async () => {
    const dir = project();
    writeFileSync(
      join(dir, "CHANGELOG.md"),
      Buffer.concat([Buffer.from("# Changelog\n\n## [Unreleased]\n\n- Gr"), Buffer.from([0xf6, 0xdf, 0x65])]),
    );
    const stderr = await refused(["changelog"], dir);
    expect(stderr).toContain(
      "error: CHANGELOG.md:5:5: CHANGELOG.md is not UTF-8 text (invalid byte 0xf6); a changelog is UTF-8 Markdown",
    );
  });
});
