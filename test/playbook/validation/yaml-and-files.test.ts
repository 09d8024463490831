// Validation of the playbook file itself: YAML syntax, aliases and alias bombs, encodings and
// binary data, size and reading.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { MAX_PLAYBOOK_BYTES } from "../../../src/playbook/source.js";
import { MAX_ALIAS_USES, MAX_ALIASED_VALUES } from "../../../src/playbook/yaml-aliases.js";
import { diagnose, HEADER, lines, load, writePlaybook } from "../../helpers/playbook.js";
import { doc, expectDiagnostics, step } from "./cases.js";

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

  it("refuses an alias bomb at the alias that expands too far, instead of expanding it", async () => {
    const text = lines(
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]", // the 8th *d passes 100,000 values
    );
    expectDiagnostics(await diagnose(text), [
      {
        code: "yaml-alias-bomb",
        at: "relctl.yaml:5:33",
        message:
          "YAML aliases in relctl.yaml stand for more than 100,000 values: refusing a possible alias bomb",
        hint: "write the repeated values out",
      },
    ]);
  });

  it("refuses a billion laughs quickly", async () => {
    const levels = "bcdefghi".split("").map((name, index) => {
      const previous = "abcdefghi"[index]!;
      return `${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`;
    });
    const started = Date.now();
    const diagnostics = await diagnose(lines("a: &a [x, x, x, x, x, x, x, x, x, x]", ...levels));
    expect(diagnostics.map((d) => d.code)).toEqual(["yaml-alias-bomb"]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("accepts the x- defaults pattern merged into every step of a 1,000-step playbook", async () => {
    const written = Array.from({ length: 1_000 }, (_, index) => [
      "      - <<: *deploy",
      ...step(`deploy-${index}`).map((line) => line.replace("- id:", "  id:")),
    ]).flat();
    const text = doc(
      "x-deploy-defaults: &deploy",
      "  timeout: 10m",
      "  retry: { attempts: 2, backoff: 30s }",
      "stages:",
      "  deploy:",
      "    steps:",
      ...written,
    );
    const { diagnostics, playbook } = await load({ "relctl.yaml": text });
    expect(diagnostics).toEqual([]);
    const steps = playbook?.stages.find((stage) => stage.name === "deploy")?.steps ?? [];
    expect(steps).toHaveLength(1_000);
    expect(steps[999]).toMatchObject({ id: "deploy-999", timeoutMs: 600_000, retry: { attempts: 2 } });
  });

  it("counts what aliases stand for, not how often an anchor is used", async () => {
    // A map of 12 entries is 25 values; used 4,000 times it stands for 100,000: the limit.
    const anchor = `{ ${Array.from({ length: 12 }, (_, index) => `k${index}: ${index}`).join(", ")} }`;
    const uses = MAX_ALIASED_VALUES / 25;
    const file = (count: number) =>
      lines(...HEADER, `x-d: &d ${anchor}`, `x-all: [${Array(count).fill("*d").join(", ")}]`);
    expect(await diagnose(file(uses))).toEqual([]);
    expectDiagnostics(await diagnose(file(uses + 1)), [
      {
        code: "yaml-alias-bomb",
        at: `relctl.yaml:4:${9 + uses * 4}`,
        message: "stand for more than 100,000 values",
      },
    ]);
  });

  it("refuses more aliases than yaml resolves in about a second", async () => {
    const text = lines(
      ...HEADER,
      "x-a: &a 1",
      `x-all: [${Array(MAX_ALIAS_USES + 1)
        .fill("*a")
        .join(", ")}]`,
    );
    expectDiagnostics(await diagnose(text), [
      {
        code: "yaml-alias-bomb",
        at: `relctl.yaml:4:${9 + MAX_ALIAS_USES * 4}`,
        message: "relctl.yaml uses more than 10,000 YAML aliases: refusing a possible alias bomb",
      },
    ]);
  });

  it.each([
    {
      name: "an alias without an anchor",
      text: doc("vars:", "  region: eu", "  backup: *regoin"),
      at: "relctl.yaml:5:11",
      message: "invalid YAML: alias *regoin has no anchor &regoin before it",
      hint: "define &regoin before the first *regoin",
    },
    {
      name: "a merge of a scalar",
      text: doc("x-s: &s hi", "stages:", "  build:", "    steps:", "      - <<: *s", "        id: a"),
      at: "relctl.yaml:7:13",
      message: "invalid YAML: a merge key (<<) takes a map or a list of maps; *s is a scalar",
      hint: "merge an anchored map",
    },
    {
      name: "a merge of a list of a map and a list",
      text: doc("x-a: &a { timeout: 1m }", "x-b: &b [1]", "x-c:", "  <<: [*a, *b]"),
      at: "relctl.yaml:6:12",
      message: "*b is a list",
    },
    {
      name: "an alias inside the value it names",
      text: doc("x-loop: &loop", "  again: *loop"),
      at: "relctl.yaml:4:10",
      message: "invalid YAML: alias *loop is inside the value it names",
      hint: "a value cannot contain itself",
    },
  ])(
    "reports $name at the alias with yaml's own reason, not as an alias bomb",
    async ({ text, name: _, ...expected }) => {
      expectDiagnostics(await diagnose(text), [{ code: "yaml-alias", ...expected }]);
    },
  );

  it("accepts a few aliases, which are ordinary YAML", async () => {
    const text = doc("vars:", "  region: &region eu-west-1", "  backup: *region");
    expect(await diagnose(text)).toEqual([]);
  });

  it.each([
    {
      name: "a byte that is not UTF-8",
      bytes: Buffer.concat([Buffer.from("a: b"), Buffer.from([0xff, 0xfe])]),
      at: "relctl.yaml:1:5",
      message: "relctl.yaml is not UTF-8 text (invalid byte 0xff); a playbook is UTF-8 YAML",
      hint: "save it as UTF-8, or check that -p points at the playbook",
    },
    {
      name: "a NUL byte",
      bytes: Buffer.from("apiVersion: relctl/v1\0\0"),
      at: "relctl.yaml:1:22",
      message: "relctl.yaml is not a text file (it holds a NUL byte); a playbook is UTF-8 YAML",
      hint: "check that -p points at the playbook",
    },
    {
      name: "invalid UTF-8 before a NUL byte",
      bytes: Buffer.concat([Buffer.from("a: "), Buffer.from([0xc3, 0x28, 0x00])]),
      at: "relctl.yaml:1:4",
      message: "(invalid byte 0xc3)",
    },
    {
      name: "invalid UTF-8 after a replacement character written in the file",
      bytes: Buffer.concat([Buffer.from("a: \uFFFD "), Buffer.from([0x80])]),
      at: "relctl.yaml:1:6", // the column counts characters, not bytes
      message: "(invalid byte 0x80)",
    },
    {
      name: "a Latin-1 umlaut on the third line",
      bytes: Buffer.concat([Buffer.from("a: 1\nb: 2\nc: gr"), Buffer.from([0xfc, 0x6e]), Buffer.from("\n")]),
      at: "relctl.yaml:3:6",
      message: "(invalid byte 0xfc)",
    },
  ])(
    "refuses a file that is not UTF-8 ($name) at the line and column of the first bad byte",
    async (expected) => {
      const { diagnostics } = await load({ "relctl.yaml": expected.bytes });
      const { bytes: _, name: __, ...rest } = expected;
      expectDiagnostics(diagnostics, [{ code: "not-text", ...rest }]);
    },
  );

  it.each([
    { name: "little-endian with a BOM", bytes: Buffer.from("\uFEFFname: x\n", "utf16le") },
    { name: "big-endian with a BOM", bytes: Buffer.from("\uFEFFname: x\n", "utf16le").swap16() },
    { name: "little-endian without a BOM", bytes: Buffer.from("name: x\n", "utf16le") },
  ])("says a UTF-16 file ($name) is UTF-16 and must be UTF-8", async ({ bytes }) => {
    const { diagnostics } = await load({ "relctl.yaml": bytes });
    expectDiagnostics(diagnostics, [
      {
        code: "not-text",
        at: "relctl.yaml:1:1",
        message: "relctl.yaml is UTF-16 text; a playbook must be UTF-8",
        hint: "save it as UTF-8",
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
      { code: "file-unreadable", at: "relctl.yaml:1:1", message: "cannot read relctl.yaml: no such file" },
    ]);
  });

  it("shows files outside the working directory with their absolute path", async () => {
    const dir = writePlaybook({ "relctl.yaml": lines("apiVersion: relctl/v2", "name: x") });
    const elsewhere = writePlaybook({});
    const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: elsewhere });
    expect(diagnostics.map((d) => d.location.file)).toEqual([join(dir, "relctl.yaml")]);
  });
});
