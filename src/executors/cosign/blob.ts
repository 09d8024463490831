// cosign.sign_blob and cosign.verify_blob: signatures on files (release archives, evidence
// bundles), kept in a bundle file next to them.
import { existsSync } from "node:fs";
import { z } from "zod";
import { defineAction, StepFailure, type ActionContext } from "../contract.js";
import { runPath, runTool } from "../shared/command.js";
import { optionValue, positional } from "../shared/fields.js";
import {
  cosignFailure,
  keyArgument,
  keyMaterial,
  keyRequired,
  oneKey,
  signingKeyFields,
  verifierArgs,
  verifierGiven,
  verifierRequired,
  verifyingKeyArgument,
  verifyingKeyFields,
  verifyingKeyMaterial,
} from "./common.js";
import { sha256OfFile } from "../../util/hash.js";

const fileField = positional("file").describe("the file, relative to the run's directory");
const bundleField = optionValue("bundle")
  .optional()
  .describe(
    "the bundle file (signature, and certificate and log entry when there are any); default FILE.bundle",
  );

/** The bundle the step names, or FILE.bundle. */
const bundleOf = (input: { file: string; bundle?: string | undefined }): string =>
  input.bundle ?? `${input.file}.bundle`;

async function fileDigest(ctx: ActionContext, file: string, what: string): Promise<string> {
  const path = runPath(ctx, file);
  if (!existsSync(path)) {
    throw new StepFailure(`${what} ${file} does not exist (looked at ${path})`, {
      hint: "check the path; it is relative to the run's directory",
    });
  }
  return sha256OfFile(path);
}

const signBlobInput = z
  .object({ file: fileField, bundle: bundleField, ...signingKeyFields })
  .refine(oneKey, keyRequired);
type SignBlobInput = z.output<typeof signBlobInput>;

function signBlobArgv(input: SignBlobInput, key: string): string[] {
  return [
    "cosign",
    "sign-blob",
    "--yes",
    "--key",
    key,
    "--bundle",
    bundleOf(input),
    ...(input.tlog_upload ? [] : ["--tlog-upload=false"]),
    input.file,
  ];
}

export const signBlob = defineAction({
  description: "Sign a file with cosign, writing a bundle next to it",
  input: signBlobInput,
  outputs: {
    file: "the signed file",
    bundle: "absolute path of the bundle",
    sha256: "sha256 of the file (hex)",
    signature: "the base64 signature cosign printed (empty when it printed none)",
  },
  mutates: true,
  plan: (input) => ({ summary: `sign ${input.file}`, argv: signBlobArgv(input, keyArgument(input)) }),
  run: async (ctx, input) => {
    const material = keyMaterial(ctx, input, "private");
    const sha256 = await fileDigest(ctx, input.file, "the file");
    const result = await runTool(ctx, signBlobArgv(input, material.argument), { env: material.env });
    if (result.exitCode !== 0) throw cosignFailure(`cosign sign-blob ${input.file} failed`, result);
    const bundle = runPath(ctx, bundleOf(input));
    const signature = result.stdout.trim().split("\n").pop() ?? "";
    ctx.record("cosign.blob_signature", { file: input.file, sha256, bundle });
    return {
      file: input.file,
      bundle,
      sha256,
      signature: /^[A-Za-z0-9+/=]+$/.test(signature) ? signature : "",
    };
  },
});

const verifyBlobInput = z
  .object({ file: fileField, bundle: bundleField, ...verifyingKeyFields })
  .refine(verifierGiven, verifierRequired);
type VerifyBlobInput = z.output<typeof verifyBlobInput>;

function verifyBlobArgv(input: VerifyBlobInput, key: string | undefined): string[] {
  return ["cosign", "verify-blob", ...verifierArgs(key, input), "--bundle", bundleOf(input), input.file];
}

export const verifyBlob = defineAction({
  description: "Verify a file's cosign bundle with a public key (or keyless identity)",
  input: verifyBlobInput,
  outputs: { verified: "true", file: "the file", sha256: "sha256 of the file that verified (hex)" },
  mutates: false,
  dryRunSafe: true,
  plan: (input) => ({
    summary: `verify the signature of ${input.file}`,
    argv: verifyBlobArgv(input, verifyingKeyArgument(input)),
  }),
  run: async (ctx, input) => {
    const material = verifyingKeyMaterial(ctx, input);
    const sha256 = await fileDigest(ctx, input.file, "the file");
    await fileDigest(ctx, bundleOf(input), "the bundle");
    const result = await runTool(ctx, verifyBlobArgv(input, material?.argument), {
      env: material?.env ?? {},
    });
    if (result.exitCode !== 0) {
      throw cosignFailure(
        `the signature of ${input.file} does not verify`,
        result,
        "the file changed after signing, or the key is not the signing key's public half",
      );
    }
    ctx.record("cosign.blob_verification", { file: input.file, sha256, verified: true });
    return { verified: true, file: input.file, sha256 };
  },
});
