// The JSON Schema editors use is generated from the zod schemas; this pins it with a snapshot and
// checks it against the playbooks relctl ships, so the schema and the format cannot drift apart.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { playbookJsonSchema } from "../../src/playbook/json-schema.js";
import { STAGE_NAME, STEP_ID, USES } from "../../src/playbook/schema.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const snapshot = join(repoRoot, "test/playbook/__snapshots__/playbook.schema.json");

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  propertyNames?: { pattern?: string };
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  $ref?: string;
  [key: string]: unknown;
};

const schema = playbookJsonSchema() as Schema;
const at = (node: Schema | undefined, ...keys: string[]): Schema =>
  keys.reduce<Schema>((current, key) => (current[key] ?? {}) as Schema, node ?? {});
const stage = at(schema, "properties", "stages", "additionalProperties");
const stepSchema = at(stage, "properties", "steps", "items");

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function accepts(node: Schema, value: unknown): boolean {
  if (node.type === undefined) return true;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  const type = typeOf(value);
  return types.includes(type) || (type === "integer" && types.includes("number"));
}

/**
 * Every key in `value` the schema does not know, as a dotted path (plus record keys that break
 * the schema's propertyNames pattern). A union is judged by its branch that fits best.
 */
function unknownKeys(value: unknown, node: Schema, path: string): string[] {
  if (node.$ref !== undefined) {
    const name = node.$ref.replace("#/$defs/", "");
    return unknownKeys(value, at(schema, "$defs", name), path);
  }
  if (node.anyOf) {
    const fitting = node.anyOf.filter((branch) => accepts(branch, value) || branch.anyOf !== undefined);
    if (fitting.length === 0) return [`${path} (no branch of the union fits)`];
    return fitting.map((branch) => unknownKeys(value, branch, path)).sort((a, b) => a.length - b.length)[0]!;
  }
  if (Array.isArray(value)) {
    return node.items
      ? value.flatMap((item, index) => unknownKeys(item, node.items!, `${path}[${index}]`))
      : [];
  }
  if (value === null || typeof value !== "object") return [];
  const found: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const where = path === "" ? key : `${path}.${key}`;
    const known =
      node.properties?.[key] ??
      Object.entries(node.patternProperties ?? {}).find(([pattern]) => new RegExp(pattern).test(key))?.[1];
    if (known) {
      found.push(...unknownKeys(item, known, where));
    } else if (typeof node.additionalProperties === "object") {
      const pattern = node.propertyNames?.pattern;
      if (pattern !== undefined && !new RegExp(pattern).test(key)) found.push(`${where} (name)`);
      found.push(...unknownKeys(item, node.additionalProperties, where));
    } else if (node.additionalProperties === false || node.properties) {
      found.push(where);
    }
  }
  return found;
}

const playbooksDir = join(repoRoot, "playbooks");
const shipped = readdirSync(playbooksDir).filter((name) => name.endsWith(".yaml"));

describe("the playbook JSON Schema", () => {
  it("matches the committed snapshot", async () => {
    const config = (await resolveConfig(snapshot)) ?? {};
    const text = await format(JSON.stringify(schema), { ...config, parser: "json" });
    await expect(text).toMatchFileSnapshot("__snapshots__/playbook.schema.json");
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
  });

  it("describes steps with their id and uses formats", () => {
    expect(stepSchema).toMatchObject({
      type: "object",
      required: ["id", "uses"],
      additionalProperties: false,
    });
    expect(at(stepSchema, "properties", "id")).toMatchObject({ type: "string", pattern: STEP_ID.source });
    expect(at(stepSchema, "properties", "uses")).toMatchObject({
      type: "string",
      pattern: USES.source,
      description: "<executor>.<action>",
    });
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

  it("finds keys it does not know, so the check below can fail", () => {
    const document = {
      apiVersion: "relctl/v1",
      stagse: {},
      "x-defaults": { timeout: "5m" },
      "defaults-x": {},
      vars: { v: { defualt: 1 }, ok: [1] },
      secrets: { s: { from: "env://S", requried: true } },
      stages: {
        Build: { steps: [] },
        build: { steps: [{ id: "a", uses: "exec.run", wtih: {}, retry: { attempts: 2, backof: "1s" } }] },
      },
    };
    expect(unknownKeys(document, schema, "").sort()).toEqual([
      "defaults-x",
      "secrets.s.requried",
      "stages.Build (name)",
      "stages.build.steps[0].retry.backof",
      "stages.build.steps[0].wtih",
      "stagse",
      "vars.v.defualt",
    ]);
  });

  it("ships playbooks to check", () => {
    expect(shipped).toContain("release-train.yaml");
    expect(shipped.length).toBeGreaterThanOrEqual(9);
  });

  it.each(shipped)("knows every key of the shipped playbook %s", (name) => {
    const document: unknown = parse(readFileSync(join(playbooksDir, name), "utf8"));
    expect(typeOf(document)).toBe("object");
    expect(unknownKeys(document, schema, "")).toEqual([]);
  });
});
