// A faithful fake of the helm CLI (v3.16 and v4.0 behaviour, chosen with RELCTL_FAKE_HELM_VERSION
// = 3 | 4 | vX.Y.Z; default 3) for tests that cannot reach a cluster. Releases live under
// $RELCTL_FAKE_HELM_STATE/<kube-context>/<namespace>/<release>.json with every revision, and
// behave like helm's storage: upgrade supersedes the deployed revision, a failed upgrade leaves a
// failed revision (and, when atomic, rolls back to the last successful one), rollback creates a
// new revision "Rollback to N", a pending revision blocks every other operation.
//
// Faults a test can cause, through the values of a release (as a real chart would misbehave):
//   fake.fail: "<message>"   the deploy fails with that message (as pods that never get ready)
//   fake.hang: true          the release's resources never become ready: an upgrade or rollback
//                            that waits for them (--wait, --atomic, v4 --wait=watcher|legacy or
//                            --rollback-on-failure) writes a pending-* revision, waits --timeout
//                            (default 5m0s), then fails like helm with "context deadline
//                            exceeded" and a failed revision (rolled back when atomic); SIGTERM
//                            before then fails it with "context canceled", as helm does; SIGKILL
//                            leaves the release locked, like a helm killed outright.
//                            Without waiting, helm does not notice: the deploy succeeds.
// and through the state directory: unreachable.json (a list of kube-contexts whose cluster does
// not answer).
//
// Commands: version, upgrade, rollback, history, status, uninstall, lint, package, template,
// dependency update. Flags are parsed like cobra/pflag; an unknown flag fails with
// "Error: unknown flag: --foo" and exit 1, as helm does.
import { rmSync } from "node:fs";
import process from "node:process";
import {
  ChartError,
  fail,
  HelmError,
  loadChart,
  loadCharts,
  merge,
  out,
  parse,
  RELEASE_NAME,
  render,
  requireArgs,
  stringify,
  userValues,
  V4,
  VALUES_FLAGS,
  ValuesError,
  VERSION,
  wait,
  WAIT_V4,
} from "./lib/helm-cli.mjs";
import { dependency, lint, packageChart, template } from "./lib/helm-chart-commands.mjs";
import {
  chartLabel,
  deployOutcome,
  isPending,
  last,
  loadHistory,
  newRevision,
  printRelease,
  prune,
  releaseFile,
  saveHistory,
  STATE,
  supersedeDeployed,
  waitsForReady,
  waitUntilTimeout,
} from "./lib/helm-store.mjs";
import { logCall } from "./lib/state.mjs";

const UPGRADE_FLAGS = {
  ...VALUES_FLAGS,
  install: { type: "bool", short: "i" },
  version: { type: "string" },
  wait,
  "wait-for-jobs": { type: "bool" },
  timeout: { type: "duration" },
  "create-namespace": { type: "bool" },
  "reset-values": { type: "bool" },
  "reuse-values": { type: "bool" },
  "reset-then-reuse-values": { type: "bool" },
  "history-max": { type: "int" },
  description: { type: "string" },
  "cleanup-on-fail": { type: "bool" },
  "dependency-update": { type: "bool" },
  devel: { type: "bool" },
  "skip-crds": { type: "bool" },
  "no-hooks": { type: "bool" },
  output: { type: "string", short: "o" },
  "dry-run": { type: "optional", optDefault: "client" },
  ...(V4
    ? {
        "rollback-on-failure": { type: "bool" },
        atomic: { type: "bool", deprecated: "use --rollback-on-failure instead" },
        "force-replace": { type: "bool" },
        force: { type: "bool", deprecated: "use --force-replace instead" },
      }
    : { atomic: { type: "bool" }, force: { type: "bool" } }),
};
const ROLLBACK_FLAGS = {
  wait,
  "wait-for-jobs": { type: "bool" },
  timeout: { type: "duration" },
  "cleanup-on-fail": { type: "bool" },
  "history-max": { type: "int" },
  "no-hooks": { type: "bool" },
  "dry-run": { type: "bool" },
  ...(V4
    ? { "force-replace": { type: "bool" } }
    : { force: { type: "bool" }, "recreate-pods": { type: "bool" } }),
};

function version(args) {
  const { flags } = parse(args, {
    short: { type: "bool" },
    template: { type: "string" },
    client: { type: "bool", short: "c" },
  });
  if (flags.short) out(`${VERSION}\n`);
  else {
    const [semver, commit] = VERSION.replace(/^v/, "").split("+g");
    out(
      `version.BuildInfo{Version:"v${semver}", GitCommit:"${commit ?? ""}", GitTreeState:"clean", GoVersion:"go1.23.4"}\n`,
    );
  }
}

/** Rolls `revisions` (whose last entry failed) back to the newest successful one, as atomic does. */
function atomicRollback(revisions, current) {
  const successful = [...revisions]
    .reverse()
    .find((revision) => ["deployed", "superseded"].includes(revision.info.status));
  if (!successful)
    throw new HelmError(
      "unable to find a previously successful release when attempting to rollback a failed release",
    );
  supersedeDeployed(revisions);
  const rollback = newRevision(current, {
    name: current.name,
    namespace: current.namespace,
    status: "deployed",
    description: `Rollback to ${successful.version}`,
    chart: successful.chart,
    config: successful.config,
    manifest: successful.manifest,
  });
  if (V4) rollback.rollback_revision = successful.version;
  revisions.push(rollback);
}

function upgrade(args) {
  const { flags, positionals } = parse(args, UPGRADE_FLAGS);
  requireArgs("upgrade", "upgrade [RELEASE] [CHART]", positionals, 2);
  const [name, chartRef] = positionals;
  if (!RELEASE_NAME.test(name) || name.length > 53) {
    fail(
      `release name "${name}": invalid release name, must match regex ${RELEASE_NAME.source} and the length must not be longer than 53`,
    );
  }
  const atomic = Boolean(flags.atomic || flags["rollback-on-failure"]);
  const reason = V4 ? "rollback-on-failure" : "atomic";
  const file = releaseFile(flags, name);
  const namespace = flags.namespace ?? "default";
  const revisions = loadHistory(file);
  const current = last(revisions);
  const installing = !current || current.info.status === "uninstalled";
  // `helm upgrade --install` returns a first install's error as it is: the "INSTALLATION FAILED"
  // prefix is `helm install`'s, not upgrade's (real helm v3.17 and v4.1 print it bare).
  const phaseOf = (text) => (installing ? text : `UPGRADE FAILED: ${text}`);
  if (installing && !flags.install) fail(`UPGRADE FAILED: "${name}" has no deployed releases`);
  if (isPending(current)) fail(phaseOf("another operation (install/upgrade/rollback) is in progress"));
  if (
    !installing &&
    !revisions.some((revision) => ["deployed", "failed", "superseded"].includes(revision.info.status))
  ) {
    fail(`UPGRADE FAILED: "${name}" has no deployed releases`);
  }
  let chart;
  let config;
  try {
    chart = loadChart(chartRef, process.cwd(), flags.version);
    const base = flags["reuse-values"] && current ? current.config : {};
    config = userValues(flags, process.cwd(), base);
    // As helm does: an upgrade given no values at all (and neither --reset-values nor
    // --reuse-values) keeps the last release's values.
    const noFlag = !flags["reset-values"] && !flags["reuse-values"] && !flags["reset-then-reuse-values"];
    if (noFlag && current && Object.keys(config).length === 0) config = current.config ?? {};
  } catch (error) {
    if (error instanceof ChartError || error instanceof ValuesError) fail(error.message);
    throw error;
  }
  const values = merge(chart.values, config);
  const { manifest, notes } = render(chart, name, namespace, values);
  const chartMeta = { name: chart.name, version: chart.version, appVersion: chart.appVersion };
  const outcome = deployOutcome(chart, config);
  const revision = newRevision(current, {
    name,
    namespace,
    status: installing ? "pending-install" : "pending-upgrade",
    description: installing ? "Initial install underway" : "Preparing upgrade",
    chart: chartMeta,
    config,
    manifest,
    notes,
  });
  const failed = (message) => {
    revision.info.status = "failed";
    revision.info.description = installing
      ? `Release "${name}" failed: ${message}`
      : `Upgrade "${name}" failed: ${message}`;
    revisions.push(revision);
    if (atomic && installing) {
      rmSync(file, { force: true });
      fail(
        phaseOf(`release ${name} failed, and has been uninstalled due to ${reason} being set: ${message}`),
      );
    }
    if (atomic) {
      try {
        atomicRollback(revisions, revision);
      } catch (error) {
        saveHistory(file, revisions);
        fail(phaseOf(`${message}: ${error.message}`));
      }
      saveHistory(file, prune(revisions, flags["history-max"] ?? 10));
      fail(
        phaseOf(`release ${name} failed, and has been rolled back due to ${reason} being set: ${message}`),
      );
    }
    saveHistory(file, prune(revisions, flags["history-max"] ?? 10));
    fail(phaseOf(message));
  };
  if (outcome.hang && waitsForReady(flags, atomic))
    return waitUntilTimeout(file, revisions, revision, flags.timeout, failed);
  if (outcome.error) failed(outcome.error);
  supersedeDeployed(revisions);
  revision.info.status = "deployed";
  revision.info.description = flags.description ?? (installing ? "Install complete" : "Upgrade complete");
  revisions.push(revision);
  saveHistory(file, prune(revisions, flags["history-max"] ?? 10));
  const prefix = installing
    ? `Release "${name}" does not exist. Installing it now.\n`
    : `Release "${name}" has been upgraded. Happy Helming!\n`;
  printRelease(revision, flags.output, prefix);
}

function rollback(args) {
  const { flags, positionals } = parse(args, ROLLBACK_FLAGS);
  requireArgs("rollback", "rollback <RELEASE> [REVISION]", positionals, 1, 2);
  const [name, revisionText] = positionals;
  let target = 0;
  if (revisionText !== undefined) {
    if (!/^[+-]?\d+$/.test(revisionText)) fail(`strconv.Atoi: parsing "${revisionText}": invalid syntax`);
    target = Number(revisionText);
  }
  const file = releaseFile(flags, name);
  const revisions = loadHistory(file);
  const current = last(revisions);
  if (!current) fail("release: not found");
  if (target === 0) target = current.version - 1;
  const source = revisions.find((revision) => revision.version === target);
  if (!source) fail(`release has no ${target} version`);
  const outcome = deployOutcome({ values: {} }, source.config);
  const revision = newRevision(current, {
    name,
    namespace: current.namespace,
    status: "pending-rollback",
    description: `Rollback to ${target}`,
    chart: source.chart,
    config: source.config,
    manifest: source.manifest,
  });
  if (V4) revision.rollback_revision = target;
  if (outcome.hang && waitsForReady(flags, false)) {
    return waitUntilTimeout(file, revisions, revision, flags.timeout, (message) => {
      // helm gave up waiting: the release it rolled back from stays as it was.
      revision.info.status = "failed";
      revision.info.description = `Release "${name}" failed: ${message}`;
      revisions.push(revision);
      saveHistory(file, revisions);
      fail(`release ${name} failed: ${message}`);
    });
  }
  if (outcome.error) {
    for (const item of revisions)
      if (item.version === current.version && item.info.status === "deployed")
        item.info.status = "superseded";
    revision.info.status = "failed";
    revision.info.description = `Rollback "${name}" failed: ${outcome.error}`;
    revisions.push(revision);
    saveHistory(file, revisions);
    fail(`Rollback "${name}" failed: ${outcome.error}`);
  }
  supersedeDeployed(revisions);
  revision.info.status = "deployed";
  revisions.push(revision);
  saveHistory(file, prune(revisions, flags["history-max"] ?? 10));
  out("Rollback was a success! Happy Helming!\n");
}

function history(args) {
  const { flags, positionals } = parse(args, {
    max: { type: "int" },
    output: { type: "string", short: "o" },
  });
  requireArgs("history", "history RELEASE_NAME", positionals, 1);
  const revisions = loadHistory(releaseFile(flags, positionals[0]));
  if (revisions.length === 0) fail("release: not found");
  const shown = revisions.slice(-(flags.max ?? 256)).map((revision) => ({
    revision: revision.version,
    updated: revision.info.last_deployed,
    status: revision.info.status,
    chart: chartLabel(revision),
    app_version: revision.chart.appVersion,
    description: revision.info.description,
    ...(V4 && revision.rollback_revision ? { rollback_revision: revision.rollback_revision } : {}),
  }));
  if (flags.output === "json") return out(`${JSON.stringify(shown)}\n`);
  if (flags.output === "yaml") return out(stringify(shown));
  out("REVISION\tUPDATED                 \tSTATUS    \tCHART      \tAPP VERSION\tDESCRIPTION\n");
  for (const item of shown) {
    out(
      `${item.revision}\t${new Date(item.updated).toUTCString()}\t${item.status}\t${item.chart}\t${item.app_version}\t${item.description}\n`,
    );
  }
}

function status(args) {
  const { flags, positionals } = parse(args, {
    output: { type: "string", short: "o" },
    revision: { type: "int" },
    "show-desc": { type: "bool" },
    "show-resources": { type: "bool" },
  });
  requireArgs("status", "status RELEASE_NAME", positionals, 1);
  const revisions = loadHistory(releaseFile(flags, positionals[0]));
  const revision = flags.revision
    ? revisions.find((item) => item.version === flags.revision)
    : last(revisions);
  if (!revision) fail("release: not found");
  printRelease(revision, flags.output, "");
}

function uninstall(args) {
  const { flags, positionals } = parse(args, {
    "keep-history": { type: "bool" },
    wait: V4 ? WAIT_V4 : { type: "bool" },
    timeout: { type: "duration" },
    "no-hooks": { type: "bool" },
    "dry-run": { type: "bool" },
    "ignore-not-found": { type: "bool" },
    cascade: { type: "string" },
    description: { type: "string" },
  });
  requireArgs("uninstall", "uninstall RELEASE_NAME [...]", positionals, 1, 100);
  for (const name of positionals) {
    const file = releaseFile(flags, name);
    const revisions = loadHistory(file);
    const current = last(revisions);
    if (!current || current.info.status === "uninstalled") {
      if (flags["ignore-not-found"]) continue;
      fail(`uninstall: Release not loaded: ${name}: release: not found`);
    }
    if (flags["keep-history"]) {
      current.info.status = "uninstalled";
      current.info.description = "Uninstallation complete";
      saveHistory(file, revisions);
    } else {
      rmSync(file, { force: true });
    }
    out(`release "${name}" uninstalled\n`);
  }
}

const COMMANDS = {
  version,
  upgrade,
  rollback,
  history,
  status,
  uninstall,
  lint,
  package: packageChart,
  template,
  dependency,
  dep: dependency,
};

const [command, ...args] = process.argv.slice(2);
if (process.env.RELCTL_FAKE_HELM_STATE) {
  logCall(STATE(), process.argv.slice(2));
}
const handler = command === undefined ? undefined : COMMANDS[command];
if (!handler) {
  fail(
    command === undefined
      ? "no command given"
      : `unknown command "${command}" for "helm"\nRun 'helm --help' for usage.`,
  );
}
const jsonRead =
  ["history", "status"].includes(command) && args.some((arg) => /^(?:(?:-o|--output)=)?json$/.test(arg));
if (command !== "version" && !jsonRead) await loadCharts();
try {
  handler(args);
} catch (error) {
  if (error instanceof HelmError) fail(error.message);
  throw error;
}
