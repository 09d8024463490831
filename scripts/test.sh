#!/usr/bin/env bash
# The whole test suite, as CI runs it: servers, binaries, build, type-check, lint, format check,
# then the tests on the machine's Node (≥ 20.19, the oldest relctl supports) and on Node 24 LTS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-servers.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
# The real helm (v3, v4) and kubectl binaries the executor tests run, fetched once into a cache.
node scripts/ensure-binaries.mjs
npm run build
npm run check
echo "== tests on Node $(node --version)"
npx vitest run
# Node 24 LTS comes from the npm registry (the node-linux-<arch> package ships the real binary).
# The end-to-end tests start relctl with the Node that runs them, so they cover it too.
node24=$(bash scripts/ensure-node24.sh)
echo "== tests on Node $("$node24" --version)"
"$node24" node_modules/vitest/vitest.mjs run
