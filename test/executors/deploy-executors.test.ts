// What every deploy executor promises the engine: its documented actions, which of them change
// the world (planned only in a dry-run) and which are read-only (run in a dry-run), and a plan
// that names the exact program or request without touching anything.
import { describe, expect, it } from "vitest";
import cosign from "../../src/executors/cosign.js";
import { actionMutates, actionRunsInDryRun, type Executor } from "../../src/executors/contract.js";
import helm from "../../src/executors/helm.js";
import http from "../../src/executors/http.js";
import kubectl from "../../src/executors/kubectl.js";
import oci from "../../src/executors/oci.js";

const DIGEST = `sha256:${"c3".repeat(32)}`;
const IMAGE = `registry.example.com/acme/api@${DIGEST}`;

/** executor → action → [minimal input, read-only?]. */
const ACTIONS: Record<string, [Executor, Record<string, [Record<string, unknown>, boolean]>]> = {
  helm: [
    helm,
    {
      upgrade: [{ release: "api", chart: "./charts/api" }, false],
      rollback: [{ release: "api" }, false],
      uninstall: [{ release: "api-canary" }, false],
      history: [{ release: "api" }, true],
      status: [{ release: "api" }, true],
      lint: [{ chart: "./charts/api" }, true],
      template: [{ release: "api", chart: "./charts/api" }, true],
      package: [{ chart: "./charts/api" }, false],
      dependency_update: [{ chart: "./charts/api" }, false],
    },
  ],
  cosign: [
    cosign,
    {
      sign: [{ image: IMAGE, key: "cosign.key" }, false],
      verify: [{ image: IMAGE, key: "cosign.pub" }, true],
      sign_blob: [{ file: "evidence.tar", key: "cosign.key" }, false],
      verify_blob: [{ file: "evidence.tar", key: "cosign.pub" }, true],
      attest: [{ image: IMAGE, key: "cosign.key", predicate: "provenance.json" }, false],
    },
  ],
  oci: [
    oci,
    {
      resolve: [{ image: "registry.example.com/acme/api:rc-1" }, true],
      exists: [{ image: IMAGE }, true],
      retag: [{ image: IMAGE, tag: "v1.2.3" }, false],
    },
  ],
  http: [http, { probe: [{ url: "https://api.example.com/health" }, true] }],
  kubectl: [
    kubectl,
    {
      rollout_status: [{ resource: "deployment/api" }, true],
      rollout_undo: [{ resource: "deployment/api" }, false],
      set_image: [{ resource: "deployment/api", images: { api: IMAGE } }, false],
    },
  ],
};

const cases = Object.entries(ACTIONS).flatMap(([name, [executor, actions]]) =>
  Object.entries(actions).map(([action, [input, readOnly]]) => ({ name, executor, action, input, readOnly })),
);

describe("the deploy executors", () => {
  it.each(Object.entries(ACTIONS))("%s has exactly the documented actions", (name, [executor, actions]) => {
    expect(executor.name).toBe(name);
    expect(Object.keys(executor.actions).sort()).toEqual(Object.keys(actions).sort());
  });

  it.each(cases)("$name.$action is read-only: $readOnly", ({ executor, action, input, readOnly }) => {
    const definition = executor.actions[action]!;
    const parsed = definition.input.parse(input);
    expect(actionMutates(definition, parsed)).toBe(!readOnly);
    expect(actionRunsInDryRun(definition, parsed)).toBe(readOnly);
  });

  it.each(cases)("$name.$action plans the exact command or request", ({ name, executor, action, input }) => {
    const plan = executor.actions[action]!.plan(executor.actions[action]!.input.parse(input));
    expect(plan.summary.length).toBeGreaterThan(10);
    if (name === "oci" || name === "http") expect(plan.request?.url).toMatch(/^https:\/\//);
    else expect(plan.argv?.[0]).toBe(name);
  });

  it.each(cases)("$name.$action documents every output it names", ({ executor, action }) => {
    const outputs = executor.actions[action]!.outputs;
    expect(Object.keys(outputs).length).toBeGreaterThan(0);
    for (const description of Object.values(outputs)) expect(description.length).toBeGreaterThan(3);
  });
});
