// The JSON Schema editors use is generated from the zod schemas (the playbook's and every
// built-in action's). It ships as schema/relctl.schema.json: this test keeps that file fresh and
// checks it with a standard validator (Ajv, JSON Schema 2020-12) against the playbooks relctl
// ships and against the mistakes an editor must flag.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createRegistry } from "../../src/executors/registry.js";
import { playbookJsonSchema } from "../../src/playbook/json-schema.js";
import { STAGE_NAME, STEP_ID } from "../../src/playbook/schema.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const shippedSchema = join(repoRoot, "schema/relctl.schema.json");

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  $defs?: Record<string, Schema>;
};

const schema = (await playbookJsonSchema()) as Schema;
const at = (node: Schema | undefined, ...keys: string[]): Schema =>
  keys.reduce<Schema>((current, key) => (current[key] ?? {}) as Schema, node ?? {});
const stage = at(schema, "properties", "stages", "additionalProperties");
const stepSchema = at(schema, "$defs", "step");

const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false, strictTypes: false });
const validate = ajv.compile(schema);

/** Ajv's errors as "path: message" lines, without the noise of if/then and anyOf wrappers. */
function problems(document: unknown): string[] {
  if (validate(document)) return [];
  return (
    (validate.errors ?? [])
      // An expression branch that did not fit either says nothing the other branch does not.
      .filter((error: ErrorObject) => !["if", "anyOf"].includes(error.keyword))
      .filter((error: ErrorObject) => !error.schemaPath.startsWith("#/$defs/expression/"))
      .map((error: ErrorObject) => {
        const extra =
          error.keyword === "additionalProperties"
            ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
            : error.keyword === "required"
              ? ` (${(error.params as { missingProperty: string }).missingProperty})`
              : "";
        return `${error.instancePath}: ${error.keyword}${extra}`;
      })
  );
}

const playbook = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: "relctl/v1",
  name: "t",
  ...extra,
  stages: { deploy: { steps } },
});

const playbooksDir = join(repoRoot, "playbooks");
const shipped = readdirSync(playbooksDir).filter((name) => name.endsWith(".yaml"));

describe("the playbook JSON Schema", () => {
  it("is shipped as schema/relctl.schema.json, exactly as relctl schema prints it", async () => {
    const config = (await resolveConfig(shippedSchema)) ?? {};
    const text = await format(JSON.stringify(schema), { ...config, parser: "json" });
    // Regenerate with: npx vitest run test/playbook/json-schema.test.ts -u
    await expect(text).toMatchFileSnapshot(shippedSchema);
  });

  it("is in the package's files", () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { files: string[] };
    expect(manifest.files).toContain("schema");
  });

  it("identifies itself as the relctl/v1 format in JSON Schema 2020-12", () => {
    expect(schema).toMatchObject({
      $id: "https://relctl.dev/schema/playbook-v1.json",
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title: "relctl playbook (relctl/v1)",
      type: "object",
      required: ["apiVersion"],
      additionalProperties: false,
    });
    expect(at(schema, "properties", "apiVersion")).toMatchObject({ const: "relctl/v1" });
  });

  it("describes every top-level key", () => {
    expect(Object.keys(schema.properties ?? {})).toEqual([
      "apiVersion",
      "name",
      "description",
      "include",
      "executors",
      "vars",
      "secrets",
      "release",
      "stages",
      "freeze_calendar",
    ]);
  });

  it("describes stages as a map of named stages with steps, a canary or both", () => {
    expect(at(schema, "properties", "stages")).toMatchObject({
      type: "object",
      propertyNames: { pattern: STAGE_NAME.source },
    });
    expect(stage).toMatchObject({ type: "object", additionalProperties: false });
    expect(Object.keys(stage.properties ?? {})).toEqual([
      "description",
      "needs",
      "on_failure",
      "environment",
      "concurrency",
      "approvals",
      "canary",
      "steps",
    ]);
    expect(at(stage, "properties", "steps", "items")).toEqual({ $ref: "#/$defs/step" });
    expect(at(stage, "properties", "canary", "properties", "steps", "items")).toEqual({
      $ref: "#/$defs/step",
    });
  });

  it("describes steps with their id, and uses as the built-in actions or a user executor's", async () => {
    expect(stepSchema).toMatchObject({
      type: "object",
      required: ["id", "uses"],
      additionalProperties: false,
    });
    expect(at(stepSchema, "properties", "id")).toMatchObject({ type: "string", pattern: STEP_ID.source });
    const registry = createRegistry();
    const builtins: string[] = [];
    for (const name of registry.names()) {
      const executor = await registry.load(name);
      builtins.push(...Object.keys(executor.actions).map((action) => `${name}.${action}`));
    }
    const uses = at(stepSchema, "properties", "uses");
    expect((uses.anyOf as Schema[])[0]).toMatchObject({ enum: builtins });
    expect(builtins).toContain("helm.upgrade");
    expect(Object.keys(stepSchema.properties ?? {})).toEqual([
      "id",
      "name",
      "uses",
      "with",
      "if",
      "needs",
      "timeout",
      "retry",
      "continue_on_error",
      "outputs",
    ]);
  });

  it("describes every property, in the playbook and in every action's with:", () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      const properties = (node as Schema).properties;
      if (properties && typeof properties === "object") {
        for (const [key, child] of Object.entries(properties)) {
          // `if: { properties: { uses: { const } } }` selects an action; it describes nothing.
          if (!path.endsWith(".if") && (child as Schema).description === undefined && !("$ref" in child)) {
            missing.push(`${path}.${key}`);
          }
        }
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
    };
    walk(schema, "#");
    expect(missing).toEqual([]);
  });

  it("uses no keyword a draft-07 editor (yaml-language-server) would ignore", () => {
    const newer = [
      "prefixItems",
      "dependentRequired",
      "dependentSchemas",
      "unevaluatedProperties",
      "$dynamicRef",
    ];
    const found = new Set<string>();
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== "object") return;
      for (const [key, child] of Object.entries(node)) {
        if (newer.includes(key)) found.add(key);
        walk(child);
      }
    };
    walk(schema);
    expect([...found]).toEqual([]);
  });

  it("accepts a minimal step of every kind of uses", () => {
    expect(
      problems(
        playbook([
          { id: "a", uses: "exec.run", with: { argv: ["true"] } },
          { id: "b", uses: "ticketing.open", with: { anything: 1 } },
        ]),
      ),
    ).toEqual([]);
  });

  it("flags a misspelled key under helm.upgrade's with:", () => {
    const document = playbook([
      { id: "up", uses: "helm.upgrade", with: { release: "api", chart: "./chart", namepsace: "prod" } },
    ]);
    expect(problems(document)).toEqual(["/stages/deploy/steps/0/with: additionalProperties (namepsace)"]);
    const fixed = playbook([
      { id: "up", uses: "helm.upgrade", with: { release: "api", chart: "./chart", namespace: "prod" } },
    ]);
    expect(problems(fixed)).toEqual([]);
  });

  it("flags an action a built-in executor does not have (exec.rn), but allows user executors", () => {
    expect(problems(playbook([{ id: "a", uses: "exec.rn", with: { argv: ["true"] } }]))).toEqual([
      "/stages/deploy/steps/0/uses: enum",
      "/stages/deploy/steps/0/uses: pattern",
    ]);
    expect(problems(playbook([{ id: "a", uses: "execs.run" }]))).toEqual([]);
  });

  it("flags a missing required input, and a missing with: when the action needs inputs", () => {
    expect(problems(playbook([{ id: "up", uses: "helm.upgrade", with: { release: "api" } }]))).toEqual([
      "/stages/deploy/steps/0/with: required (chart)",
    ]);
    expect(problems(playbook([{ id: "up", uses: "helm.upgrade" }]))).toEqual([
      "/stages/deploy/steps/0: required (with)",
    ]);
    expect(problems(playbook([{ id: "clean", uses: "git.ensure_clean" }]))).toEqual([]);
  });

  it("flags a value of the wrong type, and accepts an expression in its place", () => {
    const withTimeout = (history_max: unknown) =>
      playbook([{ id: "up", uses: "helm.upgrade", with: { release: "api", chart: "c", history_max } }]);
    expect(problems(withTimeout("ten"))).toEqual(["/stages/deploy/steps/0/with/history_max: type"]);
    expect(problems(withTimeout("${{ vars.history }}"))).toEqual([]);
    expect(problems(withTimeout(10))).toEqual([]);
    const canary = {
      apiVersion: "relctl/v1",
      stages: {
        canary: {
          canary: {
            weights: [10, 100],
            steps: [{ id: "w", uses: "helm.upgrade", with: { release: "api", chart: "c", atomik: true } }],
          },
        },
      },
    };
    expect(problems(canary)).toEqual(["/stages/canary/canary/steps/0/with: additionalProperties (atomik)"]);
  });

  it("ships playbooks to check", () => {
    expect(shipped).toContain("release-train.yaml");
    expect(shipped.length).toBeGreaterThanOrEqual(9);
  });

  it.each(shipped)("validates the shipped playbook %s", (name) => {
    const document: unknown = parse(readFileSync(join(playbooksDir, name), "utf8"));
    expect(problems(document)).toEqual([]);
  });
});
