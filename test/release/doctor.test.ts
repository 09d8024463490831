import { chmodSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { doctorCommand } from "../../src/cli/commands/doctor.js";
import type { GlobalOptions } from "../../src/cli/global-options.js";
import { captureIo } from "../helpers/capture-io.js";
import { runDoctor, toolsForUses, toolUsesOfSteps } from "../../src/release/doctor.js";
import { createProcessRunner } from "../../src/run/process-runner.js";
import { FAKES_BIN } from "../executors/tool-fakes.js";
import { tempDir } from "../helpers/servers.js";

/** A directory with node only, so the fakes' #! line works and nothing else is on PATH. */
const NODE_DIR = tempDir("doctor-node");
symlinkSync(process.execPath, join(NODE_DIR, "node"));
const withFakes = (extra: Record<string, string> = {}) => ({
  PATH: `${FAKES_BIN}${delimiter}${NODE_DIR}`,
  ...extra,
});
const options = (env: Record<string, string>) => ({ runner: createProcessRunner(), env });

const OPTIONS: GlobalOptions = {
  var: [],
  dryRun: false,
  yes: false,
  json: false,
  color: false,
  verbose: false,
};

describe("which tools a playbook needs", () => {
  it("maps executors to their programs and exec steps to the program they run", () => {
    const needed = toolsForUses([
      "helm.upgrade",
      "helm.rollback",
      "cosign.sign",
      { uses: "exec.run", program: "docker" },
      { uses: "exec.run", program: "/usr/bin/git" },
      "git.tag",
      "oci.retag",
      "http.probe",
      "wait.sleep",
      { uses: "exec.run", program: "${{ vars.tool }}" },
      "helm.upgrade",
    ]);
    expect([...needed.entries()]).toEqual([
      ["helm", ["helm.upgrade", "helm.rollback"]],
      ["cosign", ["cosign.sign"]],
      ["docker", ["exec.run"]],
      ["git", ["exec.run", "git.tag"]],
    ]);
  });

  it("reads the program of an exec step from its argv", () => {
    expect(
      toolUsesOfSteps([
        { uses: "exec.run", with: { argv: ["crane", "tag", "x", "y"] } },
        { uses: "exec.run", with: { command: "make", shell: true } },
        { uses: "helm.upgrade", with: { release: "api" } },
      ]),
    ).toEqual([{ uses: "exec.run", program: "crane" }, "exec.run", "helm.upgrade"]);
  });
});

describe("runDoctor", () => {
  it("finds the tools on PATH with their versions and says how to install what is missing", async () => {
    const report = await runDoctor(
      ["helm.upgrade", "cosign.sign", "kubectl.rollout_undo", { uses: "exec.run", program: "docker" }],
      options(withFakes()),
    );
    const byName = Object.fromEntries(report.tools.map((tool) => [tool.name, tool]));
    expect(byName.helm).toMatchObject({
      state: "ok",
      version: "3.16.4",
      path: join(FAKES_BIN, "helm"),
      neededBy: ["helm.upgrade"],
    });
    expect(byName.cosign).toMatchObject({ state: "ok", version: "2.4.1" });
    expect(byName.kubectl).toMatchObject({ state: "ok", version: "1.31.4" });
    expect(byName.docker).toMatchObject({
      state: "missing",
      neededBy: ["exec.run"],
      problem: "docker is not on PATH",
    });
    expect(byName.docker?.install).toMatch(/docs\.docker\.com/);
    expect(byName.crane).toMatchObject({ state: "missing", neededBy: [] });
    expect(report.ok).toBe(false);
    expect(report.tools.slice(0, 4).map((tool) => tool.name)).toEqual([
      "helm",
      "cosign",
      "kubectl",
      "docker",
    ]);
  });

  it("is satisfied when every needed tool is there, whatever else is missing", async () => {
    const report = await runDoctor(["helm.upgrade", "oci.retag"], options(withFakes()));
    expect(report.ok).toBe(true);
  });

  it("calls a helm major relctl does not drive unsupported", async () => {
    const report = await runDoctor(
      ["helm.rollback"],
      options(withFakes({ RELCTL_FAKE_HELM_VERSION: "v2.17.0" })),
    );
    expect(report.tools[0]).toMatchObject({
      name: "helm",
      state: "unsupported",
      version: "2.17.0",
      problem: "helm 2.17.0 is not supported (relctl drives v3 and v4)",
    });
    expect(report.ok).toBe(false);
  });

  it("reports a tool whose version command fails as broken", async () => {
    const bin = tempDir("doctor-bin");
    writeFileSync(
      join(bin, "cosign"),
      "#!/bin/sh\necho 'cosign: cannot open shared object file' >&2\nexit 127\n",
    );
    chmodSync(join(bin, "cosign"), 0o755);
    const report = await runDoctor(["cosign.verify"], options({ PATH: `${bin}${delimiter}${NODE_DIR}` }));
    expect(report.tools[0]).toMatchObject({
      state: "broken",
      problem: "`cosign version --json` exited with 127: cosign: cannot open shared object file",
    });
  });
});

describe("relctl doctor", () => {
  it("lists the needed tools first and exits 1 naming what to install", async () => {
    const io = captureIo(withFakes());
    const code = await doctorCommand(OPTIONS, io, ["helm.upgrade", { uses: "exec.run", program: "docker" }]);
    expect(code).toBe(1);
    const lines = io.stdout().split("\n");
    expect(lines[0]).toBe("Needed by the playbook:");
    expect(lines[1]).toMatch(/^✓ helm +3\.16\.4 .*\(helm\.upgrade\)$/);
    expect(lines[2]).toMatch(/^✗ docker +missing \(exec\.run\)$/);
    expect(io.stdout()).toContain("install: https://docs.docker.com/engine/install/");
    expect(io.stderr()).toBe("✗ the playbook needs docker; install it first\n");
  });

  it("prints one JSON object with --json and exits 0 when nothing needed is missing", async () => {
    const io = captureIo(withFakes());
    const code = await doctorCommand({ ...OPTIONS, json: true }, io, ["cosign.sign"]);
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout()) as { ok: boolean; tools: { name: string; state: string }[] };
    expect(report.ok).toBe(true);
    expect(report.tools[0]).toMatchObject({ name: "cosign", state: "ok" });
  });
});
