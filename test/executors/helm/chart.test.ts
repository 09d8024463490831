import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helmProject } from "./setup.js";

describe("helm.lint", () => {
  it("lints a chart with the deploy's values and lists the findings", async () => {
    const fake = helmProject();
    const outputs = await fake.run("lint", { chart: fake.chart, values: [fake.overlay] });
    expect(outputs).toEqual({
      messages: [{ severity: "INFO", path: "Chart.yaml", message: "icon is recommended" }],
      errors: 0,
      warnings: 0,
    });
    expect(fake.calls()).toEqual([["lint", "./charts/api", "--values", "overlays/us-east/values.yaml"]]);
  });

  it("fails with the first error and keeps every finding in the outputs", async () => {
    const fake = helmProject();
    const failure = await fake.fail("lint", {
      chart: fake.chart,
      set: { "fake.lintError": "unable to parse YAML" },
    });
    expect(failure.message).toBe(
      "helm lint ./charts/api failed with 1 error: [ERROR] templates/: unable to parse YAML",
    );
    expect(failure.outputs).toMatchObject({ errors: 1 });
    expect(failure.stderrTail).toBe("Error: 1 chart(s) linted, 1 chart(s) failed");
  });

  it("fails on warnings only when strict", async () => {
    const fake = helmProject();
    const input = { chart: fake.chart, set: { "fake.lintWarning": "object name does not conform" } };
    expect(await fake.run("lint", input)).toMatchObject({ warnings: 1, errors: 0 });
    const failure = await fake.fail("lint", { ...input, strict: true });
    expect(failure.message).toMatch(
      /^helm lint \.\/charts\/api failed with 0 errors and 1 warning \(strict\)/,
    );
  });
});

describe("helm.template", () => {
  it("renders the chart and lists the resources and images it would deploy", async () => {
    const fake = helmProject();
    const outputs = await fake.run("template", {
      release: "api",
      chart: fake.chart,
      namespace: "production",
      set_string: { "image.tag": "rc-20240501-001" },
    });
    expect(outputs.resources).toEqual(["Deployment/api", "Service/api"]);
    expect(outputs.images).toEqual(["registry.example.com/acme/api:rc-20240501-001"]);
    expect(outputs.manifest).toContain("# Source: api/templates/deployment.yaml");
  });

  it("reports a chart path that does not exist", async () => {
    const fake = helmProject();
    const failure = await fake.fail("template", { release: "api", chart: "./charts/missing" });
    expect(failure.message).toBe('helm template ./charts/missing failed: path "./charts/missing" not found');
    expect(failure.hint).toMatch(/chart path or reference/);
  });
});

describe("helm.package and helm.dependency_update", () => {
  it("packages the chart and reports the archive's path and sha256", async () => {
    const fake = helmProject();
    const ctx = await fake.context();
    const outputs = await fake.run(
      "package",
      { chart: fake.chart, destination: "dist", app_version: "1.3.0" },
      ctx,
    );
    const path = join(fake.cwd, "dist", "api-1.2.0.tgz");
    expect(outputs).toEqual({ path, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") });
    expect(ctx.records).toEqual([
      { kind: "helm.package", data: { chart: "./charts/api", path, sha256: outputs.sha256 } },
    ]);
  });

  it("updates dependencies in the chart directory", async () => {
    const fake = helmProject();
    const outputs = await fake.run("dependency_update", { chart: fake.chart, skip_refresh: true });
    expect(outputs.output).toBe("Saving 0 charts\nDeleting outdated charts");
    expect(existsSync(join(fake.cwd, "charts", "api", "Chart.lock"))).toBe(true);
    expect(fake.calls()).toEqual([["dependency", "update", "./charts/api", "--skip-refresh"]]);
  });
});
