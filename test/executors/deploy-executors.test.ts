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

/** What a plan names: the exact argv of a command, or the exact method and URL of a request. */
type Planned = { argv: string[] } | { request: { method: string; url: string } };

/** executor → action → [minimal input, read-only?, what its plan names exactly]. */
const ACTIONS: Record<string, [Executor, Record<string, [Record<string, unknown>, boolean, Planned]>]> = {
  helm: [
    helm,
    {
      upgrade: [
        { release: "api", chart: "./charts/api" },
        false,
        { argv: ["helm", "upgrade", "--install", "api", "./charts/api", "--wait"] },
      ],
      rollback: [
        { release: "api" },
        false,
        { argv: ["helm", "rollback", "api", "<previous successful revision>", "--wait"] },
      ],
      uninstall: [{ release: "api-canary" }, false, { argv: ["helm", "uninstall", "api-canary"] }],
      history: [{ release: "api" }, true, { argv: ["helm", "history", "api", "--output", "json"] }],
      status: [{ release: "api" }, true, { argv: ["helm", "status", "api", "--output", "json"] }],
      lint: [{ chart: "./charts/api" }, true, { argv: ["helm", "lint", "./charts/api"] }],
      template: [
        { release: "api", chart: "./charts/api" },
        true,
        { argv: ["helm", "template", "api", "./charts/api"] },
      ],
      package: [
        { chart: "./charts/api" },
        false,
        { argv: ["helm", "package", "./charts/api", "--destination", "."] },
      ],
      dependency_update: [
        { chart: "./charts/api" },
        false,
        { argv: ["helm", "dependency", "update", "./charts/api"] },
      ],
    },
  ],
  cosign: [
    cosign,
    {
      sign: [
        { image: IMAGE, key: "cosign.key" },
        false,
        { argv: ["cosign", "sign", "--yes", "--key", "cosign.key", IMAGE] },
      ],
      verify: [
        { image: IMAGE, key: "cosign.pub" },
        true,
        { argv: ["cosign", "verify", "--key", "cosign.pub", IMAGE] },
      ],
      sign_blob: [
        { file: "evidence.tar", key: "cosign.key" },
        false,
        {
          argv: [
            "cosign",
            "sign-blob",
            "--yes",
            "--key",
            "cosign.key",
            "--bundle",
            "evidence.tar.bundle",
            "evidence.tar",
          ],
        },
      ],
      verify_blob: [
        { file: "evidence.tar", key: "cosign.pub" },
        true,
        {
          argv: [
            "cosign",
            "verify-blob",
            "--key",
            "cosign.pub",
            "--bundle",
            "evidence.tar.bundle",
            "evidence.tar",
          ],
        },
      ],
      attest: [
        { image: IMAGE, key: "cosign.key", predicate: "provenance.json" },
        false,
        {
          argv: [
            "cosign",
            "attest",
            "--yes",
            "--key",
            "cosign.key",
            "--predicate",
            "provenance.json",
            "--type",
            "custom",
            IMAGE,
          ],
        },
      ],
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
      rollout_status: [
        { resource: "deployment/api" },
        true,
        { argv: ["kubectl", "rollout", "status", "deployment/api", "--timeout", "5m"] },
      ],
      rollout_undo: [
        { resource: "deployment/api" },
        false,
        { argv: ["kubectl", "rollout", "undo", "deployment/api"] },
      ],
      set_image: [
        { resource: "deployment/api", images: { api: IMAGE } },
        false,
        { argv: ["kubectl", "set", "image", "deployment/api", `api=${IMAGE}`] },
      ],
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
