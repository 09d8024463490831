import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRepo, type TestRepo } from "../../helpers/git-repo.js";
import { manualClock } from "../../helpers/action-context.js";
import { fixture } from "../../release/changelog/fixtures.js";
import { gitAction, gitFailure } from "./run-action.js";

function repoWithChangelog(content = fixture("keep-a-changelog.md")): TestRepo {
  const repo = createRepo();
  repo.commit("docs: changelog", { "CHANGELOG.md": content });
  repo.tag("v1.1.1", { message: "1.1.1" });
  return repo;
}

const read = (repo: TestRepo) => readFileSync(join(repo.dir, "CHANGELOG.md"), "utf8");
const clock = manualClock(new Date("2026-03-04T23:30:00Z"));

describe("git.changelog_cut", () => {
  it("cuts the release dated by the run's clock and returns its notes", async () => {
    const repo = repoWithChangelog();
    const { outputs } = await gitAction("changelog_cut", { version: "1.2.0" }, repo, { clock });
    expect(outputs).toMatchObject({ version: "1.2.0", cut: true, added: 0, commit: "" });
    expect(outputs.highlights).toBe(
      "- v1.1 Brazilian Portuguese translation.\n- v1.1 German Translation\n- Use frontmatter title & description in each language version template",
    );
    expect(read(repo)).toContain("## [Unreleased]\n\n## [1.2.0] - 2026-03-04\n\n### Added");
    expect(read(repo)).toContain(
      "[1.2.0]: https://github.com/olivierlacan/keep-a-changelog/compare/v1.1.1...v1.2.0",
    );
  });

  it("fills from the commits since the last release, then cuts and commits only the changelog", async () => {
    const repo = repoWithChangelog(fixture("empty-unreleased.md"));
    const feat = repo.commit("feat(api): paginate");
    repo.commit("chore: tidy");
    writeFileSync(join(repo.dir, "unrelated.txt"), "not part of the release commit\n");
    const { outputs } = await gitAction(
      "changelog_cut",
      { version: "v3.8.0", from_commits: true, date: "2026-01-15", commit: true },
      repo,
    );
    expect(outputs).toMatchObject({ version: "3.8.0", cut: true, added: 1 });
    expect(outputs.notes).toContain(`### Added\n\n- **api:** paginate (${feat.slice(0, 7)})`);
    expect(outputs.commit).toBe(repo.sha());
    expect(repo.git("log", "-1", "--format=%s").trim()).toBe("chore(release): 3.8.0");
    expect(repo.git("show", "--name-only", "--format=", "HEAD").trim()).toBe("CHANGELOG.md");
    expect(repo.git("status", "--porcelain").trim()).toBe("?? unrelated.txt");
  });

  it("does nothing on a re-run, and commits a cut left uncommitted by a failed run", async () => {
    const repo = repoWithChangelog();
    await gitAction("changelog_cut", { version: "1.2.0", date: "2026-01-15" }, repo);
    const cut = read(repo);
    const { outputs } = await gitAction(
      "changelog_cut",
      { version: "1.2.0", date: "2027-01-01", commit: true },
      repo,
    );
    expect(outputs).toMatchObject({ cut: false, commit: repo.sha() });
    expect(read(repo)).toBe(cut);
    expect(repo.git("status", "--porcelain").trim()).toBe("");
  });

  it("fails when [Unreleased] is empty and says how to proceed", async () => {
    const repo = repoWithChangelog(fixture("empty-unreleased.md"));
    const failure = await gitFailure("changelog_cut", { version: "3.8.0" }, repo);
    expect(failure.message).toBe("the [Unreleased] section has no entries to release as 3.8.0");
    expect(failure.hint).toMatch(/from_commits: true/);
    expect(read(repo)).toBe(fixture("empty-unreleased.md"));
  });

  it("fails when the file is missing, unless it may be created from commits", async () => {
    const repo = createRepo();
    repo.commit("feat: first");
    expect((await gitFailure("changelog_cut", { version: "0.1.0" }, repo)).message).toBe(
      "CHANGELOG.md does not exist",
    );
    await gitAction("changelog_cut", { version: "0.1.0", from_commits: true, date: "2026-01-15" }, repo);
    expect(read(repo)).toMatch(
      /^# Changelog\n\n## \[Unreleased\]\n\n## \[0\.1\.0\] - 2026-01-15\n\n### Added\n\n- first \(/,
    );
  });
});

describe("git.changelog_notes", () => {
  it("reads a version's notes and highlights", async () => {
    const repo = repoWithChangelog();
    const { outputs } = await gitAction("changelog_notes", { version: "1.1.0" }, repo);
    expect(outputs).toEqual({
      version: "1.1.0",
      date: "2019-02-15",
      notes:
        "### Added\n\n- Danish translation (#297).\n- Georgian translation from (#337).\n\n### Fixed\n\n- Italian translation (#332).",
      highlights:
        "- Danish translation (#297).\n- Georgian translation from (#337).\n- Italian translation (#332).",
    });
  });

  it("reads [Unreleased] by default", async () => {
    const repo = repoWithChangelog();
    expect((await gitAction("changelog_notes", {}, repo)).outputs.version).toBe("unreleased");
  });

  it("fails for a missing version and lists the ones it has", async () => {
    const repo = repoWithChangelog();
    const failure = await gitFailure("changelog_notes", { version: "9.0.0" }, repo);
    expect(failure.message).toBe("CHANGELOG.md has no section for 9.0.0");
    expect(failure.hint).toBe("it has: 1.1.1, 1.1.0, 1.0.0, 0.0.5, 0.0.1");
  });
});
