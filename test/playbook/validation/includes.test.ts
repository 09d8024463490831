// Includes: loading included files once, cycles, missing files and definitions in two files.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { lines, load, writePlaybook } from "../../helpers/playbook.js";
import { echo, expectDiagnostics, step } from "./cases.js";

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

  it("reports an include that is a directory at the include entry, instead of failing", async () => {
    const dir = writePlaybook({
      "relctl.yaml": lines(header, "name: train", "include: [phases]"),
      "phases/build.yaml": lines(header),
    });
    const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: dir });
    expectDiagnostics(diagnostics, [
      {
        code: "file-unreadable",
        at: "relctl.yaml:3:11",
        path: "include[0]",
        message: "cannot read the included file phases: it is a directory",
        hint: "check the path in this include: entry",
      },
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
