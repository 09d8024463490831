// The real registry for the cosign tests: test/executors/oci/registry.ts's docker-registry with
// its access log read back (which requests reached it, with their method and status) and, when
// given an htpasswd file, basic auth on every request, as a private registry has. pushImage()
// pushes without credentials, so an image for an authenticated registry is pushed before its
// auth is turned on: stop the open registry and start the authenticated one on the same storage.
import { join } from "node:path";
import { tempDir, type RunningServer } from "../../helpers/servers.js";
import { startRegistry } from "../oci/registry.js";

/** The committed htpasswd of the authenticated registry: user ci, password REGISTRY_PASSWORD (bcrypt). */
export const HTPASSWD = join(import.meta.dirname, "registry.htpasswd");
export const REGISTRY_USER = "ci";
export const REGISTRY_PASSWORD = "registry-pass-5f1e";

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export interface CosignRegistry extends RunningServer {
  /** host:port, as an image reference's registry part. */
  host: string;
  /** Where the registry keeps its data: start another on it to keep the images. */
  storage: string;
  /** The requests the registry answered so far, from its access log, oldest first. */
  requests(): LoggedRequest[];
  /** Waits until the access log has a request that matches (30 s: a hang guard only). */
  answered(match: (request: LoggedRequest) => boolean): Promise<LoggedRequest>;
  /** Waits until the registry's output has a line that matches (30 s: a hang guard only). */
  logged(pattern: RegExp): Promise<void>;
}

export async function startCosignRegistry(
  options: { storage?: string; htpasswd?: string } = {},
): Promise<CosignRegistry> {
  const storage = options.storage ?? join(tempDir("cosign-registry"), "data");
  const server = await startRegistry({ ...options, storage, accessLog: true });
  const requests = (): LoggedRequest[] =>
    [...server.output().matchAll(/"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /g)].map((match) => ({
      method: match[1]!,
      path: match[2]!,
      status: Number(match[3]),
    }));
  return {
    ...server,
    host: `127.0.0.1:${server.port}`,
    storage,
    requests,
    answered: async (match) => {
      for (const deadline = Date.now() + 30_000; ;) {
        const found = requests().find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`the registry answered no such request; its log:\n${server.output().slice(-2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    // The registry writes its own error line apart from the access log, and may write it after.
    logged: async (pattern) => {
      for (const deadline = Date.now() + 30_000; !pattern.test(server.output());) {
        if (Date.now() > deadline) {
          throw new Error(
            `the registry logged no ${String(pattern)}; its log:\n${server.output().slice(-2000)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}
