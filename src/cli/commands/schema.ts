// `relctl schema`: the JSON Schema of the playbook format, generated from the zod schemas.
import { playbookJsonSchema } from "../../playbook/json-schema.js";
import type { GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";

export async function schemaCommand(_options: GlobalOptions, io: Io): Promise<number> {
  io.out(`${JSON.stringify(await playbookJsonSchema(), null, 2)}\n`);
  return 0;
}
