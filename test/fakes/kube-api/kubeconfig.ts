// A kubeconfig whose contexts point at loopback APIs: `server: http://127.0.0.1:PORT`, no
// credentials (the fake API does not authenticate), each context with its default namespace.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

export interface KubeContext {
  name: string;
  /** http://127.0.0.1:PORT */
  server: string;
  namespace?: string;
}

export function writeKubeconfig(dir: string, contexts: KubeContext[], current = contexts[0]?.name): string {
  const file = join(dir, "kubeconfig.yaml");
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: contexts.map((context) => ({ name: context.name, cluster: { server: context.server } })),
      users: [{ name: "tester", user: {} }],
      contexts: contexts.map((context) => ({
        name: context.name,
        context: { cluster: context.name, user: "tester", namespace: context.namespace ?? "default" },
      })),
      "current-context": current,
      preferences: {},
    }),
    { mode: 0o600 },
  );
  return file;
}
