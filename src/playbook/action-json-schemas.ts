// The `with:` of every built-in action as JSON Schema, generated from the action's own zod
// schema, for the editor schema (`relctl schema`). Two differences from the zod schema, both on
// purpose: a `${{ }}` expression is accepted wherever a value may be templated (it is rendered
// at run time, so a number or a boolean may be written as an expression), and objects refuse
// keys they do not know, so an editor flags a misspelled input that the action would ignore.
import { z } from "zod";
import type { Executor } from "../executors/contract.js";
import { createRegistry } from "../executors/registry.js";

type JsonSchema = Record<string, unknown>;

/** Where `${{ }}` may stand instead of a value: any string holding an expression. */
export const EXPRESSION_SCHEMA: JsonSchema = {
  type: "string",
  pattern: "\\$\\{\\{",
  description: "a ${{ }} expression, evaluated when the step runs",
};
const EXPRESSION_REF = { $ref: "#/$defs/expression" };

export interface ActionJsonSchema {
  /** `<executor>.<action>`, as written in `uses:`. */
  uses: string;
  /** The `with:` object's schema (description: the action's own). */
  schema: JsonSchema;
  /** Whether the action has required inputs, so `with:` itself must be there. */
  requiresInputs: boolean;
}

/** The built-in executors' names, as `uses:` prefixes. */
export function builtinExecutorNames(): string[] {
  return createRegistry().names();
}

export async function builtinActionSchemas(): Promise<ActionJsonSchema[]> {
  const registry = createRegistry();
  const executors: Executor[] = await Promise.all(registry.names().map((name) => registry.load(name)));
  return executors.flatMap((executor) =>
    Object.entries(executor.actions).map(([name, action]) => {
      const generated = z.toJSONSchema(action.input, {
        target: "draft-2020-12",
        unrepresentable: "any",
        io: "input",
      }) as JsonSchema;
      delete generated.$schema;
      const schema: JsonSchema = { description: action.description, ...strictInputs(generated) };
      const required = Array.isArray(schema.required) ? schema.required : [];
      return { uses: `${executor.name}.${name}`, schema, requiresInputs: required.length > 0 };
    }),
  );
}

/** The action's object itself: its keys closed, each value open to an expression. */
function strictInputs(node: JsonSchema): JsonSchema {
  return closeObject(mapChildren(node, templatable));
}

/** A value position: the value as the schema says, or an expression standing for it. */
function templatable(node: JsonSchema): JsonSchema {
  const inner = closeObject(mapChildren(node, templatable));
  if (acceptsAnyString(inner)) return inner;
  const { description, default: fallback, examples, ...rest } = inner;
  return {
    ...(description === undefined ? {} : { description }),
    ...(fallback === undefined ? {} : { default: fallback }),
    ...(examples === undefined ? {} : { examples }),
    anyOf: [rest, EXPRESSION_REF],
  };
}

/** z.object leaves unknown keys open in input mode (it strips them); the editor flags them. */
function closeObject(node: JsonSchema): JsonSchema {
  if (node.type === "object" && node.properties !== undefined && node.additionalProperties === undefined) {
    return { ...node, additionalProperties: false };
  }
  return node;
}

function acceptsAnyString(node: JsonSchema): boolean {
  const keys = Object.keys(node).filter(
    (key) => !["description", "default", "examples", "title"].includes(key),
  );
  if (keys.length === 0) return true; // any value at all
  // Every expression is at least one character long, so a non-empty string already takes one.
  const open = keys.every((key) => key === "type" || (key === "minLength" && Number(node.minLength) <= 1));
  return open && node.type === "string";
}

/**
 * Applies `map` to every value position directly below `node` (object properties, record
 * values, array items); branches of a union stay branches, each with its own value positions.
 */
function mapChildren(node: JsonSchema, map: (child: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  if (isSchema(node.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, child]) => [key, map(child as JsonSchema)]),
    );
  }
  if (isSchema(node.additionalProperties)) out.additionalProperties = map(node.additionalProperties);
  if (isSchema(node.items)) out.items = map(node.items);
  if (Array.isArray(node.prefixItems))
    out.prefixItems = node.prefixItems.map((item: JsonSchema) => map(item));
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const branches = node[key];
    if (Array.isArray(branches)) {
      out[key] = branches.map((branch: JsonSchema) => closeObject(mapChildren(branch, map)));
    }
  }
  return out;
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
