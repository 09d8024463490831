// Validation of the playbook file itself: YAML syntax, alias bombs, binary data, size and reading.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { MAX_PLAYBOOK_BYTES } from "../../../src/playbook/source.js";
import { diagnose, lines, load, writePlaybook } from "../../helpers/playbook.js";
import { doc, expectDiagnostics } from "./cases.js";

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
