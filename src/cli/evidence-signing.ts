// Signing an evidence bundle: cosign sign-blob over checksums.txt, which names the sha256 of
// every other file, so one signature covers the whole bundle. The key is a file, env://VAR or
// a KMS URI, exactly as cosign takes it; a password comes from COSIGN_PASSWORD in the environment.
import { StepFailure } from "../executors/contract.js";
import type { SignHook, SignaturePaths } from "../state/evidence.js";
import { lastLines, STDERR_TAIL_LINES } from "../util/text.js";

export function evidenceSigner(key: string, env: Readonly<Record<string, string | undefined>>): SignHook {
  return async (paths: SignaturePaths) => {
    const argv = [
      "cosign",
      "sign-blob",
      "--yes",
      "--key",
      key,
      "--output-signature",
      paths.signature,
      "--bundle",
      paths.bundle,
      paths.checksums,
    ];
    const password = env.COSIGN_PASSWORD;
    // Loaded only when a run signs: execa stays off every other run's start-up path.
    const { createProcessRunner } = await import("../run/process-runner.js");
    const result = await createProcessRunner().run(
      argv,
      password === undefined ? {} : { env: { COSIGN_PASSWORD: password } },
    );
    if (result.exitCode !== 0) {
      throw new StepFailure(`cosign sign-blob exited with code ${result.exitCode}`, {
        command: argv,
        exitCode: result.exitCode,
        stderrTail: lastLines(result.stderr, STDERR_TAIL_LINES),
      });
    }
  };
}
