// file:// secrets are read like every other file a user names: a regular file only, never past
// 1 MiB, so /dev/zero or a FIFO makes the secret missing (with the reason) instead of a hang.
import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/run/redact.js";
import { loadSecrets } from "../../src/run/secrets.js";
import { lines, load } from "../helpers/playbook.js";

async function secretsFrom(files: Record<string, string>, prepare: (dir: string) => void = () => {}) {
  const { playbook, dir, diagnostics } = await load({
    "relctl.yaml": lines(
      "apiVersion: relctl/v1",
      "name: secrets",
      "secrets:",
      "  token: file://token.txt",
      "  zero: file://zero",
      "  pipe: file://pipe",
      "  big: file://big.txt",
    ),
    ...files,
  });
  expect(diagnostics).toEqual([]);
  prepare(dir);
  const redactor = new Redactor();
  const used = new Set(["token", "zero", "pipe", "big"]);
  const loaded = await loadSecrets(playbook!, used, { env: {}, cwd: dir, redactor });
  return { ...loaded, redactor };
}

describe.runIf(process.platform !== "win32")("file:// secrets", () => {
  it("reads a regular file without its final newline, and refuses what is not one, saying why", async () => {
    const started = Date.now();
    const { values, missing, redactor } = await secretsFrom(
      { "token.txt": "s3cr3t-value\n", "big.txt": "x".repeat(1024 * 1024 + 1) },
      (dir) => {
        symlinkSync("/dev/zero", join(dir, "zero"));
        execFileSync("mkfifo", [join(dir, "pipe")]);
      },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(values.token).toBe("s3cr3t-value");
    expect(redactor.redact("token s3cr3t-value")).toBe("token ***");
    expect(missing).toEqual([
      "zero (cannot read zero: it is a character device, not a regular file)",
      "pipe (cannot read pipe: it is a named pipe (FIFO), not a regular file)",
      "big (big.txt is larger than 1 MiB; a secret file may be at most 1 MiB)",
    ]);
  });

  it("says a missing file is missing", async () => {
    const { missing } = await secretsFrom({ "token.txt": "t0k3n" }, (dir) => {
      symlinkSync("/dev/zero", join(dir, "zero"));
      execFileSync("mkfifo", [join(dir, "pipe")]);
    });
    expect(missing).toContain("big (cannot read big.txt: no such file)");
  });
});
