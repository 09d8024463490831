// One static registry of executors. Built-ins load lazily so a command only pays for the
// executors its playbook uses; user executors come from module paths the playbook declares.
import { pathToFileURL } from "node:url";
import type { UserExecutorRef } from "../playbook/model.js";
import type { Executor } from "./contract.js";

type Loader = () => Promise<Executor>;

const BUILTIN: Record<string, Loader> = {
  exec: async () => (await import("./exec.js")).default,
  wait: async () => (await import("./wait.js")).default,
  git: async () => (await import("./git.js")).default,
  github: async () => (await import("./github.js")).default,
  notify: async () => (await import("./notify.js")).default,
  prometheus: async () => (await import("./prometheus.js")).default,
  helm: async () => (await import("./helm.js")).default,
  cosign: async () => (await import("./cosign.js")).default,
  oci: async () => (await import("./oci.js")).default,
  http: async () => (await import("./http.js")).default,
  kubectl: async () => (await import("./kubectl.js")).default,
  evidence: async () => (await import("./evidence.js")).default,
};

export interface ExecutorRegistry {
  has(name: string): boolean;
  names(): string[];
  /** Loads an executor; rejects with a readable Error when a user module is broken. */
  load(name: string): Promise<Executor>;
}

/**
 * The built-ins, the playbook's own executors (by module path), and executors handed in by a
 * program embedding relctl (tests use this to add a recording executor).
 */
export function createRegistry(
  userExecutors: ReadonlyMap<string, UserExecutorRef> = new Map(),
  embedded: Readonly<Record<string, Executor>> = {},
): ExecutorRegistry {
  const cache = new Map<string, Promise<Executor>>();
  const loaders = new Map<string, Loader>(Object.entries(BUILTIN));
  for (const [name, ref] of userExecutors) loaders.set(name, () => loadUserExecutor(ref));
  for (const [name, executor] of Object.entries(embedded)) loaders.set(name, () => Promise.resolve(executor));
  return {
    has: (name) => loaders.has(name),
    names: () => [...loaders.keys()].sort(),
    load(name) {
      const loader = loaders.get(name);
      if (!loader) return Promise.reject(new Error(`unknown executor "${name}"`));
      let pending = cache.get(name);
      if (!pending) {
        pending = loader();
        cache.set(name, pending);
      }
      return pending;
    },
  };
}

async function loadUserExecutor(ref: UserExecutorRef): Promise<Executor> {
  const module = (await import(pathToFileURL(ref.module).href)) as { default?: unknown; executor?: unknown };
  const candidate = module.default ?? module.executor;
  if (!isExecutor(candidate)) {
    throw new Error(
      `${ref.module} does not export an executor: export default { name, description, actions: { … } }`,
    );
  }
  return candidate;
}

function isExecutor(value: unknown): value is Executor {
  if (typeof value !== "object" || value === null) return false;
  const actions = (value as { actions?: unknown }).actions;
  if (typeof actions !== "object" || actions === null) return false;
  return Object.values(actions).every(
    (action) =>
      typeof action === "object" &&
      action !== null &&
      typeof (action as { run?: unknown }).run === "function" &&
      typeof (action as { plan?: unknown }).plan === "function" &&
      typeof (action as { input?: { safeParse?: unknown } }).input?.safeParse === "function",
  );
}
