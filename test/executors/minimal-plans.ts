// The minimal input of every helm, cosign and kubectl action and the exact argv it plans: one
// fixture for both plan-argv.test.ts (every variant's argv) and deploy-executors.test.ts (the
// contract every deploy executor keeps).

export const DIGEST = `sha256:${"c3".repeat(32)}`;
export const IMAGE = `registry.example.com/acme/api@${DIGEST}`;

export interface MinimalPlan {
  input: Record<string, unknown>;
  argv: string[];
}

export const MINIMAL_HELM = {
  upgrade: {
    input: { release: "api", chart: "./charts/api" },
    argv: ["helm", "upgrade", "--install", "api", "./charts/api", "--wait", "--reset-values"],
  },
  rollback: {
    input: { release: "api" },
    argv: ["helm", "rollback", "api", "<previous successful revision>", "--wait"],
  },
  uninstall: { input: { release: "api-canary" }, argv: ["helm", "uninstall", "api-canary"] },
  history: { input: { release: "api" }, argv: ["helm", "history", "api", "--output", "json"] },
  status: { input: { release: "api" }, argv: ["helm", "status", "api", "--output", "json"] },
  lint: { input: { chart: "./charts/api" }, argv: ["helm", "lint", "./charts/api"] },
  template: {
    input: { release: "api", chart: "./charts/api" },
    argv: ["helm", "template", "api", "./charts/api"],
  },
  package: {
    input: { chart: "./charts/api" },
    argv: ["helm", "package", "./charts/api", "--destination", "."],
  },
  dependency_update: {
    input: { chart: "./charts/api" },
    argv: ["helm", "dependency", "update", "./charts/api"],
  },
} satisfies Record<string, MinimalPlan>;

export const MINIMAL_COSIGN = {
  sign: {
    input: { image: IMAGE, key: "cosign.key" },
    argv: ["cosign", "sign", "--yes", "--key", "cosign.key", IMAGE],
  },
  verify: {
    input: { image: IMAGE, key: "cosign.pub" },
    argv: ["cosign", "verify", "--key", "cosign.pub", IMAGE],
  },
  sign_blob: {
    input: { file: "evidence.tar", key: "cosign.key" },
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
  verify_blob: {
    input: { file: "evidence.tar", key: "cosign.pub" },
    argv: ["cosign", "verify-blob", "--key", "cosign.pub", "--bundle", "evidence.tar.bundle", "evidence.tar"],
  },
  attest: {
    input: { image: IMAGE, key: "cosign.key", predicate: "provenance.json" },
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
} satisfies Record<string, MinimalPlan>;

export const MINIMAL_KUBECTL = {
  rollout_status: {
    input: { resource: "deployment/api" },
    argv: ["kubectl", "rollout", "status", "deployment/api", "--timeout", "5m"],
  },
  rollout_undo: {
    input: { resource: "deployment/api" },
    argv: ["kubectl", "rollout", "undo", "deployment/api"],
  },
  set_image: {
    input: { resource: "deployment/api", images: { api: IMAGE } },
    argv: ["kubectl", "set", "image", "deployment/api", `api=${IMAGE}`],
  },
} satisfies Record<string, MinimalPlan>;
