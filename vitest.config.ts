import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real child processes and servers. The timeouts only guard against a hang: tests wait on
    // events (a line, a file, an exit), so a slow or loaded machine makes them slower, not red.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most tests wait on child processes and servers; one worker per core keeps both cores busy
    // (vitest's default leaves one idle). RELCTL_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.RELCTL_TEST_WORKERS) || Math.max(2, availableParallelism()),
  },
});
