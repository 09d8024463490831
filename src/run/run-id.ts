// Run ids sort by time and read like one: 20261122T101500Z-3fa2.
import { randomBytes } from "node:crypto";

export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}
