// A custom CA: Prometheus itself serves HTTPS (its --web.config.file tls_server_config) with a
// certificate the system does not trust; relctl trusts it only through ca_file, and an
// untrusted certificate is an error, never a pass.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { get } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../helpers/action-context.js";
import { freePort, requireBinary, tempDir } from "../../helpers/servers.js";
import { at, openMetrics } from "./fixture.js";
import { context, failAction, runAction } from "./run-action.js";

let dir: string;
let url: string;
let child: ChildProcess | undefined;

function ready(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    get({ host: "127.0.0.1", port, path: "/-/ready", ca }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on("error", () => resolve(false));
  });
}

beforeAll(async () => {
  const prometheus = requireBinary("prometheus", "prometheus");
  const promtool = requireBinary("promtool", "prometheus");
  dir = tempDir("prometheus-tls");
  execFileSync(
    requireBinary("openssl", "openssl"),
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-subj",
      "/CN=relctl test CA",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  writeFileSync(
    join(dir, "web.yml"),
    `tls_server_config:\n  cert_file: ${join(dir, "cert.pem")}\n  key_file: ${join(dir, "key.pem")}\n`,
  );
  writeFileSync(join(dir, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
  writeFileSync(join(dir, "data.om"), openMetrics());
  execFileSync(promtool, [
    "tsdb",
    "create-blocks-from",
    "openmetrics",
    "--quiet",
    join(dir, "data.om"),
    join(dir, "tsdb"),
  ]);
  const port = await freePort();
  child = spawn(
    prometheus,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "tsdb")}`,
      "--storage.tsdb.retention.time=100y",
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.config.file=${join(dir, "web.yml")}`,
    ],
    { stdio: "ignore" },
  );
  const ca = readFileSync(join(dir, "cert.pem"));
  const deadline = Date.now() + 30_000;
  while (!(await ready(port, ca))) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error("prometheus with TLS did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  url = `https://127.0.0.1:${port}`;
});

afterAll(() => {
  child?.kill("SIGKILL");
});

const budgetGate = (overrides: Record<string, unknown> = {}) => ({
  url,
  consecutive_error_limit: 0,
  metrics: [
    { name: "error_budget", query: 'slo:error_budget_remaining{service="api"}', unit: "ratio", min: 0.1 },
  ],
  ...overrides,
});

describe("prometheus over HTTPS with a custom CA", () => {
  it("passes a gate when the CA file vouches for Prometheus' certificate", async () => {
    const ctx = await context({ clock: manualClock(at(0)), cwd: dir });
    const { outputs } = await runAction("gate", budgetGate({ ca_file: "cert.pem" }), ctx);
    expect(outputs.passed).toBe(true);
  });

  it("makes an untrusted certificate an error, never a pass", async () => {
    const { failure } = await failAction("gate", budgetGate(), await context({ clock: manualClock(at(0)) }));
    expect(failure.message).toMatch(
      /^gate failed: consecutive errors \(1\) > consecutive_error_limit \(0\); last: error_budget: query error: cannot reach https:\/\/127\.0\.0\.1:\d+: .*(self[- ]signed|certificate)/i,
    );
  });

  it("refuses a CA file for a plain http:// address", async () => {
    const gate = budgetGate({ url: "http://127.0.0.1:9", ca_file: "cert.pem" });
    const { failure } = await failAction(
      "gate",
      gate,
      await context({ clock: manualClock(at(0)), cwd: dir }),
    );
    expect(failure.message).toBe("ca_file is set but http://127.0.0.1:9 is not https://");
  });

  it("says which CA file it cannot read", async () => {
    const gate = budgetGate({ ca_file: "missing.pem" });
    const { failure } = await failAction(
      "gate",
      gate,
      await context({ clock: manualClock(at(0)), cwd: dir }),
    );
    expect(failure.message).toMatch(/^cannot read the CA file .*missing\.pem: ENOENT/);
  });
});
