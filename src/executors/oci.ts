// The oci executor: talk to an OCI registry (Distribution API v2) over HTTP — resolve a tag to
// its digest, check that an image exists, and retag by digest ("promote RC to GA with
// immutable digests") keeping the manifest's exact bytes. Bearer-token and basic auth; https by
// default, plain http on request for loopback registries. Docs: docs/executors/oci.md.
import type { Executor } from "./contract.js";
import { exists, resolve, retag } from "./oci/actions.js";

const oci: Executor = {
  name: "oci",
  description: "OCI registry: resolve tags to digests, check images, retag by digest",
  actions: { resolve, exists, retag },
};

export default oci;
