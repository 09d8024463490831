// Files that are not regular files, given as the playbook or included by it: a FIFO would wait
// for a writer forever and /dev/zero never ends. Each is refused at once, by its kind, at the
// place that names it; and no file is read past the limit, whatever size it reports.
import { execFileSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { PLAYBOOK_FILE } from "../../../src/playbook/source.js";
import { readInputText } from "../../../src/util/input-file.js";
import { lines, writePlaybook } from "../../helpers/playbook.js";
import { doc, expectDiagnostics } from "./cases.js";

const unix = process.platform !== "win32";

/** A directory with relctl.yaml (`text`) and a FIFO called `pipe` that nothing ever writes to. */
function withFifo(text: string): string {
  const dir = writePlaybook({ "relctl.yaml": text });
  execFileSync("mkfifo", [join(dir, "pipe")]);
  return dir;
}

describe.runIf(unix)("special files", () => {
  it.each([
    { name: "/dev/zero", kind: "a character device" },
    { name: "/dev/urandom", kind: "a character device" },
  ])("refuses $name given as the playbook, without reading it", async ({ name, kind }) => {
    const dir = writePlaybook({});
    const { diagnostics, playbook } = await loadPlaybook(name, { cwd: dir });
    expect(playbook).toBeUndefined();
    expectDiagnostics(diagnostics, [
      {
        code: "file-not-regular",
        at: `${name}:1:1`,
        message: `cannot read ${name}: it is ${kind}, not a regular file`,
        hint: "a playbook must be a regular file; check that -p points at the playbook",
      },
    ]);
  });

  it("refuses a FIFO given as the playbook instead of waiting for a writer", async () => {
    const dir = withFifo("");
    const { diagnostics } = await loadPlaybook(join(dir, "pipe"), { cwd: dir });
    expectDiagnostics(diagnostics, [
      {
        code: "file-not-regular",
        at: "pipe:1:1",
        message: "cannot read pipe: it is a named pipe (FIFO), not a regular file",
      },
    ]);
  });

  it("reports an included FIFO, and a symlink to /dev/zero, at their include entries", async () => {
    const dir = withFifo(doc("include:", "  - pipe", "  - zero.yaml"));
    symlinkSync("/dev/zero", join(dir, "zero.yaml"));
    const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: dir });
    expectDiagnostics(diagnostics, [
      {
        code: "file-not-regular",
        at: "relctl.yaml:4:5",
        path: "include[0]",
        message: "cannot read the included file pipe: it is a named pipe (FIFO), not a regular file",
        hint: "a playbook must be a regular file; check the path in this include: entry",
      },
      {
        code: "file-not-regular",
        at: "relctl.yaml:5:5",
        path: "include[1]",
        message: "cannot read the included file zero.yaml: it is a character device, not a regular file",
      },
    ]);
  });

  it("says in words why a path cannot be read, not with an errno code", async () => {
    const dir = writePlaybook({ "relctl.yaml": lines("apiVersion: relctl/v1", "name: x") });
    const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml", "inner.yaml"), { cwd: dir });
    expectDiagnostics(diagnostics, [
      {
        code: "file-unreadable",
        at: "relctl.yaml/inner.yaml:1:1",
        message: "cannot read relctl.yaml/inner.yaml: a part of the path is not a directory",
      },
    ]);
  });

  // /proc files are regular files that report a size of 0 whatever they hold.
  it.runIf(existsSync("/proc/self/maps"))(
    "stops reading at the limit even when the file reports a smaller size",
    async () => {
      const read = await readInputText("/proc/self/maps", "maps", { ...PLAYBOOK_FILE, maxBytes: 64 });
      expect(read).toEqual({
        problem: expect.objectContaining({
          code: "file-too-large",
          message: "maps is larger than 64 bytes; a playbook may be at most 64 bytes",
        }),
      });
    },
  );
});
