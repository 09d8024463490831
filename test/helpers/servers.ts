// Starting the real servers integration tests talk to (Prometheus, Pushgateway, the OCI
// registry) on loopback. A missing server fails the test and names its Debian package: tests
// never skip silently (scripts/ensure-servers.sh installs them, and npm test runs it).
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The absolute path of a server binary, or an error that says which Debian package has it. */
export function requireBinary(binary: string, debianPackage: string): string {
  const candidates = (process.env.PATH ?? "").split(delimiter).concat(["/usr/bin", "/usr/sbin"]);
  for (const dir of candidates) {
    const path = join(dir, binary);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // keep looking
    }
  }
  throw new Error(
    `${binary} is not installed: install the Debian package ${debianPackage} ` +
      `(apt-get install ${debianPackage}; scripts/ensure-servers.sh does it and npm test runs that script)`,
  );
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `relctl-${prefix}-`));
}

/**
 * Starts `binary args…` and waits until `readyPath` on the port answers 2xx. The process is
 * killed on stop(); its output is kept so a failure to start says why.
 */
export async function startServer(options: {
  binary: string;
  debianPackage: string;
  args: (port: number) => string[];
  readyPath: string;
  port?: number;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<RunningServer> {
  const path = requireBinary(options.binary, options.debianPackage);
  const port = options.port ?? (await freePort());
  const child = spawn(path, options.args(port), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let exited = false;
  child.on("exit", () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${options.binary} exited while starting:\n${output.slice(-2000)}`);
    try {
      const response = await fetch(`${url}${options.readyPath}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${options.binary} did not become ready on ${url}:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

/** A Pushgateway on a free loopback port that keeps nothing after it stops. */
export function startPushgateway(): Promise<RunningServer> {
  return startServer({
    binary: "prometheus-pushgateway",
    debianPackage: "prometheus-pushgateway",
    // An empty persistence file turns persistence off: nothing outlives the test.
    args: (port) => [`--web.listen-address=127.0.0.1:${port}`, "--persistence.file="],
    readyPath: "/-/ready",
  });
}
