import { readFileSync } from "node:fs";

let cached: string | undefined;

/** relctl's own version, from package.json (read once). */
export function relctlVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return cached;
}
