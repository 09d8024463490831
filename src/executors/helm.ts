// The helm executor: deploy and roll back Helm releases with the helm CLI (argv arrays, never a
// shell). Written against helm v3 (3.12+) and v4 (4.0); the major is detected once per run with
// `helm version --short`, because v4 renamed --atomic to --rollback-on-failure and made --wait
// take a strategy. Every upgrade and rollback records the revision before and after (outputs
// and a `helm.release` record), so a rollback knows exactly where to return.
// Inputs, outputs and examples: docs/executors/helm.md.
import type { Executor } from "./contract.js";
import { dependencyUpdate, lint, packageChart, template } from "./helm/chart.js";
import { history, rollback, status, uninstall } from "./helm/release.js";
import { upgrade } from "./helm/upgrade.js";

const helm: Executor = {
  name: "helm",
  description: "Deploy, inspect and roll back Helm releases (helm v3 and v4)",
  actions: {
    upgrade,
    rollback,
    uninstall,
    history,
    status,
    lint,
    template,
    package: packageChart,
    dependency_update: dependencyUpdate,
  },
};

export default helm;
