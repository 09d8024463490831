#!/usr/bin/env bash
# The whole test suite, as CI runs it: servers, binaries, build, type-check, lint, format check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-servers.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
# The real helm (v3, v4) and kubectl binaries the executor tests run, fetched once into a cache.
node scripts/ensure-binaries.mjs
npm run build
npm run check
npx vitest run
