// The JSON Schema of the playbook format, generated from the zod schemas (never written by
// hand), for editor completion: `relctl schema`, shipped as schema/relctl.schema.json.
import { z } from "zod";
import { builtinActionSchemas, builtinExecutorNames, EXPRESSION_SCHEMA } from "./action-json-schemas.js";
import { OWN_KEY, playbookFileSchema, USES } from "./schema.js";

type JsonSchema = Record<string, unknown>;

export async function playbookJsonSchema(): Promise<JsonSchema> {
  const schema = z.toJSONSchema(playbookFileSchema, {
    target: "draft-2020-12",
    unrepresentable: "any",
    io: "input",
  }) as JsonSchema;
  const actions = await builtinActionSchemas();
  const defs: JsonSchema = { expression: EXPRESSION_SCHEMA };
  for (const action of actions) defs[action.uses] = action.schema;
  const step = stepWithActions(findStep(schema), actions);
  defs.step = step;
  return {
    $id: "https://relctl.dev/schema/playbook-v1.json",
    title: "relctl playbook (relctl/v1)",
    ...replaceSteps(schema),
    // Top-level `x-` keys are the playbook's own (anchors to merge into steps); the loader drops
    // them before the strict schema sees the file, so the editor's schema must allow them too.
    patternProperties: { [OWN_KEY.source]: { description: "the playbook's own: YAML anchors and notes" } },
    $defs: defs,
  };
}

/**
 * `uses` names a built-in action, or an action of a user executor (declared under executors:,
 * which the schema cannot know). Names of built-in executors are never left to the pattern, so
 * `exec.rn` is flagged while `ticketing.open` stays possible.
 */
function usesSchema(actions: readonly { uses: string }[]): JsonSchema {
  const builtins = builtinExecutorNames().join("|");
  return {
    type: "string",
    description:
      "<executor>.<action>: a built-in action, or an action of an executor declared under executors:",
    anyOf: [
      { enum: actions.map((action) => action.uses), description: "a built-in action" },
      {
        pattern: `^(?!(?:${builtins})\\.)${USES.source.slice(1)}`,
        description: "an action of a user executor (declared under executors:)",
      },
    ],
  };
}

/** The step schema with `uses` as an enum and `with:` chosen by `uses` (if/then). */
function stepWithActions(
  step: JsonSchema,
  actions: readonly { uses: string; requiresInputs: boolean }[],
): JsonSchema {
  const properties = step.properties as JsonSchema;
  return {
    ...step,
    properties: { ...properties, uses: usesSchema(actions) },
    allOf: actions.map((action) => ({
      if: { properties: { uses: { const: action.uses } }, required: ["uses"] },
      then: {
        properties: { with: { $ref: `#/$defs/${action.uses}` } },
        ...(action.requiresInputs ? { required: ["with"] } : {}),
      },
    })),
  };
}

function isStep(node: unknown): node is JsonSchema {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return false;
  const properties = (node as JsonSchema).properties as JsonSchema | undefined;
  return properties !== undefined && "uses" in properties && "with" in properties;
}

function findStep(node: unknown): JsonSchema {
  const found = search(node);
  if (!found) throw new Error("the playbook schema has no step schema");
  return found;
  function search(value: unknown): JsonSchema | undefined {
    if (isStep(value)) return value;
    if (value === null || typeof value !== "object") return undefined;
    for (const child of Object.values(value)) {
      const inner = search(child);
      if (inner) return inner;
    }
    return undefined;
  }
}

/** Every inlined copy of the step schema (stage steps, canary steps) becomes one $ref. */
function replaceSteps(node: JsonSchema): JsonSchema {
  const walk = (value: unknown): unknown => {
    if (isStep(value)) return { $ref: "#/$defs/step" };
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, walk(child)]));
  };
  return walk(node) as JsonSchema;
}
