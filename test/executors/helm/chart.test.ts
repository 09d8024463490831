// helm.lint's strict mode on a warning, which the fake helm can be made to print (fake.lintWarning)
// and a real chart here cannot. Lint, template, package and dependency_update otherwise run on
// the real helm v3 and v4: real-chart.test.ts.
import { describe, expect, it } from "vitest";
import { helmProject } from "./setup.js";

describe("helm.lint", () => {
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
