// Stages that need earlier stages, across separate invocations (as separate CI jobs run them):
// a stage is refused until the stages it needs passed for the same release, and then reads
// their outputs (sign uses the digest build produced in another process).
import { describe, expect, it } from "vitest";
import { project } from "./helpers.js";

const DIGEST = `sha256:${"7c".repeat(32)}`;

const PLAYBOOK = `apiVersion: relctl/v1
name: api-release
vars:
  version: { default: "1.4.0" }
release:
  version: "\${{ vars.version }}"
stages:
  build:
    steps:
      - id: image
        uses: exec.run
        outputs: [digest]
        with:
          argv: [sh, -c, 'echo "digest=${DIGEST}" >> "$RELCTL_OUTPUT"; echo build >> steps.log']
  sign:
    needs: [build]
    steps:
      - id: sign-image
        uses: exec.run
        with: { argv: [sh, -c, 'echo "sign $1" >> steps.log', sh, "\${{ steps.image.outputs.digest }}"] }
  canary:
    needs: [sign]
    environment: production
    steps:
      - id: canary-10
        uses: exec.run
        with: { argv: [sh, -c, 'echo "canary $1" >> steps.log', sh, "\${{ steps.image.outputs.digest }}"] }
  promote:
    needs: [canary]
    environment: production
    steps:
      - id: go-live
        uses: exec.run
        with: { argv: [sh, -c, 'echo promote >> steps.log'] }
`;

describe.concurrent("needed stages across invocations", () => {
  it("refuses promote with exit 4 naming the stage it needs, before anything runs", async () => {
    const p = project(PLAYBOOK);

    const refused = await p.run(["promote", "--yes"]);

    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(
      "promote needs canary, which has not passed for api-release 1.4.0; nothing was run",
    );
    expect(refused.stderr).toContain("relctl run canary promote");
    expect(p.lines("steps.log")).toEqual([]);
    expect(p.runIds()).toEqual([]);
  });

  it("runs each stage once the stages it needs passed in earlier invocations, and reads their outputs", async () => {
    const p = project(PLAYBOOK);

    expect((await p.run(["sign", "--yes"])).exitCode).toBe(4);
    expect((await p.run(["build", "--yes"])).exitCode).toBe(0);
    const sign = await p.run(["sign", "--yes"]);
    expect(sign.exitCode).toBe(0);
    // It checked, so it does not warn that it could not.
    expect(sign.stderr).not.toContain("cannot check");
    expect((await p.run(["promote", "--yes"])).stderr).toContain("promote needs canary");
    expect((await p.run(["canary", "--yes"])).exitCode).toBe(0);
    expect((await p.run(["promote", "--yes"])).exitCode).toBe(0);

    expect(p.lines("steps.log")).toEqual(["build", `sign ${DIGEST}`, `canary ${DIGEST}`, "promote"]);
  });

  it("keeps releases apart: stages passed for one version do not count for another", async () => {
    const p = project(PLAYBOOK);
    expect((await p.run(["run", "build", "sign", "canary", "--yes"])).exitCode).toBe(0);

    const other = await p.run(["promote", "--yes", "--var", "version=1.5.0"]);

    expect(other.exitCode).toBe(4);
    expect(other.stderr).toContain("promote needs canary, which has not passed for api-release 1.5.0");
    expect((await p.run(["promote", "--yes"])).exitCode).toBe(0);
  });

  it("does not count a pass made before a stage it needs ran again: the new build must be signed before canary deploys it", async () => {
    const p = project(
      PLAYBOOK.replace(
        `echo "digest=${DIGEST}"`,
        `n=$(($(cat n 2>/dev/null || echo 0) + 1)); echo $n > n; echo "digest=sha256:$(printf %064d $n)"`,
      ),
    );
    const digest = (n: number) => `sha256:${String(n).padStart(64, "0")}`;
    expect((await p.run(["run", "build", "sign", "--yes"])).exitCode).toBe(0);
    expect((await p.run(["build", "--yes"])).exitCode).toBe(0);

    for (const args of [["canary"], ["run", "build", "canary"]]) {
      const refused = await p.run([...args, "--yes"]);
      expect(refused.exitCode).toBe(4);
      expect(refused.stderr).toContain("needs sign, which has not passed for api-release 1.4.0");
      expect(refused.stderr).toContain("(sign passed before build ran again)");
    }

    expect((await p.run(["sign", "--yes"])).exitCode).toBe(0);
    expect((await p.run(["canary", "--yes"])).exitCode).toBe(0);
    expect(p.lines("steps.log")).toEqual([
      "build",
      `sign ${digest(1)}`,
      "build",
      `sign ${digest(2)}`,
      `canary ${digest(2)}`,
    ]);
  });

  it("does not count a stage that failed", async () => {
    const p = project(PLAYBOOK.replace("echo build >> steps.log", "echo build >> steps.log; exit 1"));

    expect((await p.run(["build", "--yes"])).exitCode).toBe(1);

    const sign = await p.run(["sign", "--yes"]);
    expect(sign.exitCode).toBe(4);
    expect(sign.stderr).toContain("sign needs build, which has not passed for api-release 1.4.0");
  });
});
