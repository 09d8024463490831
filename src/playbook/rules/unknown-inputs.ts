// A key under `with:` that the action does not take. Most action schemas are zod objects that
// strip unknown keys, so `namepsace: prod` under helm.upgrade would be dropped without a word and
// the step would deploy to the default namespace. Every key the action's schema cannot know is
// reported before anything runs, with the closest key it does know.
import { z } from "zod";
import type { Action } from "../../executors/contract.js";

/** The keys an action's input object takes, or undefined when it takes any (or is no object). */
const knownKeysCache = new WeakMap<Action, ReadonlySet<string> | undefined>();

export function knownInputKeys(action: Action): ReadonlySet<string> | undefined {
  if (knownKeysCache.has(action)) return knownKeysCache.get(action);
  const keys = objectKeys(action.input);
  knownKeysCache.set(action, keys);
  return keys;
}

/** The keys of input (a record) that the action does not take, in the order written. */
export function unknownInputKeys(action: Action, input: unknown): string[] {
  const known = knownInputKeys(action);
  if (!known || input === null || typeof input !== "object" || Array.isArray(input)) return [];
  return Object.keys(input).filter((key) => !known.has(key));
}

function objectKeys(schema: z.ZodType): Set<string> | undefined {
  if (schema instanceof z.ZodObject) {
    // A catchall (looseObject, or strictObject whose own check already reports the key) means
    // the schema decides about extra keys itself.
    if (schema.def.catchall !== undefined) return undefined;
    return new Set(Object.keys(schema.shape));
  }
  if (schema instanceof z.ZodPipe) return objectKeys(schema.in as z.ZodType);
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNullable
  ) {
    return objectKeys(schema.def.innerType as z.ZodType);
  }
  if (schema instanceof z.ZodUnion) {
    const all = new Set<string>();
    for (const option of schema.options as readonly z.ZodType[]) {
      const keys = objectKeys(option);
      if (!keys) return undefined;
      for (const key of keys) all.add(key);
    }
    return all;
  }
  if (schema instanceof z.ZodIntersection) {
    const left = objectKeys(schema.def.left as z.ZodType);
    const right = objectKeys(schema.def.right as z.ZodType);
    return left && right ? new Set([...left, ...right]) : undefined;
  }
  return undefined;
}
