// Real git repositories in temp dirs for tests: a working repository and, by default, a bare
// remote it pushes to (`origin`). Identity, dates and config are fixed so histories are
// reproducible and no user or system git config leaks in.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface TestRepo {
  dir: string;
  /** The bare remote's directory (undefined with `remote: false`). */
  remote: string | undefined;
  /** The environment tests give git and relctl: temp HOME, fixed identity, no system config. */
  env: Record<string, string>;
  git(...args: string[]): string;
  /** Writes files (default: one file named after the commit count) and commits; returns the sha. */
  commit(message: string, files?: Record<string, string>): string;
  /** An annotated tag when a message is given, a lightweight tag otherwise. */
  tag(name: string, options?: { message?: string; ref?: string }): void;
  sha(ref?: string): string;
  /** The commit a tag on the remote points at, or undefined. */
  remoteTagCommit(tag: string): string | undefined;
}

export function createRepo(options: { remote?: boolean; branch?: string } = {}): TestRepo {
  const root = mkdtempSync(join(tmpdir(), "relctl-git-"));
  const dir = join(root, "work");
  const home = join(root, "home");
  mkdirSync(dir);
  mkdirSync(home);
  const branch = options.branch ?? "main";
  let clock = Date.UTC(2024, 0, 1) / 1000;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Release Bot",
    GIT_AUTHOR_EMAIL: "bot@example.com",
    GIT_COMMITTER_NAME: "Release Bot",
    GIT_COMMITTER_EMAIL: "bot@example.com",
    LANG: "C",
  };
  const run = (cwd: string, args: string[]): string => {
    clock += 60;
    const date = `@${clock} +0000`;
    return execFileSync("git", args, {
      cwd,
      env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  };
  run(dir, ["init", "--quiet", `--initial-branch=${branch}`]);
  run(dir, ["config", "user.name", "Release Bot"]);
  run(dir, ["config", "user.email", "bot@example.com"]);
  run(dir, ["config", "commit.gpgsign", "false"]);
  run(dir, ["config", "tag.gpgsign", "false"]);
  let remote: string | undefined;
  if (options.remote !== false) {
    remote = join(root, "remote.git");
    run(root, ["init", "--quiet", "--bare", `--initial-branch=${branch}`, remote]);
    run(dir, ["remote", "add", "origin", remote]);
  }
  let commits = 0;
  const repo: TestRepo = {
    dir,
    remote,
    env,
    git: (...args) => run(dir, args),
    commit(message, files) {
      commits++;
      for (const [name, content] of Object.entries(files ?? { [`file-${commits}.txt`]: `${message}\n` })) {
        const path = join(dir, name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      }
      run(dir, ["add", "--all"]);
      run(dir, ["commit", "--quiet", "--allow-empty", "--message", message]);
      return repo.sha();
    },
    tag(name, tagOptions = {}) {
      const ref = tagOptions.ref ?? "HEAD";
      if (tagOptions.message === undefined) run(dir, ["tag", name, ref]);
      else run(dir, ["tag", "--annotate", name, "--message", tagOptions.message, ref]);
    },
    sha: (ref = "HEAD") => run(dir, ["rev-parse", `${ref}^{commit}`]).trim(),
    remoteTagCommit(tag) {
      if (!remote) return undefined;
      try {
        return (
          run(remote, ["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`]).trim() || undefined
        );
      } catch {
        return undefined;
      }
    },
  };
  return repo;
}

/** A second clone of the same remote, as a colleague (or CI) would have. */
export function cloneRemote(repo: TestRepo): TestRepo {
  const other = createRepo({ remote: false });
  other.git("remote", "add", "origin", repo.remote!);
  other.git("fetch", "--quiet", "origin");
  other.git("checkout", "--quiet", "-B", "main", "origin/main");
  return { ...other, remote: repo.remote, remoteTagCommit: repo.remoteTagCommit };
}
