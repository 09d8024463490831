// Typed vars through the built binary: `--var dry=false` is the boolean false, so a step guarded
// by `if: ${{ vars.dry }}` does not run; a value that is not of the var's type is refused with
// exit 2 naming the var, the value and the type; an `if:` that is not true or false is a lint
// error where it is known and a failed step where it is not; --vars-file merge in order; lint
// checks the playbook, not a run.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { relctl, repoRoot, tempProject } from "../helpers/cli.js";

const guarded = `apiVersion: relctl/v1
name: demo
vars:
  dry: false
stages:
  build:
    steps:
      - id: write
        uses: exec.run
        if: \${{ vars.dry }}
        with: { argv: [touch, wrote.txt] }
      - { id: after, uses: exec.run, with: { argv: [touch, after.txt] } }
`;

describe("a boolean var from the command line", () => {
  it("--var dry=false is false: the guarded step does not run", async () => {
    const dir = tempProject({ "relctl.yaml": guarded });
    const result = await relctl(["build", "--yes", "--var", "dry=false"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(dir, "after.txt"))).toBe(true);
    expect(existsSync(join(dir, "wrote.txt"))).toBe(false);
  });

  it("--var dry=true is true: the guarded step runs", async () => {
    const dir = tempProject({ "relctl.yaml": guarded });
    const result = await relctl(["build", "--yes", "--var", "dry=true"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(dir, "wrote.txt"))).toBe(true);
  });

  it("refuses a value that is not true or false, naming the var, the value and the type", async () => {
    const dir = tempProject({ "relctl.yaml": guarded });
    const result = await relctl(["build", "--yes", "--var", "dry=no"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      '--var dry=no: var "dry" is a boolean (true or false), got the text "no"',
    );
    expect(existsSync(join(dir, "after.txt"))).toBe(false);
  });

  it("parses an env-backed default of a typed var, and refuses env text that is not of the type", async () => {
    const dir = tempProject({
      "relctl.yaml": guarded.replace("  dry: false", '  dry: { type: boolean, default: "${{ env.DRY }}" }'),
    });
    const off = await relctl(["build", "--yes"], { cwd: dir, env: { DRY: "false" } });
    expect(off.exitCode).toBe(0);
    expect(existsSync(join(dir, "wrote.txt"))).toBe(false);
    const bad = await relctl(["build", "--yes"], { cwd: dir, env: { DRY: "maybe" } });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(
      'relctl.yaml:4:34 (vars.dry.default): default of var "dry": expected a boolean (true or false), got the text "maybe"',
    );
  });
});

describe("numbers, lists and maps from the command line", () => {
  const typed = `apiVersion: relctl/v1
name: demo
vars:
  replicas: { type: integer, default: 1 }
  ratio: 0.5
  regions: [eu]
  labels: { type: map }
stages:
  build:
    steps:
      - id: show
        uses: exec.run
        with:
          argv:
            - node
            - -e
            - "require('fs').writeFileSync('vars.json', JSON.stringify(process.argv.slice(1).map((a) => JSON.parse(a))))"
            - "\${{ toJSON(vars.replicas) }}"
            - "\${{ toJSON(vars.ratio) }}"
            - "\${{ toJSON(vars.regions) }}"
            - "\${{ toJSON(vars.labels) }}"
`;

  it("parses each to its type", async () => {
    const dir = tempProject({ "relctl.yaml": typed });
    const result = await relctl(
      [
        "build",
        "--yes",
        "--var",
        "replicas=3",
        "--var",
        "ratio=0.25",
        "--var",
        "regions=[eu, us]",
        "--var",
        'labels={"tier": "web"}',
      ],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "vars.json"), "utf8"))).toEqual([
      3,
      0.25,
      ["eu", "us"],
      { tier: "web" },
    ]);
  });

  it.each([
    ["replicas=2.5", 'var "replicas" is an integer (like 3), got the text "2.5"'],
    ["ratio=lots", 'var "ratio" is a number (like 3 or 0.5), got the text "lots"'],
    ["regions=eu", 'var "regions" is a list (YAML or JSON, like [a, b]), got the text "eu"'],
    ["labels=[a]", 'var "labels" is a map (YAML or JSON, like {a: 1}), got the text "[a]"'],
  ])("refuses --var %s with exit 2", async (assignment, message) => {
    const dir = tempProject({ "relctl.yaml": typed });
    const result = await relctl(["build", "--yes", "--var", assignment], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(existsSync(join(dir, "vars.json"))).toBe(false);
  });
});

describe("an if: that is not true or false", () => {
  it("is a lint error at its place when a string var makes it so", async () => {
    const dir = tempProject({
      "relctl.yaml": guarded.replace("  dry: false", "  dry: 'false'"),
    });
    const result = await relctl(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "relctl.yaml:10:17 (stages.build.steps[0].if) [step write]: if: must be true or false, but vars.dry is a string",
    );
  });

  it("fails the step at run time when only the run knows it, instead of running it as truthy", async () => {
    const dir = tempProject({
      "relctl.yaml": `apiVersion: relctl/v1
name: demo
stages:
  build:
    steps:
      - id: decide
        uses: exec.run
        outputs: [dry]
        with: { argv: [sh, -c, 'echo dry=false >> "$RELCTL_OUTPUT"'] }
      - id: write
        uses: exec.run
        if: \${{ steps.decide.outputs.dry }}
        with: { argv: [touch, wrote.txt] }
`,
    });
    const result = await relctl(["build", "--yes"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('if: must be true or false, got the text "false"');
    expect(existsSync(join(dir, "wrote.txt"))).toBe(false);
  });
});

describe("several --vars-file", () => {
  it("merge in order: a later file wins per key, the rest of an earlier file stays", async () => {
    const dir = tempProject({
      "relctl.yaml": `apiVersion: relctl/v1
name: demo
vars:
  service: api
  region: us
  dry: false
stages:
  build:
    steps:
      - id: show
        uses: exec.run
        with: { argv: [sh, -c, 'echo "$1 $2 $3" > vars.txt', sh, "\${{ vars.service }}", "\${{ vars.region }}", "\${{ vars.dry }}"] }
`,
      "base.yaml": "service: web\nregion: eu\n",
      "prod.yaml": "region: ap\ndry: true\n",
    });
    const result = await relctl(["build", "--yes", "--vars-file", "base.yaml", "--vars-file", "prod.yaml"], {
      cwd: dir,
    });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(dir, "vars.txt"), "utf8")).toBe("web ap true\n");
  });
});

describe("lint checks the playbook, not a run", () => {
  const required = `apiVersion: relctl/v1
name: demo
vars:
  version: { required: true, description: the version to release }
  ship: { type: boolean, required: true }
stages:
  build:
    steps:
      - id: tag
        uses: exec.run
        if: \${{ vars.ship }}
        with: { argv: [echo, "v\${{ vars.version }}"] }
`;

  it("notes a required var without a value instead of failing, so CI can lint without values", async () => {
    const dir = tempProject({ "relctl.yaml": required });
    const result = await relctl(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'relctl.yaml:4:12 (vars.version): var "version" needs a value at run time',
    );
    expect(result.stderr).toContain('var "ship" needs a value at run time');
    const json = await relctl(["lint", "--json"], { cwd: dir });
    expect(json.exitCode).toBe(0);
    const verdict = JSON.parse(json.stdout) as { valid: boolean; notes: { code: string }[] };
    expect(verdict.valid).toBe(true);
    expect(verdict.notes.map((note) => note.code)).toEqual(["var-required", "var-required"]);
  });

  it("still refuses a run without the value", async () => {
    const dir = tempProject({ "relctl.yaml": required });
    const result = await relctl(["build", "--yes"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('var "version" is required');
  });
});

describe("relctl plan and the schema show each var's type", () => {
  it("plan lists every var with its type, and the shipped registry_plain_http takes --var true", async () => {
    const result = await relctl(
      ["plan", "build", "-p", "playbooks/build.yaml", "--var", "registry_plain_http=true", "--no-color"],
      { cwd: repoRoot },
    );
    expect(result.stderr).not.toContain("expected a boolean");
    expect(result.stdout).toContain("registry_plain_http=true (boolean)");
    expect(result.stdout).toContain("max_error_rate=0.01 (number)");
    expect(result.stdout).toContain("service=api (string)");
  });

  it("the JSON Schema offers type: with the six types", async () => {
    const result = await relctl(["schema"], { cwd: repoRoot });
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(result.stdout) as {
      properties: {
        vars: { additionalProperties: { anyOf: { properties?: { type?: { enum?: string[] } } }[] } };
      };
    };
    const definition = schema.properties.vars.additionalProperties.anyOf.find(
      (option) => option.properties?.type,
    );
    expect(definition?.properties?.type?.enum).toEqual([
      "string",
      "boolean",
      "number",
      "integer",
      "list",
      "map",
    ]);
  });
});
