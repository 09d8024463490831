// The cosign executor: sign and verify images by digest, sign and verify files (bundles), and
// attest predicates, with the cosign CLI (argv arrays; key passwords and keys from secrets go
// through the child's environment, never argv). Written against cosign v2 (2.2–2.6); see
// docs/executors/cosign.md for v3 notes, inputs, outputs and examples.
import type { Executor } from "./contract.js";
import { signBlob, verifyBlob } from "./cosign/blob.js";
import { attest, sign, verify } from "./cosign/image.js";

const cosign: Executor = {
  name: "cosign",
  description: "Sign and verify images (by digest) and files with cosign; attest predicates",
  actions: {
    sign,
    verify,
    sign_blob: signBlob,
    verify_blob: verifyBlob,
    attest,
  },
};

export default cosign;
