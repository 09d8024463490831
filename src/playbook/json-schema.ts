// The JSON Schema of the playbook format, generated from the zod schemas (never written by
// hand), for editor completion: `relctl schema > relctl.schema.json`.
import { z } from "zod";
import { OWN_KEY, playbookFileSchema } from "./schema.js";

export function playbookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(playbookFileSchema, {
    target: "draft-2020-12",
    unrepresentable: "any",
    io: "input",
  });
  return {
    $id: "https://relctl.dev/schema/playbook-v1.json",
    title: "relctl playbook (relctl/v1)",
    ...schema,
    // Top-level `x-` keys are the playbook's own (anchors to merge into steps); the loader drops
    // them before the strict schema sees the file, so the editor's schema must allow them too.
    patternProperties: { [OWN_KEY.source]: { description: "the playbook's own: YAML anchors and notes" } },
  };
}
