// Unit tests of resolving vars: defaults, --vars-file and --var in that order of precedence,
// defaults that read other vars and env, and the errors a user gets for each mistake.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RelctlError } from "../../src/errors.js";
import type { Diagnostic } from "../../src/playbook/diagnostics.js";
import { MAX_PLAYBOOK_BYTES } from "../../src/playbook/source.js";
import { resolveVars, varsProblemsIn, type VarInputs } from "../../src/playbook/vars.js";
import { brief, lines, load } from "../helpers/playbook.js";

const NOW = () => new Date(Date.UTC(2026, 10, 26, 9, 30, 0));

const playbook = lines(
  "apiVersion: relctl/v1", // 1
  "name: vars", // 2
  "vars:", // 3
  "  image: '${{ vars.registry }}/${{ vars.service }}:${{ vars.tag }}'", // 4: reads vars declared later
  "  registry: '${{ env.REGISTRY }}'", // 5
  "  service: api", // 6
  "  tag:", // 7
  "    default: \"rc-${{ date('yyyyMMdd') }}\"", // 8
  "  replicas: 3", // 9
  "  regions: [eu, us]", // 10
  "  labels:", // 11
  "    default: { app: '${{ vars.service }}', tier: web }", // 12
  "  version:", // 13
  "    required: true", // 14
  "    description: Version to release", // 15
  "  notes:", // 16
  "    description: optional, no default", // 17
);

async function resolveWith(inputs: Partial<VarInputs>, files: Record<string, string | Buffer> = {}) {
  const loaded = await load({ "relctl.yaml": playbook, ...files });
  expect(loaded.diagnostics).toEqual([]);
  const result = await resolveVars(loaded.playbook!, {
    overrides: ["version=1.4.0"],
    env: { REGISTRY: "ghcr.io/acme" },
    now: NOW,
    sources: loaded.sources,
    cwd: loaded.dir,
    ...inputs,
  });
  return { ...result, dir: loaded.dir };
}

/** The error `run` rejects with (failing the test when it resolves). */
async function rejection(run: () => Promise<unknown>): Promise<RelctlError> {
  const error = await run().then(
    () => expect.fail("expected a rejection"),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RelctlError);
  return error as RelctlError;
}

describe("resolving vars", () => {
  it("uses the defaults, evaluated in dependency order whatever order they are declared in", async () => {
    const { values, diagnostics } = await resolveWith({});
    expect(diagnostics).toEqual([]);
    expect(values).toEqual({
      image: "ghcr.io/acme/api:rc-20261126",
      registry: "ghcr.io/acme",
      service: "api",
      tag: "rc-20261126",
      replicas: 3,
      regions: ["eu", "us"],
      labels: { app: "api", tier: "web" },
      version: "1.4.0",
      notes: null,
    });
  });

  it("reads an unset env variable in a default as null", async () => {
    const { values } = await resolveWith({ env: {} });
    expect(values.registry).toBeNull();
    expect(values.image).toBe("/api:rc-20261126");
  });

  it("lets a vars file (YAML) override defaults, and defaults read the overridden values", async () => {
    const { values, diagnostics } = await resolveWith(
      { varsFile: "prod.yaml" },
      { "prod.yaml": lines("service: web", "replicas: 5", "regions: [ap]") },
    );
    expect(diagnostics).toEqual([]);
    expect(values).toMatchObject({
      service: "web",
      replicas: 5,
      regions: ["ap"],
      image: "ghcr.io/acme/web:rc-20261126",
      labels: { app: "web", tier: "web" },
    });
  });

  it("reads a vars file written as JSON", async () => {
    const { values, diagnostics } = await resolveWith(
      { varsFile: "vars.json" },
      { "vars.json": JSON.stringify({ service: "json", tag: "t1", replicas: 2 }, null, 2) },
    );
    expect(diagnostics).toEqual([]);
    expect(values).toMatchObject({ service: "json", tag: "t1", replicas: 2, image: "ghcr.io/acme/json:t1" });
  });

  it("lets --var override the vars file, parsed to the var's type, the last one winning", async () => {
    const { values } = await resolveWith(
      { varsFile: "prod.yaml", overrides: ["version=1.4.0", "replicas=7", "service=cli", "service=svc"] },
      { "prod.yaml": lines("service: web", "replicas: 5") },
    );
    expect(values).toMatchObject({ service: "svc", replicas: 7, image: "ghcr.io/acme/svc:rc-20261126" });
  });

  it("takes everything after the first = of --var as the value", async () => {
    const { values } = await resolveWith({ overrides: ["version=a=b", "service="] });
    expect(values).toMatchObject({ version: "a=b", service: "" });
  });

  it("takes values from the command line and vars file literally, without evaluating them", async () => {
    const { values } = await resolveWith(
      { varsFile: "v.yaml", overrides: ["version=${{ vars.service }}"] },
      { "v.yaml": lines("tag: '${{ env.REGISTRY }}'") },
    );
    expect(values).toMatchObject({ version: "${{ vars.service }}", tag: "${{ env.REGISTRY }}" });
  });

  it("evaluates date() in a default with the injected clock", async () => {
    const { values } = await resolveWith({ now: () => new Date(Date.UTC(2027, 0, 2)) });
    expect(values.tag).toBe("rc-20270102");
  });

  it("refuses an unknown --var as a usage error with a suggestion", async () => {
    const error = await rejection(() => resolveWith({ overrides: ["servce=x"] }));
    expect(error.code).toBe("E_USAGE");
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('--var servce: the playbook has no var "servce"');
    expect(error.hint).toBe("did you mean service?");
  });

  it("shows an invisible character in an unknown --var as an escape", async () => {
    const error = await rejection(() => resolveWith({ overrides: ["servic\u200be=x"] }));
    expect(error.message).toBe('--var servic\\u200be: the playbook has no var "servic\\u200be"');
    expect(error.hint).toBe("did you mean service?");
  });

  it("lists the vars when an unknown --var resembles none of them", async () => {
    const error = await rejection(() => resolveWith({ overrides: ["zzzzzzzz=1"] }));
    expect(error.hint).toBe("vars: image, registry, service, tag, replicas, regions, labels, version, notes");
  });

  it.each(["version", "=1.4.0", ""])("refuses a malformed --var %j as a usage error", async (assignment) => {
    const error = await rejection(() => resolveWith({ overrides: [assignment] }));
    expect(error.code).toBe("E_USAGE");
    expect(error.message).toBe(`--var ${assignment}: expected key=value`);
    expect(error.hint).toBe("for example --var version=1.4.0");
  });

  it.each([
    { file: "prod.yaml", text: lines("service: web", "# a comment", "replicsa: 2"), at: "prod.yaml:3:1" },
    { file: "prod.json", text: '{\n  "service": "web",\n  "replicsa": 2\n}\n', at: "prod.json:3:3" },
  ])(
    "reports an unknown key in $file at its line and column, with a suggestion",
    async ({ file, text, at }) => {
      const { diagnostics, values } = await resolveWith({ varsFile: file }, { [file]: text });
      expect(diagnostics.map(brief)).toEqual([
        {
          code: "unknown-var",
          at,
          path: "replicsa",
          message: 'the playbook has no var "replicsa"',
          hint: "did you mean replicas?",
        },
      ]);
      // The known keys of the file still apply.
      expect(values.service).toBe("web");
    },
  );

  it("reports a vars file that is not a map", async () => {
    const { diagnostics } = await resolveWith(
      { varsFile: "list.yaml" },
      { "list.yaml": lines("- a", "- b") },
    );
    expect(diagnostics.map(brief)).toMatchObject([
      { code: "vars-file", at: "list.yaml:1:1", message: "list.yaml must hold a map of var names to values" },
    ]);
  });

  it("shows an invisible character in an unknown key of the vars file as an escape", async () => {
    const { diagnostics } = await resolveWith({ varsFile: "v.yaml" }, { "v.yaml": "servic\u200be: web\n" });
    expect(diagnostics.map(brief)).toMatchObject([
      {
        code: "unknown-var",
        at: "v.yaml:1:1",
        path: "servic\\u200be",
        message: 'the playbook has no var "servic\\u200be"',
        hint: "did you mean service?",
      },
    ]);
  });

  it("reports a vars file that does not exist or is not YAML", async () => {
    const missing = await resolveWith({ varsFile: "nope.yaml" });
    expect(missing.diagnostics.map(brief)).toMatchObject([
      {
        code: "file-unreadable",
        at: "nope.yaml:1:1",
        message: "cannot read the vars file nope.yaml: no such file",
        hint: "check that --vars-file points at the vars file",
      },
    ]);
    const broken = await resolveWith({ varsFile: "bad.yaml" }, { "bad.yaml": lines("a: [1,", "b: 2") });
    expect(broken.diagnostics.map((d) => d.code)).toContain("yaml-syntax");
  });

  it("reads a vars file relative to the working directory", async () => {
    const { values } = await resolveWith(
      { varsFile: "env/prod.yaml" },
      { "env/prod.yaml": "service: nested\n" },
    );
    expect(values.service).toBe("nested");
  });

  it("accepts an absolute vars file path", async () => {
    const loaded = await load({ "relctl.yaml": playbook, "abs.yaml": "service: abs\n" });
    const { values } = await resolveVars(loaded.playbook!, {
      varsFile: join(loaded.dir, "abs.yaml"),
      overrides: ["version=1"],
      env: {},
      now: NOW,
    });
    expect(values.service).toBe("abs");
  });

  it("reports a required var that is not set at the var's definition", async () => {
    const { diagnostics, values } = await resolveWith({ overrides: [] });
    expect(diagnostics.map(brief)).toEqual([
      {
        code: "var-required",
        at: "relctl.yaml:14:5",
        path: "vars.version",
        message: 'var "version" is required (Version to release)',
        hint: "pass --var version=… or set it in --vars-file",
      },
    ]);
    expect(values.version).toBeNull();
  });

  it("accepts a required var set in the vars file", async () => {
    const { diagnostics, values } = await resolveWith(
      { varsFile: "v.yaml", overrides: [] },
      { "v.yaml": "version: 2.0.0\n" },
    );
    expect(diagnostics).toEqual([]);
    expect(values.version).toBe("2.0.0");
  });

  it("reports a default whose expression fails when evaluated, at the default", async () => {
    const loaded = await load({
      "relctl.yaml": lines(
        "apiVersion: relctl/v1",
        "name: t",
        "vars:",
        "  raw: '{not json'",
        "  parsed:",
        "    default: '${{ fromJSON(vars.raw) }}'",
      ),
    });
    const { diagnostics, values } = await resolveVars(loaded.playbook!, {
      overrides: [],
      env: {},
      sources: loaded.sources,
      cwd: loaded.dir,
    });
    expect(diagnostics.map(brief)).toEqual([
      {
        code: "var-default",
        at: "relctl.yaml:6:14",
        path: "vars.parsed.default",
        message: 'default of var "parsed": fromJSON(): not valid JSON: {not json',
      },
    ]);
    expect(values.parsed).toBeNull();
  });

  it("resolves vars that read each other in a cycle to something instead of hanging", async () => {
    // Validation reports the cycle; resolving must still end.
    const loaded = await load({
      "relctl.yaml": lines(
        "apiVersion: relctl/v1",
        "name: t",
        "vars:",
        "  a: 'x${{ vars.b }}'",
        "  b: 'y${{ vars.a }}'",
      ),
    });
    const { values } = await resolveVars(loaded.playbook!, { overrides: [], env: {} });
    expect(values).toEqual({ a: "xy", b: "y" });
  });

  it.each([
    {
      name: "/dev/zero",
      varsFile: "/dev/zero",
      code: "file-not-regular",
      message: "cannot read the vars file /dev/zero: it is a character device, not a regular file",
      hint: "a vars file must be a regular file; check that --vars-file points at the vars file",
    },
    {
      name: "a FIFO",
      varsFile: "pipe",
      code: "file-not-regular",
      message: "cannot read the vars file pipe: it is a named pipe (FIFO), not a regular file",
    },
    {
      name: "a directory",
      varsFile: "env",
      code: "file-unreadable",
      message: "cannot read the vars file env: it is a directory",
      hint: "check that --vars-file points at the vars file",
    },
    {
      name: "a file over 2 MiB",
      varsFile: "big.yaml",
      code: "file-too-large",
      message: "big.yaml is larger than 2 MiB; a vars file may be at most 2 MiB",
      hint: "check that --vars-file points at the vars file",
    },
    {
      name: "binary data",
      varsFile: "vars.bin",
      code: "not-text",
      at: "vars.bin:2:3",
      message: "vars.bin is not a text file (it holds a NUL byte); a vars file is UTF-8 YAML or JSON",
      hint: "check that --vars-file points at the vars file",
    },
  ])(
    "refuses $name as the vars file, naming the vars file",
    async ({ name: _, varsFile, at, ...expected }) => {
      const loaded = await load({
        "relctl.yaml": playbook,
        "env/prod.yaml": "service: web\n",
        "big.yaml": `# ${"x".repeat(MAX_PLAYBOOK_BYTES)}\n`,
        "vars.bin": Buffer.from("a: 1\nb:\0\n"),
      });
      if (varsFile === "pipe") execFileSync("mkfifo", [join(loaded.dir, "pipe")]);
      const { diagnostics } = await resolveVars(loaded.playbook!, {
        varsFile,
        overrides: ["version=1"],
        env: {},
        cwd: loaded.dir,
      });
      expect(diagnostics.map(brief)).toEqual([
        expect.objectContaining({ at: at ?? `${varsFile}:1:1`, ...expected }),
      ]);
    },
  );

  it.each([
    { name: "all in the vars file", files: ["prod.yaml", "prod.yaml"], subject: "prod.yaml" },
    { name: "all in the playbook", files: ["relctl.yaml"], subject: "relctl.yaml" },
    {
      name: "in both",
      files: ["relctl.yaml", "prod.yaml"],
      subject: "relctl.yaml with --vars-file prod.yaml",
    },
  ])("names where the problems with vars are: $name", ({ files, subject }) => {
    const diagnostics = files.map((file): Diagnostic => ({
      code: "x",
      message: "x",
      location: { file, line: 1, column: 1 },
    }));
    expect(varsProblemsIn(diagnostics, "relctl.yaml", "prod.yaml")).toBe(subject);
    expect(varsProblemsIn(diagnostics, "relctl.yaml")).toBe("relctl.yaml");
  });
});
