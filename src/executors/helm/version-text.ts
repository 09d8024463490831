// The one reading of helm's version output, shared by the helm executor (which builds v3 or v4
// flags from it) and `relctl doctor` (which reports it), so the two cannot disagree.
// `helm version --short` prints one line, `v3.17.3+ge4da497`; plain `helm version` prints
// `version.BuildInfo{Version:"v3.17.3", …}`. Only a line that is a version, or BuildInfo's
// Version field, counts: a version-like word in a warning or a path does not.

/** The majors relctl drives: v4 renamed --atomic and made --wait take a strategy. */
export const SUPPORTED_HELM_MAJORS = [3, 4] as const;

export interface ParsedHelmVersion {
  major: number;
  minor: number;
  patch: number;
  /** As helm prints it: v3.17.3+ge4da497. */
  version: string;
  /** major.minor.patch: 3.17.3. */
  semver: string;
}

function parsed(match: RegExpExecArray): ParsedHelmVersion {
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  return {
    major,
    minor,
    patch,
    version: `v${major}.${minor}.${patch}${match[4] ?? ""}`,
    semver: `${major}.${minor}.${patch}`,
  };
}

export function parseHelmVersion(text: string): ParsedHelmVersion | undefined {
  for (const line of text.split("\n")) {
    const short = /^v(\d+)\.(\d+)\.(\d+)(\S*)$/.exec(line.trim());
    if (short) return parsed(short);
  }
  const buildInfo = /version\.BuildInfo\{Version:"v(\d+)\.(\d+)\.(\d+)([^"]*)"/.exec(text);
  return buildInfo ? parsed(buildInfo) : undefined;
}

export const isSupportedHelmMajor = (major: number): major is (typeof SUPPORTED_HELM_MAJORS)[number] =>
  (SUPPORTED_HELM_MAJORS as readonly number[]).includes(major);
