// The http executor: health and smoke probes over HTTP(S) through ctx.fetch. GET/HEAD/OPTIONS
// probes are read-only (they run in dry-runs and plans as a single attempt); other methods
// mutate unless the step says read_only: true. Docs: docs/executors/http.md.
import type { Executor } from "./contract.js";
import { probe } from "./http/probe.js";

const http: Executor = {
  name: "http",
  description: "Health and smoke probes: expected status and JSON values, retries until a deadline",
  actions: { probe },
};

export default http;
