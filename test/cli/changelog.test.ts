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
      ["changelog", "--cut", "1.1.2", "--from-commits", "--date", "2026-02-03", "--json", "--repo", repo.dir],
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
