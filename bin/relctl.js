#!/usr/bin/env node
// Thin entry: the only place that turns an outcome into a process exit code.
// `--version` is answered before loading anything else, so it costs one file read.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  let finished = false;
  // A reader that stops early (`relctl plan --json | head`) is not an error worth a stack trace.
  process.stdout.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    finished = true;
    process.exit(process.exitCode ?? 0);
  });
  // Ending before main() returned means something cut the run short behind relctl's back: a user
  // executor that called process.exit, or a top-level await in one that never settles (Node
  // exits 13 without a word). CI must not read that as success.
  process.on("exit", (code) => {
    if (finished) return;
    process.stderr.write(
      `error: relctl ended before the command finished (exit code ${code}): a user executor called process.exit, or its module never finished loading\n`,
    );
    if (code === 0 || code === 13) process.exitCode = 1;
  });
  const { main } = await import("../dist/cli/main.js");
  process.exitCode = await main(args);
  finished = true;
}
