import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { createRepo } from "../helpers/git-repo.js";
import { captureIo } from "../helpers/capture-io.js";

function releasedRepo() {
  const repo = createRepo();
  repo.commit("feat: start");
  repo.tag("v1.2.0", { message: "1.2.0" });
  return repo;
}

describe("relctl version", () => {
  it("prints the next version first, then the bump and the commits that caused it", async () => {
    const repo = releasedRepo();
    const feat = repo.commit("feat(api): paginate");
    const chore = repo.commit("chore: tidy");
    const io = captureIo(repo.env);
    expect(await main(["version", "--repo", repo.dir], io)).toBe(0);
    expect(io.stdout()).toBe(
      [
        "1.3.0",
        "  previous release: v1.2.0 (1.2.0)",
        "  bump: minor: minor bump from 1.2.0 because of 1 feat commit",
        "  tag: v1.3.0",
        "  commits since v1.2.0: 2",
        `    ${chore.slice(0, 7)} chore: tidy`,
        `  * ${feat.slice(0, 7)} feat(api): paginate`,
        "  (* decided the bump)",
        "",
      ].join("\n"),
    );
  });

  it("prints one JSON object with --json", async () => {
    const repo = releasedRepo();
    repo.commit("fix: bug");
    const io = captureIo(repo.env);
    expect(await main(["version", "--json", "--rc", "--rc-format", "-rc{n}", "-C", repo.dir], io)).toBe(0);
    const output = JSON.parse(io.stdout()) as Record<string, unknown>;
    expect(output).toMatchObject({
      version: "1.2.1-rc1",
      tag: "v1.2.1-rc1",
      bump: "patch",
      previous_tag: "v1.2.0",
    });
    expect(io.stdout().trim().split("\n")).toHaveLength(1);
  });

  it("follows --force-version and --tag-format", async () => {
    const repo = createRepo();
    repo.commit("feat: start");
    repo.tag("api-v0.9.0");
    repo.commit("fix: bug");
    const io = captureIo(repo.env);
    await main(
      ["version", "--json", "--tag-format", "api-v{version}", "--force-version", "1.0.0", "--repo", repo.dir],
      io,
    );
    expect(JSON.parse(io.stdout())).toMatchObject({ version: "1.0.0", tag: "api-v1.0.0", bump: "forced" });
  });

  it("refuses a hotfix with other commits and lists them (exit 1)", async () => {
    const repo = releasedRepo();
    const feat = repo.commit("feat: not allowed");
    const io = captureIo(repo.env);
    expect(await main(["version", "--hotfix", "--repo", repo.dir], io)).toBe(1);
    expect(io.stderr()).toContain(
      `${feat.slice(0, 7)} feat: not allowed (type feat; allowed: fix, chore(security))`,
    );
    expect(io.stderr()).toContain("hint: drop or move these commits");
  });

  it.each([
    [["--tag-format", "v"], /must contain \{version\} once/],
    [["--force-version", "two"], /--force-version "two" is not a semantic version/],
  ])("rejects bad options %j with exit 2", async (args, message) => {
    const repo = releasedRepo();
    const io = captureIo(repo.env);
    expect(await main(["version", ...args, "--repo", repo.dir], io)).toBe(2);
    expect(io.stderr()).toMatch(message);
  });

  it("refuses a directory outside a git repository (exit 2), without git's fatal line", async () => {
    const io = captureIo({});
    expect(await main(["version", "--repo", "/"], io)).toBe(2);
    expect(io.stderr()).toContain("/ is not a git repository");
    expect(io.stderr()).not.toContain("fatal:");
  });
});
