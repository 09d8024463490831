// The exact command every helm, cosign and kubectl action plans, written out flag by flag from
// the tools' own contracts (shared docs/external-tools.md, docs/executors/*.md): `relctl plan`
// shows this argv to a reviewer, so a changed flag, a dropped namespace or a reordered values
// file must fail here, not only in a cluster.
import { describe, expect, it } from "vitest";
import type { Executor } from "../../src/executors/contract.js";
import cosign from "../../src/executors/cosign.js";
import helm from "../../src/executors/helm.js";
import kubectl from "../../src/executors/kubectl.js";
import { DIGEST, IMAGE, MINIMAL_COSIGN, MINIMAL_HELM, MINIMAL_KUBECTL } from "./minimal-plans.js";

const OTHER_DIGEST = `sha256:${"d4".repeat(32)}`;
const TAGGED = "registry.example.com/acme/api:rc-1";
const IDENTITY = "https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";
const PROD = { namespace: "production", kube_context: "prod-eu" };

interface PlanCase {
  /** What the input varies. */
  variant: string;
  input: Record<string, unknown>;
  argv: string[];
  /** The plan's details, when they carry a request (a tag's digest look-up). */
  details?: Record<string, unknown>;
}

const HELM: Record<string, PlanCase[]> = {
  upgrade: [
    {
      variant: "defaults (install, wait)",
      ...MINIMAL_HELM.upgrade,
    },
    {
      variant: "every option on helm v3",
      input: {
        release: "api",
        chart: "oci://registry.example.com/charts/api",
        ...PROD,
        kubeconfig: "/etc/kube/prod.yaml",
        version: "1.2.0",
        values: ["values.yaml", "overlays/us-east/values.yaml"],
        set: { replicaCount: 3, "ingress.hosts": ["a.example.com", "b.example.com"], "feature.on": true },
        set_string: { "image.tag": "1.2.0" },
        wait_for_jobs: true,
        timeout: "5m",
        atomic: true,
        cleanup_on_fail: true,
        create_namespace: true,
        reuse_values: true,
        history_max: 10,
        description: "deploy 1.2.0",
        dependency_update: true,
        helm_major: 3,
      },
      argv: [
        "helm",
        "upgrade",
        "--install",
        "api",
        "oci://registry.example.com/charts/api",
        "--namespace",
        "production",
        "--kube-context",
        "prod-eu",
        "--kubeconfig",
        "/etc/kube/prod.yaml",
        "--version",
        "1.2.0",
        "--values",
        "values.yaml",
        "--values",
        "overlays/us-east/values.yaml",
        "--set",
        "replicaCount=3",
        "--set",
        "ingress.hosts={a.example.com,b.example.com}",
        "--set",
        "feature.on=true",
        "--set-string",
        "image.tag=1.2.0",
        "--wait",
        "--wait-for-jobs",
        "--timeout",
        "5m",
        "--atomic",
        "--cleanup-on-fail",
        "--create-namespace",
        "--reuse-values",
        "--history-max",
        "10",
        "--description",
        "deploy 1.2.0",
        "--dependency-update",
      ],
    },
    {
      variant: "atomic on helm v4 is --rollback-on-failure",
      input: { release: "api", chart: "./charts/api", ...PROD, atomic: true, timeout: 300, helm_major: 4 },
      argv: [
        "helm",
        "upgrade",
        "--install",
        "api",
        "./charts/api",
        "--namespace",
        "production",
        "--kube-context",
        "prod-eu",
        "--wait",
        "--timeout",
        "300s",
        "--rollback-on-failure",
        "--reset-values",
      ],
    },
    {
      variant: "atomic without a pinned major plans helm v3's --atomic",
      input: { release: "api", chart: "./charts/api", atomic: true },
      argv: ["helm", "upgrade", "--install", "api", "./charts/api", "--wait", "--atomic", "--reset-values"],
    },
    {
      variant: "values files keep their order (later files win)",
      input: {
        release: "api",
        chart: "./charts/api",
        values: ["overlays/us-east/values.yaml", "values.yaml", "secrets.yaml"],
      },
      argv: [
        "helm",
        "upgrade",
        "--install",
        "api",
        "./charts/api",
        "--values",
        "overlays/us-east/values.yaml",
        "--values",
        "values.yaml",
        "--values",
        "secrets.yaml",
        "--wait",
      ],
    },
    {
      variant: "set values with helm's separators escaped, null and numbers",
      input: {
        release: "api",
        chart: "./charts/api",
        set: { "env.GREETING": "hello, {world}", "resources.limits": null, path: "C:\\tmp" },
        set_string: { "image.tag": 42, "labels.enabled": false },
      },
      argv: [
        "helm",
        "upgrade",
        "--install",
        "api",
        "./charts/api",
        "--set",
        "env.GREETING=hello\\, \\{world\\}",
        "--set",
        "resources.limits=null",
        "--set",
        "path=C:\\\\tmp",
        "--set-string",
        "image.tag=42",
        "--set-string",
        "labels.enabled=false",
        "--wait",
      ],
    },
    {
      variant: "no install, no wait, reset values",
      input: {
        release: "api",
        chart: "./charts/api",
        install: false,
        wait: false,
        reset_values: true,
        timeout: 90,
        history_max: 0,
      },
      argv: [
        "helm",
        "upgrade",
        "api",
        "./charts/api",
        "--timeout",
        "90s",
        "--reset-values",
        "--history-max",
        "0",
      ],
    },
    {
      variant: "wait strategy hookOnly on helm v4",
      input: { release: "api", chart: "./charts/api", wait: "hookOnly", helm_major: 4 },
      argv: ["helm", "upgrade", "--install", "api", "./charts/api", "--wait=hookOnly", "--reset-values"],
    },
    {
      variant: "wait strategy legacy on helm v4",
      input: { release: "api", chart: "./charts/api", wait: "legacy", helm_major: 4 },
      argv: ["helm", "upgrade", "--install", "api", "./charts/api", "--wait=legacy", "--reset-values"],
    },
    {
      variant: "wait strategy hookOnly on helm v3 (its default: no flag)",
      input: { release: "api", chart: "./charts/api", wait: "hookOnly", helm_major: 3 },
      argv: ["helm", "upgrade", "--install", "api", "./charts/api", "--reset-values"],
    },
    {
      variant: "wait strategy watcher on helm v3 (a boolean --wait)",
      input: { release: "api", chart: "./charts/api", wait: "watcher", helm_major: 3 },
      argv: ["helm", "upgrade", "--install", "api", "./charts/api", "--wait", "--reset-values"],
    },
  ],
  rollback: [
    {
      variant: "to the previous successful revision (found at run time)",
      ...MINIMAL_HELM.rollback,
    },
    {
      variant: "to a given revision, with connection and every option",
      input: {
        release: "api",
        ...PROD,
        kubeconfig: "/etc/kube/prod.yaml",
        revision: 3,
        timeout: "2m",
        cleanup_on_fail: true,
      },
      argv: [
        "helm",
        "rollback",
        "api",
        "3",
        "--namespace",
        "production",
        "--kube-context",
        "prod-eu",
        "--kubeconfig",
        "/etc/kube/prod.yaml",
        "--wait",
        "--timeout",
        "2m",
        "--cleanup-on-fail",
      ],
    },
    {
      variant: "a missing last-known-good (null) without waiting",
      input: { release: "api", revision: null, wait: false },
      argv: ["helm", "rollback", "api", "<previous successful revision>"],
    },
  ],
  uninstall: [
    {
      variant: "defaults",
      ...MINIMAL_HELM.uninstall,
    },
    {
      variant: "every option (ignore_missing changes no flag)",
      input: {
        release: "api-canary",
        ...PROD,
        kubeconfig: "/etc/kube/prod.yaml",
        ignore_missing: true,
        keep_history: true,
        wait: true,
        timeout: 60,
      },
      argv: [
        "helm",
        "uninstall",
        "api-canary",
        "--namespace",
        "production",
        "--kube-context",
        "prod-eu",
        "--kubeconfig",
        "/etc/kube/prod.yaml",
        "--keep-history",
        "--wait",
        "--timeout",
        "60s",
      ],
    },
  ],
  history: [
    {
      variant: "defaults",
      ...MINIMAL_HELM.history,
    },
    {
      variant: "namespace and context",
      input: { release: "api", ...PROD, allow_missing: true },
      argv: [
        "helm",
        "history",
        "api",
        "--namespace",
        "production",
        "--kube-context",
        "prod-eu",
        "--output",
        "json",
      ],
    },
  ],
  status: [
    {
      variant: "defaults",
      ...MINIMAL_HELM.status,
    },
    {
      variant: "an older revision in a namespace",
      input: { release: "api", namespace: "production", revision: 4 },
      argv: ["helm", "status", "api", "--namespace", "production", "--output", "json", "--revision", "4"],
    },
  ],
  lint: [
    {
      variant: "defaults",
      ...MINIMAL_HELM.lint,
    },
    {
      variant: "with the deploy's values, strict",
      input: {
        chart: "./charts/api",
        values: ["values.yaml", "overlays/us-east/values.yaml"],
        set: { replicaCount: 3 },
        set_string: { "image.tag": "1.2.0" },
        strict: true,
        with_subcharts: true,
        kube_version: "1.30.0",
      },
      argv: [
        "helm",
        "lint",
        "./charts/api",
        "--values",
        "values.yaml",
        "--values",
        "overlays/us-east/values.yaml",
        "--set",
        "replicaCount=3",
        "--set-string",
        "image.tag=1.2.0",
        "--strict",
        "--with-subcharts",
        "--kube-version",
        "1.30.0",
      ],
    },
  ],
  template: [
    {
      variant: "defaults",
      ...MINIMAL_HELM.template,
    },
    {
      variant: "every option",
      input: {
        release: "api",
        chart: "oci://registry.example.com/charts/api",
        namespace: "production",
        version: "1.2.0",
        values: ["overlays/us-east/values.yaml"],
        set_string: { "image.tag": "1.2.0" },
        kube_version: "1.30.0",
        api_versions: ["monitoring.coreos.com/v1", "policy/v1"],
        show_only: ["templates/deployment.yaml", "templates/service.yaml"],
        include_crds: true,
      },
      argv: [
        "helm",
        "template",
        "api",
        "oci://registry.example.com/charts/api",
        "--namespace",
        "production",
        "--version",
        "1.2.0",
        "--values",
        "overlays/us-east/values.yaml",
        "--set-string",
        "image.tag=1.2.0",
        "--kube-version",
        "1.30.0",
        "--api-versions",
        "monitoring.coreos.com/v1",
        "--api-versions",
        "policy/v1",
        "--show-only",
        "templates/deployment.yaml",
        "--show-only",
        "templates/service.yaml",
        "--include-crds",
      ],
    },
  ],
  package: [
    {
      variant: "defaults (into the run's directory)",
      ...MINIMAL_HELM.package,
    },
    {
      variant: "every option",
      input: {
        chart: "./charts/api",
        destination: "dist/charts",
        version: "1.2.0",
        app_version: "1.2.0-rc.1",
        dependency_update: true,
      },
      argv: [
        "helm",
        "package",
        "./charts/api",
        "--destination",
        "dist/charts",
        "--version",
        "1.2.0",
        "--app-version",
        "1.2.0-rc.1",
        "--dependency-update",
      ],
    },
  ],
  dependency_update: [
    {
      variant: "defaults",
      ...MINIMAL_HELM.dependency_update,
    },
    {
      variant: "without refreshing the repositories",
      input: { chart: "./charts/api", skip_refresh: true },
      argv: ["helm", "dependency", "update", "./charts/api", "--skip-refresh"],
    },
  ],
};

const COSIGN: Record<string, PlanCase[]> = {
  sign: [
    {
      variant: "a digest with a key file",
      ...MINIMAL_COSIGN.sign,
      details: {},
    },
    {
      variant: "a file:// key is passed as a plain path",
      input: { image: IMAGE, key: "file://keys/cosign.key" },
      argv: ["cosign", "sign", "--yes", "--key", "keys/cosign.key", IMAGE],
    },
    {
      variant: "a KMS key",
      input: { image: IMAGE, key: "awskms:///alias/release-signing" },
      argv: ["cosign", "sign", "--yes", "--key", "awskms:///alias/release-signing", IMAGE],
    },
    {
      variant: "a key from a secret travels as env://, its password never in argv",
      input: { image: IMAGE, key_secret: "COSIGN_KEY", password_secret: "COSIGN_PASSWORD" },
      argv: ["cosign", "sign", "--yes", "--key", "env://RELCTL_COSIGN_KEY", IMAGE],
    },
    {
      variant: "every option",
      input: {
        image: `localhost:5000/acme/api@${DIGEST}`,
        key: "env://SIGNING_KEY",
        tlog_upload: false,
        annotations: { git_sha: "9f8e7d6", pipeline: "release" },
        recursive: true,
        plain_http: true,
      },
      argv: [
        "cosign",
        "sign",
        "--yes",
        "--key",
        "env://SIGNING_KEY",
        "--tlog-upload=false",
        "--annotations",
        "git_sha=9f8e7d6",
        "--annotations",
        "pipeline=release",
        "--recursive",
        "--allow-http-registry",
        `localhost:5000/acme/api@${DIGEST}`,
      ],
    },
    {
      variant: "a tag is signed by the digest it resolves to",
      input: { image: TAGGED, key: "cosign.key" },
      argv: [
        "cosign",
        "sign",
        "--yes",
        "--key",
        "cosign.key",
        "registry.example.com/acme/api@<digest of registry.example.com/acme/api:rc-1>",
      ],
      details: { resolves: "HEAD https://registry.example.com/v2/acme/api/manifests/rc-1" },
    },
    {
      variant: "a tag with the expected digest signs that digest",
      input: { image: TAGGED, key: "cosign.key", expected_digest: OTHER_DIGEST },
      argv: [
        "cosign",
        "sign",
        "--yes",
        "--key",
        "cosign.key",
        `registry.example.com/acme/api@${OTHER_DIGEST}`,
      ],
      details: { resolves: "HEAD https://registry.example.com/v2/acme/api/manifests/rc-1" },
    },
    {
      variant: "a Docker Hub tag over plain http",
      input: { image: "nginx:1.27", key: "cosign.key", plain_http: true },
      argv: [
        "cosign",
        "sign",
        "--yes",
        "--key",
        "cosign.key",
        "--allow-http-registry",
        "docker.io/library/nginx@<digest of nginx:1.27>",
      ],
      details: { resolves: "HEAD http://registry-1.docker.io/v2/library/nginx/manifests/1.27" },
    },
  ],
  verify: [
    {
      variant: "with a public key",
      ...MINIMAL_COSIGN.verify,
    },
    {
      variant: "keyless, by certificate identity and issuer",
      input: { image: IMAGE, certificate_identity: IDENTITY, certificate_oidc_issuer: ISSUER },
      argv: [
        "cosign",
        "verify",
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        IMAGE,
      ],
    },
    {
      variant: "a key secret, no tlog, annotations, plain http, by tag",
      input: {
        image: "localhost:5000/acme/api:rc-1",
        key_secret: "COSIGN_PUBLIC_KEY",
        insecure_ignore_tlog: true,
        annotations: { git_sha: "9f8e7d6" },
        plain_http: true,
        expected_digest: DIGEST,
        fail_on_unverified: false,
      },
      argv: [
        "cosign",
        "verify",
        "--key",
        "env://RELCTL_COSIGN_KEY",
        "--insecure-ignore-tlog=true",
        "--annotations",
        "git_sha=9f8e7d6",
        "--allow-http-registry",
        "localhost:5000/acme/api:rc-1",
      ],
    },
  ],
  sign_blob: [
    {
      variant: "a key file, bundle next to the file",
      ...MINIMAL_COSIGN.sign_blob,
    },
    {
      variant: "a key secret, a named bundle, no tlog",
      input: {
        file: "dist/evidence.tar",
        bundle: "dist/evidence.sigstore.json",
        key_secret: "COSIGN_KEY",
        password_secret: "COSIGN_PASSWORD",
        tlog_upload: false,
      },
      argv: [
        "cosign",
        "sign-blob",
        "--yes",
        "--key",
        "env://RELCTL_COSIGN_KEY",
        "--bundle",
        "dist/evidence.sigstore.json",
        "--tlog-upload=false",
        "dist/evidence.tar",
      ],
    },
  ],
  verify_blob: [
    {
      variant: "a public key, bundle next to the file",
      ...MINIMAL_COSIGN.verify_blob,
    },
    {
      variant: "keyless with a named bundle and no tlog",
      input: {
        file: "evidence.tar",
        bundle: "evidence.sigstore.json",
        certificate_identity: IDENTITY,
        certificate_oidc_issuer: ISSUER,
        insecure_ignore_tlog: true,
      },
      argv: [
        "cosign",
        "verify-blob",
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        "--insecure-ignore-tlog=true",
        "--bundle",
        "evidence.sigstore.json",
        "evidence.tar",
      ],
    },
  ],
  attest: [
    {
      variant: "defaults (custom predicate type)",
      ...MINIMAL_COSIGN.attest,
      details: {},
    },
    {
      variant: "every option",
      input: {
        image: IMAGE,
        key_secret: "COSIGN_KEY",
        predicate: "dist/sbom.spdx.json",
        type: "spdxjson",
        tlog_upload: false,
        replace: true,
        plain_http: true,
      },
      argv: [
        "cosign",
        "attest",
        "--yes",
        "--key",
        "env://RELCTL_COSIGN_KEY",
        "--predicate",
        "dist/sbom.spdx.json",
        "--type",
        "spdxjson",
        "--tlog-upload=false",
        "--replace",
        "--allow-http-registry",
        IMAGE,
      ],
    },
    {
      variant: "a predicate type URI on a tag",
      input: {
        image: TAGGED,
        key: "gcpkms://projects/acme/locations/global/keyRings/release/cryptoKeys/cosign",
        predicate: "provenance.json",
        type: "https://slsa.dev/provenance/v1",
      },
      argv: [
        "cosign",
        "attest",
        "--yes",
        "--key",
        "gcpkms://projects/acme/locations/global/keyRings/release/cryptoKeys/cosign",
        "--predicate",
        "provenance.json",
        "--type",
        "https://slsa.dev/provenance/v1",
        "registry.example.com/acme/api@<digest of registry.example.com/acme/api:rc-1>",
      ],
      details: { resolves: "HEAD https://registry.example.com/v2/acme/api/manifests/rc-1" },
    },
  ],
};

const KUBECTL: Record<string, PlanCase[]> = {
  rollout_status: [
    {
      variant: "defaults (wait 5m)",
      ...MINIMAL_KUBECTL.rollout_status,
    },
    {
      variant: "a short kind, namespace, context, kubeconfig and timeout",
      input: { resource: "deploy/api", ...PROD, kubeconfig: "/etc/kube/prod.yaml", timeout: 120 },
      argv: [
        "kubectl",
        "rollout",
        "status",
        "deployment/api",
        "--namespace",
        "production",
        "--context",
        "prod-eu",
        "--kubeconfig",
        "/etc/kube/prod.yaml",
        "--timeout",
        "120s",
      ],
    },
    {
      variant: "a statefulset",
      input: { resource: "sts/db", namespace: "data", timeout: "10m" },
      argv: ["kubectl", "rollout", "status", "statefulset/db", "--namespace", "data", "--timeout", "10m"],
    },
  ],
  rollout_undo: [
    {
      variant: "to the previous revision",
      ...MINIMAL_KUBECTL.rollout_undo,
    },
    {
      variant: "to a given revision in a namespace and context",
      input: { resource: "deployment/api", ...PROD, to_revision: 3 },
      argv: [
        "kubectl",
        "rollout",
        "undo",
        "deployment/api",
        "--namespace",
        "production",
        "--context",
        "prod-eu",
        "--to-revision=3",
      ],
    },
    {
      variant: "a daemonset with a kubeconfig",
      input: { resource: "ds/node-agent", kubeconfig: "/etc/kube/prod.yaml", to_revision: 12 },
      argv: [
        "kubectl",
        "rollout",
        "undo",
        "daemonset/node-agent",
        "--kubeconfig",
        "/etc/kube/prod.yaml",
        "--to-revision=12",
      ],
    },
  ],
  set_image: [
    {
      variant: "one container",
      ...MINIMAL_KUBECTL.set_image,
    },
    {
      variant: "several containers in a namespace and context",
      input: {
        resource: "deployments/api",
        ...PROD,
        images: { api: IMAGE, "log-shipper": "ghcr.io/acme/log-shipper:2.4.1" },
      },
      argv: [
        "kubectl",
        "set",
        "image",
        "deployment/api",
        `api=${IMAGE}`,
        "log-shipper=ghcr.io/acme/log-shipper:2.4.1",
        "--namespace",
        "production",
        "--context",
        "prod-eu",
      ],
    },
    {
      variant: "every container of a statefulset",
      input: {
        resource: "statefulset/db",
        images: { "*": "postgres:16.4" },
        kubeconfig: "/etc/kube/prod.yaml",
      },
      argv: [
        "kubectl",
        "set",
        "image",
        "statefulset/db",
        "*=postgres:16.4",
        "--kubeconfig",
        "/etc/kube/prod.yaml",
      ],
    },
  ],
};

const EXECUTORS: [Executor, Record<string, PlanCase[]>][] = [
  [helm, HELM],
  [cosign, COSIGN],
  [kubectl, KUBECTL],
];

const cases = EXECUTORS.flatMap(([executor, actions]) =>
  Object.entries(actions).flatMap(([action, variants]) =>
    variants.map((planCase) => ({ name: executor.name, executor, action, ...planCase })),
  ),
);

/** The plan as the engine gets it: `with:` validated by the action's schema first. */
function planOf(executor: Executor, name: string, input: Record<string, unknown>) {
  const action = executor.actions[name];
  if (!action) throw new Error(`${executor.name} has no action ${name}`);
  return action.plan(action.input.parse(input));
}

describe("the exact argv of every helm, cosign and kubectl plan", () => {
  it.each(EXECUTORS.map(([executor, actions]) => [executor.name, executor, actions] as const))(
    "%s: every action has cases here",
    (_name, executor, actions) => {
      expect(Object.keys(actions).sort()).toEqual(Object.keys(executor.actions).sort());
    },
  );

  it.each(cases)("$name.$action, $variant", ({ executor, action, input, argv, details }) => {
    const plan = planOf(executor, action, input);
    expect(plan.argv).toEqual(argv);
    // A command, not a request: the request these tools make is theirs, not relctl's.
    expect(plan.request).toBeUndefined();
    if (details !== undefined) expect(plan.details).toEqual(details);
  });
});
