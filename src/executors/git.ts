// The git executor: release work on a repository through simple-git (argv arrays, never a shell).
// Read-only checks and the version computation are dry-run safe so `relctl plan` shows the real
// next version; everything that writes refuses to move or delete a tag or a branch, and can be
// re-run after a partial failure. Actions and their inputs/outputs: docs/release-versions.md.
import type { Executor } from "./contract.js";
import { createBranchAction, hotfixBranch } from "./git/branches.js";
import { changelogCut, changelogNotes } from "./git/changelog.js";
import { ensureBranch, ensureClean, fetchTags } from "./git/checks.js";
import { cherryPick } from "./git/cherry-pick.js";
import { promoteRc, pushTag, tag } from "./git/tags.js";
import { checkHotfix, nextVersion } from "./git/versions.js";

const git: Executor = {
  name: "git",
  description: "Release work on a git repository: checks, versions, tags, branches, cherry-picks, changelog",
  actions: {
    ensure_clean: ensureClean,
    ensure_branch: ensureBranch,
    fetch_tags: fetchTags,
    next_version: nextVersion,
    check_hotfix: checkHotfix,
    tag,
    push_tag: pushTag,
    promote_rc: promoteRc,
    create_branch: createBranchAction,
    hotfix_branch: hotfixBranch,
    cherry_pick: cherryPick,
    changelog_cut: changelogCut,
    changelog_notes: changelogNotes,
  },
};

export default git;
