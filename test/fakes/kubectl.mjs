// A faithful fake of kubectl (1.31 behaviour) for the break-glass actions: Deployments with a
// rollout history, kept under $RELCTL_FAKE_KUBECTL_STATE/<context>/<namespace>/<kind>/<name>.json.
// Like Kubernetes, `set image` starts a new revision (or re-activates the revision whose pod
// template matches, renumbered to the newest), and `rollout undo` moves the previous (or given)
// revision to the top under a new number. A revision whose images contain "broken" never
// becomes ready: `rollout status` then fails with "exceeded its progress deadline". A revision
// whose images contain "stuck" never becomes ready either, but is still within its progress
// deadline: `rollout status` waits like kubectl, for --timeout (forever when 0, the default), and
// then fails with "error: timed out waiting for the condition".
//
// Commands: version, create deployment, get, rollout status|undo|history, set image.
// Unknown flags fail as kubectl does: "error: unknown flag: --foo" and exit 1.
import { join } from "node:path";
import process from "node:process";
import { after, durationMs, parseArgs, UsageError } from "./lib/flags.mjs";
import { logCall, readJson, stateDir, writeJson } from "./lib/state.mjs";

const VERSION = process.env.RELCTL_FAKE_KUBECTL_VERSION ?? "v1.31.4";
const STATE = () => stateDir("RELCTL_FAKE_KUBECTL_STATE", "kubectl");

class KubectlError extends Error {}

const GLOBAL = {
  namespace: { type: "string", short: "n" },
  context: { type: "string" },
  kubeconfig: { type: "string" },
  "request-timeout": { type: "string" },
  v: { type: "string", short: "v" },
  help: { type: "bool", short: "h" },
};
const KINDS = {
  deployment: "deployment",
  deployments: "deployment",
  deploy: "deployment",
  daemonset: "daemonset",
  ds: "daemonset",
  statefulset: "statefulset",
  sts: "statefulset",
};
const PLURAL = {
  deployment: "deployments.apps",
  daemonset: "daemonsets.apps",
  statefulset: "statefulsets.apps",
};

let usage = "kubectl";
function parse(args, spec) {
  try {
    return parseArgs(args, { ...GLOBAL, ...spec });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\nSee '${usage} --help' for usage.\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** "deployment/api" or ["deployment", "api"] → { kind, name }. */
function target(positionals) {
  let [first, second] = positionals;
  if (first === undefined) throw new KubectlError("error: required resource not specified");
  let kind;
  let name;
  if (first.includes("/")) [kind, name] = first.split("/");
  else [kind, name] = [first, second];
  const normal = KINDS[kind];
  if (!normal) throw new KubectlError(`error: the server doesn't have a resource type "${kind}"`);
  if (!name) throw new KubectlError("error: resource name may not be empty");
  return { kind: normal, name };
}

function file(flags, kind, name) {
  return join(STATE(), flags.context ?? "default", flags.namespace ?? "default", kind, `${name}.json`);
}

function load(flags, kind, name) {
  const workload = readJson(file(flags, kind, name), undefined);
  if (!workload) throw new KubectlError(`Error from server (NotFound): ${PLURAL[kind]} "${name}" not found`);
  return workload;
}

const current = (workload) => workload.revisions.find((revision) => revision.revision === workload.current);
const imagesInclude = (revision, marker) =>
  Object.values(revision.images).some((image) => image.includes(marker));
const healthy = (revision) => !imagesInclude(revision, "broken") && !imagesInclude(revision, "stuck");
const sameImages = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Makes `images` the live template: an old revision with the same template is renumbered. */
function activate(workload, images) {
  const top = Math.max(...workload.revisions.map((revision) => revision.revision));
  const existing = workload.revisions.find((revision) => sameImages(revision.images, images));
  if (existing) existing.revision = top + 1;
  else workload.revisions.push({ revision: top + 1, images });
  workload.current = top + 1;
}

function deploymentJson(flags, workload) {
  const live = current(workload);
  const ready = healthy(live) ? workload.replicas : 0;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: workload.name,
      namespace: flags.namespace ?? "default",
      generation: workload.current,
      annotations: { "deployment.kubernetes.io/revision": String(workload.current) },
    },
    spec: {
      replicas: workload.replicas,
      template: {
        spec: { containers: Object.entries(live.images).map(([name, image]) => ({ name, image })) },
      },
    },
    status: {
      observedGeneration: workload.current,
      replicas: workload.replicas,
      updatedReplicas: workload.replicas,
      readyReplicas: ready,
      availableReplicas: ready,
    },
  };
}

const COMMANDS = {
  version(args) {
    const { flags } = parse(args, { client: { type: "bool" }, output: { type: "string", short: "o" } });
    if (flags.output === "json") {
      process.stdout.write(`${JSON.stringify({ clientVersion: { gitVersion: VERSION } }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`Client Version: ${VERSION}\nKustomize Version: v5.4.2\n`);
  },
  create(args) {
    usage = "kubectl create deployment";
    const [what, ...rest] = args;
    if (what !== "deployment" && what !== "deploy")
      throw new KubectlError(`error: unknown command "${what}"`);
    const { flags, positionals } = parse(rest, {
      image: { type: "stringArray" },
      replicas: { type: "int", short: "r" },
    });
    const name = positionals[0];
    if (!name || !flags.image) throw new KubectlError("error: exactly one NAME is required, and --image");
    const path = file(flags, "deployment", name);
    if (readJson(path, undefined))
      throw new KubectlError(`Error from server (AlreadyExists): deployments.apps "${name}" already exists`);
    const images = Object.fromEntries(
      flags.image.map((image) => [image.split("/").pop().split(/[:@]/)[0], image]),
    );
    writeJson(path, {
      kind: "deployment",
      name,
      replicas: flags.replicas ?? 1,
      current: 1,
      revisions: [{ revision: 1, images }],
    });
    process.stdout.write(`deployment.apps/${name} created\n`);
  },
  get(args) {
    usage = "kubectl get";
    const { flags, positionals } = parse(args, { output: { type: "string", short: "o" } });
    const { kind, name } = target(positionals);
    const workload = load(flags, kind, name);
    if (flags.output === "json")
      return process.stdout.write(`${JSON.stringify(deploymentJson(flags, workload), null, 4)}\n`);
    const ready = healthy(current(workload)) ? workload.replicas : 0;
    process.stdout.write(
      `NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n${name}   ${ready}/${workload.replicas}     ${workload.replicas}            ${ready}           1m\n`,
    );
  },
  rollout(args) {
    const [sub, ...rest] = args;
    usage = `kubectl rollout ${sub}`;
    if (sub === "status") {
      const { flags, positionals } = parse(rest, {
        timeout: { type: "duration" },
        watch: { type: "bool", short: "w" },
        revision: { type: "int" },
      });
      const { kind, name } = target(positionals);
      const workload = load(flags, kind, name);
      const waiting = `Waiting for deployment "${name}" rollout to finish: 0 of ${workload.replicas} updated replicas are available...\n`;
      if (healthy(current(workload))) {
        if (flags.watch !== false) process.stdout.write(waiting);
        return process.stdout.write(`deployment "${name}" successfully rolled out\n`);
      }
      process.stdout.write(waiting);
      if (flags.watch === false) return;
      if (!imagesInclude(current(workload), "stuck"))
        throw new KubectlError(`error: deployment "${name}" exceeded its progress deadline`);
      const timeout = durationMs(flags.timeout ?? "0");
      return after(timeout === 0 ? Infinity : timeout, () => {
        process.stderr.write("error: timed out waiting for the condition\n");
        process.exit(1);
      });
    }
    if (sub === "undo") {
      const { flags, positionals } = parse(rest, {
        "to-revision": { type: "int" },
        "dry-run": { type: "string" },
      });
      const { kind, name } = target(positionals);
      const workload = load(flags, kind, name);
      const older = workload.revisions
        .filter((revision) => revision.revision !== workload.current)
        .sort((a, b) => b.revision - a.revision);
      const wanted = flags["to-revision"] ?? 0;
      const source =
        wanted === 0 ? older[0] : workload.revisions.find((revision) => revision.revision === wanted);
      if (!source) {
        throw new KubectlError(
          wanted === 0
            ? `error: no rollout history found for deployment "${name}"`
            : `error: unable to find specified revision ${wanted} in history`,
        );
      }
      if (sameImages(source.images, current(workload).images)) {
        return process.stdout.write(
          `deployment.apps/${name} skipped rollback (current template already matches revision ${source.revision})\n`,
        );
      }
      activate(workload, source.images);
      writeJson(file(flags, kind, name), workload);
      return process.stdout.write(`deployment.apps/${name} rolled back\n`);
    }
    if (sub === "history") {
      const { flags, positionals } = parse(rest, { revision: { type: "int" } });
      const { kind, name } = target(positionals);
      const workload = load(flags, kind, name);
      const rows = [...workload.revisions]
        .sort((a, b) => a.revision - b.revision)
        .map((revision) => `${revision.revision}         <none>`);
      return process.stdout.write(`deployment.apps/${name} \nREVISION  CHANGE-CAUSE\n${rows.join("\n")}\n\n`);
    }
    throw new KubectlError(`error: unknown command "${sub ?? ""}" for "kubectl rollout"`);
  },
  set(args) {
    const [sub, ...rest] = args;
    usage = `kubectl set ${sub}`;
    if (sub !== "image") throw new KubectlError(`error: unknown command "${sub ?? ""}" for "kubectl set"`);
    const { flags, positionals } = parse(rest, {
      all: { type: "bool" },
      "dry-run": { type: "string" },
      record: { type: "bool" },
    });
    const assignments = positionals.filter((item) => item.includes("="));
    const { kind, name } = target(positionals.filter((item) => !item.includes("=")));
    if (assignments.length === 0) throw new KubectlError("error: at least one image update is required");
    const workload = load(flags, kind, name);
    const images = { ...current(workload).images };
    for (const assignment of assignments) {
      const [container, image] = assignment.split("=");
      if (container === "*") for (const key of Object.keys(images)) images[key] = image;
      else if (!(container in images))
        throw new KubectlError(`error: unable to find container named "${container}"`);
      else images[container] = image;
    }
    if (sameImages(images, current(workload).images)) return;
    activate(workload, images);
    writeJson(file(flags, kind, name), workload);
    process.stdout.write(`deployment.apps/${name} image updated\n`);
  },
};

const [command, ...args] = process.argv.slice(2);
if (process.env.RELCTL_FAKE_KUBECTL_STATE) logCall(STATE(), process.argv.slice(2));
try {
  const handler = COMMANDS[command];
  if (!handler) throw new KubectlError(`error: unknown command "${command ?? ""}" for "kubectl"`);
  handler(args);
} catch (error) {
  if (!(error instanceof KubectlError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
