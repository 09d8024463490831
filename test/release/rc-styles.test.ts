// A history whose RC tags changed style (`-rc.{n}` then `-rc{n}`, or back): the RC numbers of
// both styles count, so the next RC is one above the highest of either, in the configured style.
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openGit } from "../../src/release/git-client.js";
import { computeNextVersion } from "../../src/release/next-version.js";
import { captureIo } from "../helpers/capture-io.js";
import { createRepo, type TestRepo } from "../helpers/git-repo.js";

/** v1.3.0, then a feat with RC tags 1 to 12 in the dotted style, then one more fix. */
function dottedRcHistory(): TestRepo {
  const repo = createRepo();
  repo.commit("feat: start");
  repo.tag("v1.3.0", { message: "1.3.0" });
  repo.commit("feat: search");
  for (let n = 1; n <= 12; n++) {
    repo.tag(`v1.4.0-rc.${n}`, { message: `RC ${n}` });
    repo.commit(`fix: round ${n}`);
  }
  return repo;
}

async function versionJson(repo: TestRepo, args: string[]): Promise<Record<string, unknown>> {
  const io = captureIo(repo.env);
  expect(await main(["version", "--json", "--rc", "--repo", repo.dir, ...args], io)).toBe(0);
  return JSON.parse(io.stdout()) as Record<string, unknown>;
}

describe("RC numbers across RC styles", () => {
  it("with -rc{n} counts an existing v1.4.0-rc.12: the next RC is rc13", async () => {
    const repo = dottedRcHistory();
    expect(await versionJson(repo, ["--rc-format", "-rc{n}"])).toMatchObject({
      version: "1.4.0-rc13",
      tag: "v1.4.0-rc13",
      rc_number: 13,
    });
  });

  it("with -rc.{n} counts existing -rc{n} tags the same way", async () => {
    const repo = dottedRcHistory();
    repo.tag("v1.4.0-rc13", { message: "RC 13, new style" });
    repo.commit("fix: after the style change");
    expect(await versionJson(repo, [])).toMatchObject({ version: "1.4.0-rc.14", rc_number: 14 });
  });

  it("re-uses an RC of the other style already on HEAD, by its own name", async () => {
    const repo = dottedRcHistory();
    repo.tag("v1.4.0-rc.13", { message: "RC 13" });
    const result = await computeNextVersion(openGit({ dir: repo.dir, env: repo.env }), {
      format: { template: "v{version}", rcFormat: "-rc{n}" },
      rc: true,
      hotfix: false,
      initialVersion: "0.1.0",
    });
    expect(result).toMatchObject({
      version: "1.4.0-rc.13",
      tag: "v1.4.0-rc.13",
      rcNumber: 13,
      alreadyTagged: true,
    });
  });

  it("does not count another prerelease word (beta) as an RC", async () => {
    const repo = dottedRcHistory();
    repo.tag("v1.4.0-beta20");
    repo.commit("fix: one more");
    expect(await versionJson(repo, ["--rc-format", "-rc{n}"])).toMatchObject({ rc_number: 13 });
  });
});
