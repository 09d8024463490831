// The prometheus executor: instant and range queries, and gates that decide from metrics whether
// a release may go on. All three are read-only and dry-run safe (a dry-run gate evaluates once).
// The gate's semantics (policies, hold, abort criteria, limits, look-back) live in src/gates/,
// pure and tested on their own; this executor only talks HTTP. Reference: docs/executors/prometheus.md.
import type { Executor } from "./contract.js";
import { gate } from "./prometheus/gate-action.js";
import { query, queryRange } from "./prometheus/query-actions.js";

const prometheus: Executor = {
  name: "prometheus",
  description: "Prometheus queries and metric gates (canary analysis, SLO checks, rollback triggers)",
  actions: {
    query,
    query_range: queryRange,
    gate,
  },
};

export default prometheus;
