// The JSON Schema of the playbook format, generated from the zod schemas (never written by
// hand), for editor completion: `relctl schema > relctl.schema.json`.
import { z } from "zod";
import { playbookFileSchema } from "./schema.js";

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
  };
}
