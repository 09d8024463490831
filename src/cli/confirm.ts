// Asking before changing things. A prompt only when a person is there (stdin is a TTY and CI is
// not set); everywhere else --yes is required, so a CI job never hangs on a question.
import { createInterface } from "node:readline/promises";
import { usageError } from "../errors.js";
import type { Io } from "./io.js";

export async function confirmOrRefuse(question: string, yes: boolean, io: Io): Promise<boolean> {
  if (yes) return true;
  const ci = io.env.CI !== undefined && io.env.CI !== "" && io.env.CI !== "false";
  if (!io.stdinIsTty || ci) {
    throw usageError(
      `${question.replace(/\?$/, "")}: refusing to go on without confirmation`,
      "pass --yes to confirm (CI jobs always pass --yes), or --dry-run to see the plan",
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
