// How the fake helm stores releases: every revision of a release in one JSON file per
// kube-context and namespace, with helm's status rules (deployed, superseded, failed, pending-*).
import { join } from "node:path";
import { after, durationMs } from "./flags.mjs";
import { fail, merge, out, stringify, V4, valueAt } from "./helm-cli.mjs";
import { readJson, stateDir, writeJson } from "./state.mjs";

export const STATE = () => stateDir("RELCTL_FAKE_HELM_STATE", "helm");

export function releaseFile(flags, name) {
  const context = flags["kube-context"] ?? "default";
  const unreachable = readJson(join(STATE(), "unreachable.json"), []);
  if (unreachable.includes(context)) {
    fail(
      'Kubernetes cluster unreachable: Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused',
    );
  }
  return join(STATE(), context, flags.namespace ?? "default", `${name}.json`);
}

export const loadHistory = (file) => readJson(file, []);
export const saveHistory = (file, revisions) => writeJson(file, revisions);
export const now = () => new Date().toISOString();
export const last = (revisions) => revisions[revisions.length - 1];
export const chartLabel = (revision) =>
  revision.chart.name ? `${revision.chart.name}-${revision.chart.version}` : "MISSING";

export function newRevision(previous, fields) {
  const time = now();
  return {
    name: fields.name,
    namespace: fields.namespace,
    version: (previous?.version ?? 0) + 1,
    info: {
      first_deployed: previous?.info.first_deployed ?? time,
      last_deployed: time,
      deleted: "",
      description: fields.description,
      status: fields.status,
      notes: fields.notes ?? "",
    },
    chart: fields.chart,
    config: fields.config,
    manifest: fields.manifest ?? "",
  };
}

export function supersedeDeployed(revisions) {
  for (const revision of revisions)
    if (revision.info.status === "deployed") revision.info.status = "superseded";
}

export function prune(revisions, max) {
  if (!max || max <= 0) return revisions;
  while (revisions.length > max) {
    const index = revisions.findIndex((revision) => revision.info.status !== "deployed");
    if (index === -1 || index === revisions.length - 1) break;
    revisions.splice(index, 1);
  }
  return revisions;
}

export const isPending = (revision) => revision !== undefined && revision.info.status.startsWith("pending-");

/** What the deploy of these values does: fine, fail with a message, or never become ready. */
export function deployOutcome(chart, config) {
  const values = merge(chart.values, config);
  if (valueAt(values, "fake.hang")) return { hang: true };
  const message = valueAt(values, "fake.fail");
  return message ? { error: String(message) } : {};
}

/**
 * Whether helm waits for the release's resources to become ready: v3 with --wait (or --atomic,
 * which sets it), v4 with --wait / --wait=watcher|legacy (or --rollback-on-failure, which implies
 * it). v4's default, hookOnly, does not.
 */
export function waitsForReady(flags, atomic) {
  if (atomic) return true;
  return V4 ? ["true", "watcher", "legacy"].includes(flags.wait) : flags.wait === true;
}

/**
 * A deploy whose resources never become ready, while helm waits for them: the pending revision is
 * stored at once (every other operation now finds the release locked, as while a real helm
 * waits, or after it was killed with SIGKILL), and once --timeout (helm's default 5m0s) has passed helm gives
 * up: `timedOut("context deadline exceeded")` records the failure and exits.
 */
export function waitUntilTimeout(file, revisions, revision, timeout, timedOut) {
  saveHistory(file, [...revisions, revision]);
  after(durationMs(timeout ?? "5m0s"), () => timedOut("context deadline exceeded"));
  // Like real helm (v3 and v4), SIGTERM or Ctrl-C cancels the wait and the revision is recorded
  // as failed; only a helm killed outright (SIGKILL) leaves the pending revision behind.
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.once(signal, () => {
      process.stdout.write(`Release ${revision.name} has been cancelled.\n`);
      timedOut("context canceled");
    });
  }
}

export function statusText(revision) {
  const deployed = new Date(revision.info.last_deployed).toUTCString();
  return [
    `NAME: ${revision.name}`,
    `LAST DEPLOYED: ${deployed}`,
    `NAMESPACE: ${revision.namespace}`,
    `STATUS: ${revision.info.status}`,
    `REVISION: ${revision.version}`,
    "TEST SUITE: None",
    ...(revision.info.notes ? ["NOTES:", revision.info.notes.trimEnd()] : []),
    "",
  ].join("\n");
}

/** The release record `helm status -o json` prints: everything but the chart. */
export const statusJson = (revision) =>
  Object.fromEntries(Object.entries(revision).filter(([key]) => key !== "chart"));

export function printRelease(revision, format, prefix) {
  if (format === "json") out(`${JSON.stringify(statusJson(revision))}\n`);
  else if (format === "yaml") out(stringify(statusJson(revision)));
  else out(`${prefix}${statusText(revision)}`);
}
