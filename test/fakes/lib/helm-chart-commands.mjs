// The fake helm's chart commands: lint, package, template and dependency update.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import {
  ChartError,
  fail,
  loadChart,
  merge,
  out,
  parse,
  render,
  requireArgs,
  stringify,
  userValues,
  valueAt,
  ValuesError,
  VALUES_FLAGS,
} from "./helm-cli.mjs";
import { now } from "./helm-store.mjs";

export function lint(args) {
  const { flags, positionals } = parse(args, {
    ...VALUES_FLAGS,
    strict: { type: "bool" },
    "with-subcharts": { type: "bool" },
    quiet: { type: "bool" },
    "kube-version": { type: "string" },
  });
  const charts = positionals.length === 0 ? ["."] : positionals;
  let failed = 0;
  const report = [];
  for (const reference of charts) {
    const findings = [];
    report.push(`==> Linting ${reference}`);
    try {
      const chart = loadChart(reference, process.cwd());
      if (!/^\d+\.\d+\.\d+/.test(chart.version))
        findings.push(["ERROR", "Chart.yaml", `version '${chart.version}' is not a valid SemVer`]);
      if (!chart.icon) findings.push(["INFO", "Chart.yaml", "icon is recommended"]);
      const values = merge(chart.values, userValues(flags, process.cwd()));
      const warning = valueAt(values, "fake.lintWarning");
      if (warning) findings.push(["WARNING", "templates/", String(warning)]);
      const error = valueAt(values, "fake.lintError");
      if (error) findings.push(["ERROR", "templates/", String(error)]);
    } catch (error) {
      if (!(error instanceof ChartError || error instanceof ValuesError)) throw error;
      findings.push(["ERROR", "Chart.yaml", error.message]);
    }
    for (const [severity, path, message] of findings) report.push(`[${severity}] ${path}: ${message}`);
    if (findings.some(([severity]) => severity === "ERROR" || (flags.strict && severity === "WARNING")))
      failed++;
    report.push("");
  }
  out(`${report.join("\n")}\n`);
  const summary = `${charts.length} chart(s) linted, ${failed} chart(s) failed`;
  if (failed > 0) fail(summary);
  out(`${summary}\n`);
}

export function packageChart(args) {
  const { flags, positionals } = parse(args, {
    destination: { type: "string", short: "d" },
    version: { type: "string" },
    "app-version": { type: "string" },
    "dependency-update": { type: "bool", short: "u" },
    sign: { type: "bool" },
    key: { type: "string" },
    keyring: { type: "string" },
  });
  requireArgs("package", "package [CHART_PATH] [...]", positionals, 1, 100);
  for (const reference of positionals) {
    let chart;
    try {
      chart = loadChart(reference, process.cwd(), flags.version);
    } catch (error) {
      if (error instanceof ChartError) fail(`stat ${reference}: no such file or directory`);
      throw error;
    }
    const destination = resolve(process.cwd(), flags.destination ?? ".");
    mkdirSync(destination, { recursive: true });
    const path = join(destination, `${chart.name}-${chart.version}.tgz`);
    const content = { ...chart, appVersion: flags["app-version"] ?? chart.appVersion, dir: undefined };
    writeFileSync(path, gzipSync(JSON.stringify(content)));
    out(`Successfully packaged chart and saved it to: ${path}\n`);
  }
}

export function template(args) {
  const { flags, positionals } = parse(args, {
    ...VALUES_FLAGS,
    version: { type: "string" },
    "kube-version": { type: "string" },
    "api-versions": { type: "stringArray", short: "a" },
    "show-only": { type: "stringArray", short: "s" },
    "include-crds": { type: "bool" },
    "skip-tests": { type: "bool" },
    "output-dir": { type: "string" },
    validate: { type: "bool" },
    "is-upgrade": { type: "bool" },
    "release-name": { type: "bool" },
    "create-namespace": { type: "bool" },
  });
  requireArgs("template", "template [NAME] [CHART]", positionals, 1, 2);
  const [name, reference] = positionals.length === 2 ? positionals : ["release-name", positionals[0]];
  let chart;
  let values;
  try {
    chart = loadChart(reference, process.cwd(), flags.version);
    values = merge(chart.values, userValues(flags, process.cwd()));
  } catch (error) {
    if (error instanceof ChartError || error instanceof ValuesError) fail(error.message);
    throw error;
  }
  const only = flags["show-only"];
  if (only) {
    chart.templates = Object.fromEntries(
      Object.entries(chart.templates).filter(([path]) => only.includes(path)),
    );
    if (Object.keys(chart.templates).length === 0) fail(`could not find template ${only[0]} in chart`);
  }
  out(render(chart, name, flags.namespace ?? "default", values).manifest);
}

export function dependency(args) {
  const [sub, ...rest] = args;
  if (sub !== "update" && sub !== "up") fail(`unknown command "${sub ?? ""}" for "helm dependency"`);
  const { flags, positionals } = parse(rest, {
    "skip-refresh": { type: "bool" },
    keyring: { type: "string" },
    verify: { type: "bool" },
  });
  requireArgs("dependency update", "dependency update CHART", positionals, 0, 1);
  const reference = positionals[0] ?? ".";
  let chart;
  try {
    chart = loadChart(reference, process.cwd());
  } catch (error) {
    if (error instanceof ChartError) fail(error.message);
    throw error;
  }
  for (const dependency of chart.dependencies) {
    if (dependency.repository && !String(dependency.repository).startsWith("file://")) {
      fail(
        `no repository definition for ${dependency.repository}. Please add the missing repos via 'helm repo add'`,
      );
    }
  }
  if (!flags["skip-refresh"] && chart.dependencies.length > 0) {
    out(
      "Hang tight while we grab the latest from your chart repositories...\nUpdate Complete. ⎈Happy Helming!⎈\n",
    );
  }
  const lock = { dependencies: chart.dependencies, digest: "sha256:0", generated: now() };
  writeFileSync(join(chart.dir, "Chart.lock"), stringify(lock));
  out(`Saving ${chart.dependencies.length} charts\nDeleting outdated charts\n`);
}
