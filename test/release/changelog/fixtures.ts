// The real-world changelog shapes in test/fixtures/changelogs, plus a CRLF copy of each (made
// here rather than stored, so no editor or git setting can quietly normalise the endings).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const FIXTURE_DIR = join(import.meta.dirname, "..", "..", "fixtures", "changelogs");

export function fixture(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), "utf8");
}

export function allFixtures(): [string, string][] {
  const names = readdirSync(FIXTURE_DIR).filter((name) => name.endsWith(".md"));
  return names.flatMap((name): [string, string][] => {
    const lf = fixture(name);
    return [
      [name, lf],
      [`${name} with CRLF endings`, lf.replace(/\n/g, "\r\n")],
    ];
  });
}

/** True when `needles` appear in `haystack` in the same order (other lines may sit between). */
export function isSubsequence(needles: readonly string[], haystack: readonly string[]): boolean {
  let position = 0;
  for (const line of haystack) if (position < needles.length && line === needles[position]) position++;
  return position === needles.length;
}

export const textLines = (content: string): string[] => content.split(/\r?\n/);
