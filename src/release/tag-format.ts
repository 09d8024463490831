// How versions become tag names and back. A tag template holds `{version}` once (`v{version}`,
// `api-v{version}`, `{version}`); a release-candidate format holds `{n}` once and starts with `-`
// (`-rc.{n}` gives v1.2.3-rc.1, `-rc{n}` gives v3.7.0-rc1). RC numbers are compared as numbers,
// never as text, so rc10 comes after rc9 (semver's own ordering would put `rc10` before `rc9`).
// The separator before the number does not tell RCs apart: with `-rc{n}` an existing
// v1.4.0-rc.12 (or -rc-12) is RC 12 all the same, so a history that changed style numbers on
// from its highest RC (the next is v1.4.0-rc13) instead of starting over below it.
import semver from "semver";

export const DEFAULT_TAG_TEMPLATE = "v{version}";
export const DEFAULT_RC_FORMAT = "-rc.{n}";

export interface TagFormat {
  template: string;
  rcFormat: string;
}

export interface ParsedTag {
  tag: string;
  /** The full version in the tag: 1.2.0 or 1.2.0-rc.3. */
  version: string;
  /** The version without prerelease: 1.2.0. */
  base: string;
  /** Prerelease text without the dash (`rc.3`), when any. */
  prerelease?: string;
  /** The RC number when the prerelease follows the RC format. */
  rc?: number;
}

const VERSION_PATTERN = String.raw`\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?`;

/** Returns a problem description, or undefined when the template is usable. */
export function tagTemplateProblem(template: string): string | undefined {
  if (template.split("{version}").length !== 2) return `tag format "${template}" must contain {version} once`;
  if (template.startsWith("-")) return `tag format "${template}" must not start with "-"`;
  if (/[\s~^:?*[\\]|\.\.|@\{/.test(template.replace("{version}", "")))
    return `tag format "${template}" contains characters git does not allow in tag names`;
  return undefined;
}

export function rcFormatProblem(rcFormat: string): string | undefined {
  if (rcFormat.split("{n}").length !== 2) return `rc format "${rcFormat}" must contain {n} once`;
  if (!/^-[0-9A-Za-z.-]*$/.test(rcFormat.replace("{n}", "")))
    return `rc format "${rcFormat}" must start with "-" and use only letters, digits, "." and "-"`;
  return undefined;
}

export function formatTag(template: string, version: string): string {
  return template.replace("{version}", version);
}

/** 1.2.0 + `-rc.{n}` + 3 → 1.2.0-rc.3 */
export function formatRcVersion(base: string, rcFormat: string, n: number): string {
  return `${base}${rcFormat.replace("{n}", String(n))}`;
}

export function parseTag(tag: string, format: TagFormat): ParsedTag | undefined {
  const [before, after] = format.template.split("{version}") as [string, string];
  const pattern = new RegExp(`^${escapeRegExp(before)}(${VERSION_PATTERN})${escapeRegExp(after)}$`);
  const match = pattern.exec(tag);
  if (!match) return undefined;
  const parsed = semver.parse(match[1]);
  if (!parsed) return undefined;
  const base = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
  if (parsed.prerelease.length === 0) return { tag, version: parsed.version, base };
  const prerelease = parsed.prerelease.join(".");
  const rc = rcNumber(`-${prerelease}`, format.rcFormat);
  return rc === undefined
    ? { tag, version: parsed.version, base, prerelease }
    : { tag, version: parsed.version, base, prerelease, rc };
}

function rcNumber(suffix: string, rcFormat: string): number | undefined {
  const [before, after] = rcFormat.split("{n}") as [string, string];
  // `-rc.{n}`, `-rc{n}` and `-rc-{n}` are one style family: the word before the number counts.
  const word = before.replace(/[.-]$/, "");
  const family = `^${escapeRegExp(word)}[.-]?(\\d+)${escapeRegExp(after)}$`;
  const match = new RegExp(family).exec(suffix);
  return match ? Number(match[1]) : undefined;
}

/** The next RC number for `base`: one more than the highest existing RC tag, starting at 1. */
export function nextRcNumber(tags: readonly string[], base: string, format: TagFormat): number {
  let highest = 0;
  for (const tag of tags) {
    const parsed = parseTag(tag, format);
    if (parsed?.rc !== undefined && parsed.base === base) highest = Math.max(highest, parsed.rc);
  }
  return highest + 1;
}

/** `v1.2.0` or `1.2.0` → `1.2.0`; undefined when the text is not a semantic version. */
export function normaliseVersion(text: string): string | undefined {
  return semver.valid(withoutVPrefix(text)) ?? undefined;
}

/** ` v1.2.0 ` → `1.2.0`, `Unreleased` → `Unreleased`: the `v` goes only before a digit. */
export function withoutVPrefix(text: string): string {
  return text.trim().replace(/^v(?=\d)/i, "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
