#!/usr/bin/env node
// Thin entry: the only place that turns an outcome into a process exit code.
// `--version` is answered before loading anything else, so it costs one file read.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // A reader that stops early (`relctl plan --json | head`) is not an error worth a stack trace.
  process.stdout.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  const { main } = await import("../dist/cli/main.js");
  process.exitCode = await main(args);
}
