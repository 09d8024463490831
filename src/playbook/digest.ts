// A digest of every file a playbook was built from: what a plan (and later an approval) is for.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Playbook } from "./model.js";

export async function playbookDigest(playbook: Playbook): Promise<string> {
  const hash = createHash("sha256");
  for (const file of playbook.files) {
    hash
      .update(file)
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}
