// Charts for the fake helm: a directory with Chart.yaml, values.yaml and templates/, or an
// oci:// reference (a chart the fake pretends to pull). Templates are "rendered" by replacing
// the few expressions test charts use ({{ .Values.a.b }}, {{ .Release.Name }}, …).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { valueAt } from "./helm-values.mjs";

export class ChartError extends Error {}

export function loadChart(reference, cwd, version) {
  if (reference.startsWith("oci://")) {
    const name = reference.split("/").pop();
    const chartVersion = version ?? "0.1.0";
    return {
      name,
      version: chartVersion,
      appVersion: chartVersion,
      values: {},
      templates: {},
      dir: undefined,
    };
  }
  const dir = resolve(cwd, reference);
  if (!existsSync(dir)) {
    if (!reference.startsWith(".") && !reference.startsWith("/") && reference.includes("/")) {
      throw new ChartError(`repo ${reference.split("/")[0]} not found`);
    }
    if (!reference.includes("/")) {
      throw new ChartError(
        `non-absolute URLs should be in form of repo_name/path_to_chart, got: ${reference}`,
      );
    }
    throw new ChartError(`path "${reference}" not found`);
  }
  if (!statSync(dir).isDirectory())
    throw new ChartError(`file '${reference}' does not appear to be a gzipped archive`);
  const chartFile = join(dir, "Chart.yaml");
  if (!existsSync(chartFile)) throw new ChartError(`Chart.yaml file is missing`);
  const meta = parse(readFileSync(chartFile, "utf8")) ?? {};
  const valuesFile = join(dir, "values.yaml");
  const values = existsSync(valuesFile) ? (parse(readFileSync(valuesFile, "utf8")) ?? {}) : {};
  const templates = {};
  const templateDir = join(dir, "templates");
  if (existsSync(templateDir)) {
    for (const file of readdirSync(templateDir).sort()) {
      if (/\.(ya?ml|tpl|txt)$/.test(file))
        templates[`templates/${file}`] = readFileSync(join(templateDir, file), "utf8");
    }
  }
  return {
    name: String(meta.name ?? ""),
    version: String(version ?? meta.version ?? ""),
    appVersion: meta.appVersion === undefined ? "" : String(meta.appVersion),
    icon: meta.icon,
    dependencies: meta.dependencies ?? [],
    values,
    templates,
    dir,
  };
}

/** Renders the templates with the merged values; returns the manifest and the NOTES text. */
export function render(chart, release, namespace, values) {
  const scope = {
    Values: values,
    Release: { Name: release, Namespace: namespace, Service: "Helm" },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const documents = [];
  let notes = "";
  for (const [path, text] of Object.entries(chart.templates)) {
    const rendered = text.replace(/\{\{-?\s*([^}]*?)\s*-?\}\}/g, (_, expression) => {
      const [reference, ...pipes] = expression.split("|").map((part) => part.trim());
      if (!reference.startsWith(".")) return "";
      const value = valueAt(scope, reference.slice(1));
      const text =
        value === undefined || value === null
          ? ""
          : typeof value === "object"
            ? JSON.stringify(value)
            : String(value);
      return pipes.includes("quote") ? JSON.stringify(text) : text;
    });
    if (path.endsWith("NOTES.txt")) notes = rendered;
    else if (!path.includes("/_"))
      documents.push(`---\n# Source: ${chart.name}/${path}\n${rendered.trimEnd()}\n`);
  }
  return { manifest: documents.join(""), notes };
}
