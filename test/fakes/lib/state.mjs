// State the fakes keep between calls: JSON files under the directory an environment variable
// names, written atomically (a killed fake never leaves half a file behind). Every call is
// appended to calls.jsonl so tests can see the exact argv a tool received.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";

export function stateDir(variable, tool) {
  const dir = process.env[variable];
  if (!dir) {
    process.stderr.write(`fake ${tool}: set ${variable} to a directory for its state\n`);
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function logCall(dir, argv) {
  appendFileSync(join(dir, "calls.jsonl"), `${JSON.stringify({ argv })}\n`);
}

export function readJson(path, fallback) {
  if (!existsSync(path)) return fallback;
  return JSON.parse(readFileSync(path, "utf8"));
}

export function writeJson(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}
