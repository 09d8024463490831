// helm.lint and helm.template on the real helm binaries (v3.17 and v4.1): they read the chart
// only, so no cluster is involved, but the findings' wording is helm's own.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { HELM_LINES, realBinaries } from "../../helpers/real-binaries.js";
import type { RealCluster } from "../real-cluster.js";
import { helmCluster } from "./real-setup.js";

// Real binaries on a machine shared with other work: room for slow processes, and for fetching
// the binaries once on a fresh machine, before any test starts its clock.
vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => void realBinaries(), 600_000);

describe.each(HELM_LINES)("helm %s lint and template (real binary)", (line) => {
  let cluster: (RealCluster & { chart: string }) | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it("lints a valid chart with only helm's INFO findings", async () => {
    cluster = await helmCluster(line);
    const outputs = await cluster.run("lint", { chart: cluster.chart });
    expect(outputs).toEqual({
      messages: [{ severity: "INFO", path: "Chart.yaml", message: "icon is recommended" }],
      errors: 0,
      warnings: 0,
    });
  });

  it("keeps the whole of a template error, cause included, though helm v4 spreads it over lines", async () => {
    cluster = await helmCluster(line);
    writeFileSync(
      join(cluster.cwd, "charts", "api", "templates", "config.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  level: {{ .Values.logging.level }}\n",
    );
    const failure = await cluster.fail("lint", { chart: cluster.chart });
    expect(failure.message).toMatch(
      /^helm lint \.\/charts\/api failed with 1 error: \[ERROR\] templates\/: .*api\/templates\/config\.yaml:6:\d+.* executing "api\/templates\/config\.yaml" at <\.Values\.logging\.level>: nil pointer evaluating interface \{\}\.level$/,
    );
    const messages = failure.outputs?.messages as { severity: string; message: string }[];
    expect(messages.find((message) => message.severity === "ERROR")?.message).toMatch(
      /nil pointer evaluating interface \{\}\.level$/,
    );
  });

  it("renders the chart and lists the resources and images it would deploy", async () => {
    cluster = await helmCluster(line);
    const outputs = await cluster.run("template", {
      release: "api",
      chart: cluster.chart,
      namespace: "production",
      set_string: { "image.tag": "rc-20240501-001" },
    });
    expect(outputs.resources).toEqual(["Service/api", "Deployment/api"]);
    expect(outputs.images).toEqual(["registry.example.com/acme/api:rc-20240501-001"]);
  });

  it("reports a chart path that does not exist", async () => {
    cluster = await helmCluster(line);
    const failure = await cluster.fail("template", { release: "api", chart: "./charts/missing" });
    expect(failure.message).toMatch(
      /^helm template \.\/charts\/missing failed: .*path "\.\/charts\/missing" not found/,
    );
    expect(failure.hint).toMatch(/chart path or reference/);
  });

  it("packages the chart and reports the archive's path and sha256", async () => {
    cluster = await helmCluster(line);
    const ctx = await cluster.context();
    const outputs = await cluster.run(
      "package",
      { chart: cluster.chart, destination: "dist", app_version: "1.3.0" },
      ctx,
    );
    const path = join(cluster.cwd, "dist", "api-1.2.0.tgz");
    expect(outputs).toEqual({ path, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") });
    expect(ctx.records).toEqual([
      { kind: "helm.package", data: { chart: "./charts/api", path, sha256: outputs.sha256 } },
    ]);
  });

  it("updates a chart's dependencies into its charts/ folder, with a Chart.lock", async () => {
    cluster = await helmCluster(line);
    const common = join(cluster.cwd, "charts", "common");
    mkdirSync(common, { recursive: true });
    writeFileSync(
      join(common, "Chart.yaml"),
      "apiVersion: v2\nname: common\nversion: 0.1.0\ntype: library\n",
    );
    const chartYaml = join(cluster.cwd, "charts", "api", "Chart.yaml");
    writeFileSync(
      chartYaml,
      `${readFileSync(chartYaml, "utf8")}dependencies:\n  - name: common\n    version: 0.1.0\n    repository: file://../common\n`,
    );
    const outputs = await cluster.run("dependency_update", { chart: cluster.chart, skip_refresh: true });
    expect(String(outputs.output)).toMatch(/Saving 1 charts/);
    expect(existsSync(join(cluster.cwd, "charts", "api", "charts", "common-0.1.0.tgz"))).toBe(true);
    expect(existsSync(join(cluster.cwd, "charts", "api", "Chart.lock"))).toBe(true);
  });
});
