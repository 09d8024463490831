// Stand-in for `npm` in the train's end-to-end tests: records every call (the build's test
// suite, the smoke tests against staging) and succeeds, or exits with RELCTL_STAND_IN_NPM_EXIT.
import { appendFileSync } from "node:fs";
import process from "node:process";

const args = process.argv.slice(2);
if (process.env.RELCTL_STAND_IN_LOG) {
  appendFileSync(
    process.env.RELCTL_STAND_IN_LOG,
    `${JSON.stringify({ program: "npm", argv: args, cwd: process.cwd() })}\n`,
  );
}
if (args[0] === "--version") process.stdout.write("10.8.2\n");
else process.stdout.write(`npm ${args.join(" ")}: ok\n`);
process.exitCode = Number(process.env.RELCTL_STAND_IN_NPM_EXIT ?? "0");
