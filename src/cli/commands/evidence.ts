// `relctl evidence verify <dir> [--key cosign.pub]`: recompute every checksum, compare the
// manifest with the journal, check the signature, and name anything that was changed.
import { resolve } from "node:path";
import { createProcessRunner } from "../../run/process-runner.js";
import {
  formatEvidenceReport,
  verifyEvidence,
  type VerifySignatureHook,
} from "../../state/evidence-verify.js";
import { cwdOf, type GlobalOptions } from "../global-options.js";
import type { Io } from "../io.js";

export async function evidenceVerifyCommand(
  dir: string,
  verify: { key?: string; requireSignature?: boolean },
  options: GlobalOptions,
  io: Io,
): Promise<number> {
  const report = await verifyEvidence(resolve(cwdOf(options), dir), {
    ...(verify.key ? { verifySignature: cosignVerifyBlob(verify.key) } : {}),
    requireSignature: verify.requireSignature === true,
  });
  io.out(options.json ? `${JSON.stringify(report)}\n` : formatEvidenceReport(report));
  return report.ok ? 0 : 1;
}

function cosignVerifyBlob(key: string): VerifySignatureHook {
  return async (paths) => {
    const argv = ["cosign", "verify-blob", "--key", key, "--bundle", paths.bundle, paths.checksums];
    const result = await createProcessRunner()
      .run(argv)
      .catch((error: unknown) => ({
        exitCode: -1,
        stderr: error instanceof Error ? error.message : String(error),
      }));
    const message = result.stderr.trim().split("\n").at(-1) ?? "";
    return {
      ok: result.exitCode === 0,
      message: result.exitCode === 0 ? "verified with cosign verify-blob" : message,
    };
  };
}
