import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real child processes and servers: give them room, but keep a hang from stalling CI.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
