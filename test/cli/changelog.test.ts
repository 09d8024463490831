import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { fixture } from "../release/changelog/fixtures.js";
import { createRepo } from "../helpers/git-repo.js";
import { captureIo } from "../helpers/capture-io.js";

function repoWithChangelog(content = fixture("keep-a-changelog.md")) {
  const repo = createRepo();
  repo.commit("docs: changelog", { "CHANGELOG.md": content });
  repo.tag("v1.1.1");
  return repo;
}

const changelogOf = (dir: string) => readFileSync(join(dir, "CHANGELOG.md"), "utf8");

describe("relctl changelog", () => {
  it("prints [Unreleased] by default and a version's notes with --notes", async () => {
    const repo = repoWithChangelog();
    const io = captureIo(repo.env);
    expect(await main(["changelog", "--repo", repo.dir], io)).toBe(0);
    expect(io.stdout()).toMatch(/^### Added\n\n- v1\.1 Brazilian Portuguese translation\./);
    const notes = captureIo(repo.env);
    await main(["changelog", "--notes", "v1.0.0", "--repo", repo.dir], notes);
    expect(notes.stdout()).toBe(
      "### Added\n\n- New visual identity by [@tylerfortune8](https://github.com/tylerfortune8).\n",
    );
  });

  it("cuts a release on the given date", async () => {
    const repo = repoWithChangelog();
    const io = captureIo(repo.env);
    expect(await main(["changelog", "--cut", "1.2.0", "--date", "2026-02-03", "--repo", repo.dir], io)).toBe(
      0,
    );
    expect(io.stdout()).toBe("cut 1.2.0 (2026-02-03) in CHANGELOG.md\n");
    expect(changelogOf(repo.dir)).toContain("## [Unreleased]\n\n## [1.2.0] - 2026-02-03\n");
    const again = captureIo(repo.env);
    await main(["changelog", "--cut", "1.2.0", "--repo", repo.dir], again);
    expect(again.stdout()).toBe("CHANGELOG.md already has 1.2.0; nothing changed\n");
  });

  it("fills from commits and cuts, printing JSON", async () => {
    const repo = repoWithChangelog(fixture("empty-unreleased.md"));
    const fix = repo.commit("fix: crash");
    const io = captureIo(repo.env);
    await main(
      ["changelog", "--cut", "3.7.1", "--from-commits", "--date", "2026-02-03", "--json", "--repo", repo.dir],
      io,
    );
    const output = JSON.parse(io.stdout()) as { cut: boolean; added: number; notes: string };
    expect(output).toMatchObject({ cut: true, added: 1 });
    expect(output.notes).toContain(`- crash (${fix.slice(0, 7)})`);
  });

  it("only fills [Unreleased] with --from-commits alone", async () => {
    const repo = repoWithChangelog();
    repo.commit("feat: dark mode");
    const io = captureIo(repo.env);
    await main(["changelog", "--from-commits", "--repo", repo.dir], io);
    expect(io.stdout()).toBe("added 1 entry to [Unreleased] in CHANGELOG.md\n");
    expect(changelogOf(repo.dir)).toContain("- v1.1 German Translation\n- dark mode (");
  });

  it("fails with exit 1 and a hint when [Unreleased] is empty", async () => {
    const repo = repoWithChangelog(fixture("empty-unreleased.md"));
    const io = captureIo(repo.env);
    expect(await main(["changelog", "--cut", "3.8.0", "--repo", repo.dir], io)).toBe(1);
    expect(io.stderr()).toContain("the [Unreleased] section has no entries to release as 3.8.0");
    expect(changelogOf(repo.dir)).toBe(fixture("empty-unreleased.md"));
  });

  it.each([
    [["--cut", "1.2.0", "--notes", "1.1.0"], /do not go together/],
    [["--cut", "next"], /is not a semantic version/],
    [["--cut", "1.2.0", "--date", "tomorrow"], /is not a date/],
  ])("rejects %j with exit 2", async (args, message) => {
    const repo = repoWithChangelog();
    const io = captureIo(repo.env);
    expect(await main(["changelog", ...args, "--repo", repo.dir], io)).toBe(2);
    expect(io.stderr()).toMatch(message);
  });

  it("names the versions it has when asked for one it does not (exit 2)", async () => {
    const repo = repoWithChangelog();
    writeFileSync(join(repo.dir, "NOTES.md"), fixture("no-links.md"));
    const io = captureIo(repo.env);
    expect(await main(["changelog", "--notes", "9.9.9", "--file", "NOTES.md", "--repo", repo.dir], io)).toBe(
      2,
    );
    expect(io.stderr()).toContain("hint: it has: 2.3.0, 2.2.1");
  });
});

describe("relctl changelog --cut next to a placeholder and older releases", () => {
  // A placeholder for the next major, undated, kept above [Unreleased] while 4.6.x ships.
  const withPlaceholder = [
    "# Changelog",
    "",
    "## 5.0.0 - TBD",
    "",
    "- the big rewrite, once it is ready",
    "",
    "## [Unreleased]",
    "",
    "### Fixed",
    "",
    "- retries no longer double-post",
    "",
    "## [4.6.6] - 2026-11-30",
    "",
    "### Fixed",
    "",
    "- a crash",
    "",
    "[Unreleased]: https://github.com/acme/api/compare/v4.6.6...HEAD",
    "[4.6.6]: https://github.com/acme/api/compare/v4.6.5...v4.6.6",
    "",
  ].join("\n");

  it("models the new heading on the newest dated release, not on the undated placeholder", async () => {
    const repo = repoWithChangelog(withPlaceholder);
    const io = captureIo(repo.env);
    const args = ["changelog", "--cut", "4.6.7", "--date", "2026-12-07", "--repo", repo.dir];
    expect(await main(args, io)).toBe(0);
    const content = changelogOf(repo.dir);
    expect(content).toContain(
      "## [Unreleased]\n\n## [4.6.7] - 2026-12-07\n\n### Fixed\n\n- retries no longer double-post\n",
    );
    expect(content).toContain("## 5.0.0 - TBD\n");
    expect(content).not.toContain("TBD - 2026");
    expect(content).toContain(
      [
        "[Unreleased]: https://github.com/acme/api/compare/v4.6.7...HEAD",
        "[4.6.7]: https://github.com/acme/api/compare/v4.6.6...v4.6.7",
        "[4.6.6]: https://github.com/acme/api/compare/v4.6.5...v4.6.6",
      ].join("\n"),
    );
  });

  it.each(["4.6.5", "4.6.6-rc.1", "3.0.0"])(
    "refuses %s, which does not move forward from 4.6.6, and leaves the file alone (exit 1)",
    async (version) => {
      const repo = repoWithChangelog(withPlaceholder);
      const io = captureIo(repo.env);
      expect(await main(["changelog", "--cut", version, "--repo", repo.dir], io)).toBe(1);
      expect(io.stderr()).toContain(
        `version ${version} is not greater than the newest release in the changelog, 4.6.6 (line 13)`,
      );
      expect(io.stderr()).toContain("hint: versions only move forwards; pick a higher version");
      expect(changelogOf(repo.dir)).toBe(withPlaceholder);
    },
  );

  it("re-running the cut of the newest release changes nothing (exit 0)", async () => {
    const repo = repoWithChangelog(withPlaceholder);
    const io = captureIo(repo.env);
    expect(await main(["changelog", "--cut", "4.6.6", "--repo", repo.dir], io)).toBe(0);
    expect(io.stdout()).toBe("CHANGELOG.md already has 4.6.6; nothing changed\n");
  });
});
