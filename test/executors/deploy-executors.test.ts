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
import {
  DIGEST,
  IMAGE,
  MINIMAL_COSIGN,
  MINIMAL_HELM,
  MINIMAL_KUBECTL,
  type MinimalPlan,
} from "./minimal-plans.js";

/** What a plan names: the exact argv of a command, or the exact method and URL of a request. */
type Planned = { argv: string[] } | { request: { method: string; url: string } };

/** A command action's case: its minimal input plans exactly the shared argv. */
function command(
  { input, argv }: MinimalPlan,
  readOnly: boolean,
): [Record<string, unknown>, boolean, Planned] {
  return [input, readOnly, { argv }];
}

/** executor → action → [minimal input, read-only?, what its plan names exactly]. */
const ACTIONS: Record<string, [Executor, Record<string, [Record<string, unknown>, boolean, Planned]>]> = {
  helm: [
    helm,
    {
      upgrade: command(MINIMAL_HELM.upgrade, false),
      rollback: command(MINIMAL_HELM.rollback, false),
      uninstall: command(MINIMAL_HELM.uninstall, false),
      history: command(MINIMAL_HELM.history, true),
      status: command(MINIMAL_HELM.status, true),
      lint: command(MINIMAL_HELM.lint, true),
      template: command(MINIMAL_HELM.template, true),
      package: command(MINIMAL_HELM.package, false),
      dependency_update: command(MINIMAL_HELM.dependency_update, false),
    },
  ],
  cosign: [
    cosign,
    {
      sign: command(MINIMAL_COSIGN.sign, false),
      verify: command(MINIMAL_COSIGN.verify, true),
      sign_blob: command(MINIMAL_COSIGN.sign_blob, false),
      verify_blob: command(MINIMAL_COSIGN.verify_blob, true),
      attest: command(MINIMAL_COSIGN.attest, false),
    },
  ],
  oci: [
    oci,
    {
      resolve: [
        { image: "registry.example.com/acme/api:rc-1" },
        true,
        { request: { method: "HEAD", url: "https://registry.example.com/v2/acme/api/manifests/rc-1" } },
      ],
      exists: [
        { image: IMAGE },
        true,
        { request: { method: "HEAD", url: `https://registry.example.com/v2/acme/api/manifests/${DIGEST}` } },
      ],
      retag: [
        { image: IMAGE, tag: "v1.2.3" },
        false,
        { request: { method: "PUT", url: "https://registry.example.com/v2/acme/api/manifests/v1.2.3" } },
      ],
    },
  ],
  http: [
    http,
    {
      probe: [
        { url: "https://api.example.com/health" },
        true,
        { request: { method: "GET", url: "https://api.example.com/health" } },
      ],
    },
  ],
  kubectl: [
    kubectl,
    {
      rollout_status: command(MINIMAL_KUBECTL.rollout_status, true),
      rollout_undo: command(MINIMAL_KUBECTL.rollout_undo, false),
      set_image: command(MINIMAL_KUBECTL.set_image, false),
    },
  ],
};

const cases = Object.entries(ACTIONS).flatMap(([name, [executor, actions]]) =>
  Object.entries(actions).map(([action, [input, readOnly, planned]]) => ({
    name,
    executor,
    action,
    input,
    readOnly,
    planned,
  })),
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

  it.each(cases)(
    "$name.$action plans the exact command or request",
    ({ executor, action, input, planned }) => {
      const plan = executor.actions[action]!.plan(executor.actions[action]!.input.parse(input));
      expect(plan.summary.length).toBeGreaterThan(10);
      // Exactly one of them: a command (argv) or a request (method and URL), never both.
      expect({ argv: plan.argv, request: plan.request }).toEqual(planned);
    },
  );

  it.each(cases)("$name.$action documents every output it names", ({ executor, action }) => {
    const outputs = executor.actions[action]!.outputs;
    expect(Object.keys(outputs).length).toBeGreaterThan(0);
    for (const description of Object.values(outputs)) expect(description.length).toBeGreaterThan(3);
  });
});
